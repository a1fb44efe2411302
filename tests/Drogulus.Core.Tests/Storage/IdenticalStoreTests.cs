using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Storage;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Storage;

/// <summary>
/// Issue 10: a byte-identical re-store is answered without verifying or writing, and update and access
/// times are kept in memory and written in batches.
/// </summary>
public sealed class IdenticalStoreTests
{
    [Fact]
    public void RefreshIfIdentical_should_refresh_update_time_in_memory_without_writing_when_item_is_byte_identical()
    {
        var rows = new CountingStore();
        var store = new LocalStore(rows, new StoreLimits(1000, 1_000_000, 100, AccessFlushCount: 10));
        var item = Item();
        store.Store(item, T0);
        var copy = Item();

        Assert.True(store.RefreshIfIdentical(copy, T0 + Hour));

        Assert.Equal(1, rows.Upserts);
        Assert.Equal(T0, rows.Get(item.Key)!.UpdatedAt);
        Assert.Equal(1, store.PendingTimes);

        // The refreshed update time counts as "recently updated" for the republish pass.
        Assert.Empty(store.PlanRepublish(T0 + Hour + TimeSpan.FromMinutes(59), Hour, _ => true).Republish);
    }

    [Theory]
    [InlineData("other value", 1350544046)]
    [InlineData("v", 1350544047)]
    public void RefreshIfIdentical_should_decline_when_value_or_timestamp_differs(string value, double timestamp)
    {
        var store = new LocalStore(new InMemoryItemStore());
        store.Store(Item(), T0);

        Assert.False(store.RefreshIfIdentical(Item(value: value, timestamp: timestamp), T0));
    }

    [Fact]
    public void RefreshIfIdentical_should_decline_when_only_the_signature_differs()
    {
        var store = new LocalStore(new InMemoryItemStore());
        var item = Item();
        store.Store(item, T0);
        var forged = new SignedItem(item.Key, item.Value.Span, item.Timestamp, item.Expires, item.CreatedWith, item.PublicKey, item.Name, item.Meta, new byte[] { 2 });

        Assert.False(store.RefreshIfIdentical(forged, T0));
    }

    [Fact]
    public void RefreshIfIdentical_should_decline_when_the_held_item_has_expired()
    {
        var store = new LocalStore(new InMemoryItemStore());
        var item = Item(expires: Seconds(T0) + 1);
        store.Store(item, T0);

        Assert.False(store.RefreshIfIdentical(item, T0 + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Get_should_write_access_times_in_one_batch_when_the_batch_size_is_reached()
    {
        var rows = new CountingStore();
        var store = new LocalStore(rows, new StoreLimits(1000, 1_000_000, 100, AccessFlushCount: 3));
        foreach (var name in new[] { "a", "b", "c" })
        {
            store.Store(Item(name), T0);
        }

        store.Get(Item("a").Key, T0 + Hour);
        store.Get(Item("b").Key, T0 + Hour);
        Assert.Equal(0, rows.Batches);
        Assert.Equal(T0, rows.Get(Item("a").Key)!.AccessedAt);

        store.Get(Item("c").Key, T0 + Hour);

        Assert.Equal(1, rows.Batches);
        Assert.Equal(0, store.PendingTimes);
        Assert.All(new[] { "a", "b", "c" }, n => Assert.Equal(T0 + Hour, rows.Get(Item(n).Key)!.AccessedAt));
    }

    [Fact]
    public void FlushTimes_should_write_pending_times_when_called_before_the_batch_is_full()
    {
        var rows = new CountingStore();
        var store = new LocalStore(rows, new StoreLimits(1000, 1_000_000, 100, AccessFlushCount: 100));
        store.Store(Item(), T0);
        store.Get(Item().Key, T0 + Hour);

        Assert.Equal(1, store.FlushTimes());

        Assert.Equal(T0 + Hour, rows.Get(Item().Key)!.AccessedAt);
        Assert.Equal(0, store.FlushTimes());
    }

    /// <summary>An in-memory store that counts writes.</summary>
    private sealed class CountingStore : IItemStore
    {
        private readonly InMemoryItemStore _inner = new();

        public int Upserts { get; private set; }

        public int Batches { get; private set; }

        public StoredItem? Get(Key key) => _inner.Get(key);

        public void Upsert(StoredItem item)
        {
            Upserts++;
            _inner.Upsert(item);
        }

        public bool Remove(Key key) => _inner.Remove(key);

        public int Count() => _inner.Count();

        public IEnumerable<StoredItem> All() => _inner.All();

        public bool Touch(Key key, DateTimeOffset accessedAt) => _inner.Touch(key, accessedAt);

        public void SetTimes(IReadOnlyCollection<StoredEntry> entries)
        {
            Batches++;
            foreach (var entry in entries)
            {
                if (_inner.Get(entry.Key) is { } row)
                {
                    _inner.Upsert(row with { UpdatedAt = entry.UpdatedAt, AccessedAt = entry.AccessedAt });
                }
            }
        }
    }
}
