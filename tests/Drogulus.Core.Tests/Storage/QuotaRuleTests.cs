using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Limits;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Storage;

/// <summary>
/// Issue 10, PROTOCOL §6: <c>max-store-bytes</c> and <c>max-items-per-publisher</c>. Cached copies give way,
/// least recently used first; a close copy never does; error 11 when nothing can give way.
/// </summary>
public sealed class QuotaRuleTests
{
    private const string OtherPem = "-----BEGIN PUBLIC KEY-----\nanother-publisher\n-----END PUBLIC KEY-----";
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly InMemoryItemStore _rows = new();

    [Fact]
    public void Store_should_refuse_with_storage_full_when_publisher_quota_is_reached_and_every_copy_is_close()
    {
        var store = new LocalStore(_rows, new StoreLimits(1000, 1_000_000, 2));
        store.Store(Item("a"), T0);
        store.Store(Item("b"), T0);

        var outcome = store.Store(Item("c"), T0);

        Assert.Equal(ErrorCode.StorageFull, outcome.Error);
        Assert.Empty(outcome.Details);
        Assert.Equal(2, store.Count);
        Assert.Null(_rows.Get(Item("c").Key));
    }

    [Fact]
    public void Store_should_count_publishers_apart_when_another_publisher_stores()
    {
        var store = new LocalStore(_rows, new StoreLimits(1000, 1_000_000, 1));
        store.Store(Item("a"), T0);

        Assert.True(store.Store(ItemBy(OtherPem, "a"), T0).IsStored);
        Assert.Equal(1, store.CountOf(Pem));
        Assert.Equal(1, store.CountOf(OtherPem));
    }

    [Fact]
    public void Store_should_replace_in_place_when_publisher_is_at_its_quota()
    {
        var store = new LocalStore(_rows, new StoreLimits(1000, 1_000_000, 1));
        store.Store(Item("a", timestamp: 1), T0);

        Assert.True(store.Store(Item("a", timestamp: 2), T0 + Minute).IsStored);
        Assert.Equal(1, store.CountOf(Pem));
    }

    [Fact]
    public void Store_should_evict_the_least_recently_used_cached_copy_of_the_publisher_when_its_quota_is_reached()
    {
        var store = new LocalStore(_rows, new StoreLimits(1000, 1_000_000, 3));
        store.Store(Item("old"), T0);
        store.Store(Item("newer"), T0 + Minute);
        store.Store(Item("close"), T0);
        Classify(store, cached: ["old", "newer"], T0 + (2 * Minute));
        store.Get(Item("old").Key, T0 + (3 * Minute)); // a read makes "old" the most recently used

        var outcome = store.Store(Item("incoming"), T0 + (4 * Minute));

        Assert.True(outcome.IsStored);
        Assert.Null(_rows.Get(Item("newer").Key));
        Assert.NotNull(_rows.Get(Item("old").Key));
        Assert.NotNull(_rows.Get(Item("close").Key));
        Assert.Equal(3, store.CountOf(Pem));
    }

    [Fact]
    public void Store_should_evict_cached_copies_until_bytes_fit_when_max_store_bytes_would_be_passed()
    {
        var size = ItemSize.Of(Item("a"));
        var store = new LocalStore(_rows, new StoreLimits(1000, (3 * size) + (size / 2), 1000));
        store.Store(Item("a"), T0, Stranger, amongClosest: true);
        store.Store(ItemBy(OtherPem, "b"), T0 + Minute, Stranger, amongClosest: true);
        store.Store(Item("c"), T0 + (2 * Minute), Stranger, amongClosest: true);
        Classify(store, cached: ["a", "b", "c"], T0 + (3 * Minute));

        Assert.True(store.Store(ItemBy(OtherPem, "big", value: new string('x', 200)), T0 + (4 * Minute), AddressGroup.Local, amongClosest: true).IsStored);

        Assert.True(store.TotalBytes <= store.Limits.MaxStoreBytes);
        Assert.Null(_rows.Get(Item("a").Key));
        Assert.Null(_rows.Get(ItemBy(OtherPem, "b").Key));
        Assert.NotNull(_rows.Get(Item("c").Key));
    }

    [Fact]
    public void Store_should_evict_nothing_when_the_storing_group_itself_holds_the_most_bytes()
    {
        var size = ItemSize.Of(Item("a"));
        var store = new LocalStore(_rows, new StoreLimits(1000, 2 * size, 1000));
        store.Store(Item("a"), T0, Stranger, amongClosest: false);
        store.Store(Item("b"), T0, Stranger, amongClosest: false);

        var outcome = store.Store(Item("c"), T0 + Minute, Stranger, amongClosest: false);

        Assert.Equal(ErrorCode.StorageFull, outcome.Error);
        Assert.Equal(2, store.Count);
        Assert.Equal(2 * size, store.TotalBytes);
    }

    [Fact]
    public void Store_should_evict_nothing_when_evicting_every_cached_copy_would_not_be_enough()
    {
        var size = ItemSize.Of(Item("cached"));
        var store = new LocalStore(_rows, new StoreLimits(1000, 3 * size, 1000));
        store.Store(Item("cached"), T0);
        store.Store(Item("close1"), T0);
        store.Store(Item("close2"), T0);
        Classify(store, cached: ["cached"], T0 + Minute);

        var outcome = store.Store(Item("big", value: new string('x', 300)), T0 + Minute);

        Assert.Equal(ErrorCode.StorageFull, outcome.Error);
        Assert.NotNull(_rows.Get(Item("cached").Key));
        Assert.Equal(3, store.Count);
    }

    [Fact]
    public void LocalStore_should_rebuild_its_accounting_when_opened_over_existing_rows()
    {
        new LocalStore(_rows).Store(Item("a"), T0);
        new LocalStore(_rows).Store(Item("b"), T0);

        var reopened = new LocalStore(_rows, new StoreLimits(1000, 1_000_000, 2));

        Assert.Equal(2, reopened.Count);
        Assert.Equal(2 * ItemSize.Of(Item("a")), reopened.TotalBytes);
        Assert.Equal(ErrorCode.StorageFull, reopened.Store(Item("c"), T0).Error);
    }

    [Fact]
    public void TotalBytes_should_follow_every_write_when_items_are_stored_replaced_and_deleted()
    {
        var store = new LocalStore(_rows);
        var small = Item("a", timestamp: 1, value: "s");
        var large = Item("a", timestamp: 2, value: new string('L', 100));
        var dying = Item("d", expires: Seconds(T0) + 1);

        store.Store(small, T0);
        store.Store(large, T0);
        store.Store(dying, T0);
        Assert.Equal(ItemSize.Of(large) + ItemSize.Of(dying), store.TotalBytes);

        store.Get(dying.Key, T0 + TimeSpan.FromSeconds(2));
        Assert.Equal(ItemSize.Of(large), store.TotalBytes);
        Assert.Equal(_rows.All().Sum(r => ItemSize.Of(r.Item)), store.TotalBytes);
    }

    private static readonly AddressGroup Stranger = AddressGroup.Of("203.0.113.7", exemptPrivate: true);

    private static SignedItem ItemBy(string pem, string name, string value = "v") =>
        new(Key.For(pem, name), CanonicalMsgPack.Encode(value), 1350544046, 0, "test", pem, name, new Dictionary<string, string>(), new byte[] { 1 });

    private void Classify(LocalStore store, string[] cached, DateTimeOffset now)
    {
        var cachedKeys = cached.SelectMany(n => new[] { Item(n).Key, ItemBy(OtherPem, n).Key }).ToHashSet();
        var plan = store.PlanRepublish(now, TimeSpan.FromHours(1), key => !cachedKeys.Contains(key));
        Assert.Empty(plan.Delete);
        foreach (var name in cached)
        {
            if (_rows.Get(Item(name).Key) is not null)
            {
                Assert.True(store.IsCached(Item(name).Key));
            }
        }
    }
}
