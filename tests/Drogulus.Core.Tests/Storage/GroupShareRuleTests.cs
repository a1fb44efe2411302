using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Limits;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Storage;

/// <summary>
/// PROTOCOL §6 (third edition), store row: every copy is charged to the address group that stored it; a full
/// store evicts from the group holding the most bytes (cached before close, least recently used first) only
/// while the storing group holds less; close or cached is decided when the copy is stored.
/// </summary>
public sealed class GroupShareRuleTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly AddressGroup Junk = AddressGroup.Of("203.0.113.7", exemptPrivate: true);
    private static readonly AddressGroup Junk2 = AddressGroup.Of("198.51.100.9", exemptPrivate: true);
    private static readonly AddressGroup Honest = AddressGroup.Of("192.0.2.1", exemptPrivate: true);
    private static readonly long Size = ItemSize.Of(It("j0"));

    private readonly InMemoryItemStore _rows = new();

    [Fact]
    public void Store_should_charge_each_copy_to_the_group_that_stored_it_when_groups_differ()
    {
        var store = Store(maxItems: 10);

        store.Store(It("j0"), T0, Junk, amongClosest: true);
        store.Store(It("j1"), T0, Junk, amongClosest: true);
        store.Store(It("h0"), T0, Honest, amongClosest: true);
        store.Store(It("own"), T0);

        Assert.Equal(2 * Size, store.BytesOf(Junk));
        Assert.Equal(Size, store.BytesOf(Honest));
        Assert.Equal(Size, store.BytesOf(AddressGroup.Local));
        Assert.Equal(Honest, _rows.Get(It("h0").Key)!.Group);
        Assert.Equal(AddressGroup.Local, _rows.Get(It("own").Key)!.Group);
    }

    [Fact]
    public void Store_should_move_the_charge_to_the_new_group_when_another_group_replaces_a_copy()
    {
        var store = Store(maxItems: 10);
        store.Store(It("a", timestamp: 1350544046), T0, Junk, amongClosest: true);

        store.Store(It("a", timestamp: 1350544047), T0, Honest, amongClosest: true);

        Assert.Equal(0, store.BytesOf(Junk));
        Assert.Equal(Size, store.BytesOf(Honest));
    }

    [Fact]
    public void Store_should_evict_close_copies_of_the_largest_group_when_a_smaller_group_stores_into_a_full_store()
    {
        var store = Store(maxItems: 4);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(store.Store(It("j" + i), T0 + (i * Minute), Junk, amongClosest: true).IsStored);
        }

        var outcome = store.Store(It("h0"), T0 + (5 * Minute), Honest, amongClosest: true);

        Assert.True(outcome.IsStored);
        Assert.Null(_rows.Get(It("j0").Key)); // the least recently used of the junk
        Assert.Equal(3 * Size, store.BytesOf(Junk));
        Assert.True(store.TotalBytes <= store.Limits.MaxStoreBytes);
    }

    [Fact]
    public void Store_should_evict_the_largest_groups_cached_copies_before_its_close_ones_when_the_store_is_full()
    {
        var store = Store(maxItems: 4);
        store.Store(It("j-close-old"), T0, Junk, amongClosest: true);
        store.Store(It("j-cached-new"), T0 + Minute, Junk, amongClosest: false);
        store.Store(It("j-close"), T0 + Minute, Junk, amongClosest: true);
        store.Store(It("j-cached-newer"), T0 + (2 * Minute), Junk, amongClosest: false);

        Assert.True(store.Store(It("h0"), T0 + (3 * Minute), Honest, amongClosest: true).IsStored);

        Assert.Null(_rows.Get(It("j-cached-new").Key));
        Assert.NotNull(_rows.Get(It("j-close-old").Key));
        Assert.NotNull(_rows.Get(It("j-cached-newer").Key));
    }

    [Fact]
    public void Store_should_evict_from_the_group_holding_the_most_bytes_when_several_groups_fill_the_store()
    {
        var store = Store(maxItems: 5);
        store.Store(It("a0"), T0, Junk2, amongClosest: false);
        store.Store(It("j0"), T0 + Minute, Junk, amongClosest: true);
        store.Store(It("j1"), T0 + Minute, Junk, amongClosest: true);
        store.Store(It("j2"), T0 + Minute, Junk, amongClosest: true);
        store.Store(It("h0"), T0, Honest, amongClosest: true);

        Assert.True(store.Store(It("h1"), T0 + (2 * Minute), Honest, amongClosest: true).IsStored);

        // Junk2's copy is older and cached, but Junk holds the most bytes.
        Assert.NotNull(_rows.Get(It("a0").Key));
        Assert.Equal(2 * Size, store.BytesOf(Junk));
    }

    [Fact]
    public void Store_should_refuse_with_storage_full_when_the_storing_group_holds_as_much_as_the_largest()
    {
        var store = Store(maxItems: 4);
        store.Store(It("j0"), T0, Junk, amongClosest: false);
        store.Store(It("j1"), T0, Junk, amongClosest: false);
        store.Store(It("k0"), T0, Junk2, amongClosest: false);
        store.Store(It("k1"), T0, Junk2, amongClosest: false);

        var outcome = store.Store(It("k2"), T0 + Minute, Junk2, amongClosest: true);

        Assert.Equal(ErrorCode.StorageFull, outcome.Error);
        Assert.Equal(4, store.Count);
        Assert.Null(_rows.Get(It("k2").Key));
    }

    [Fact]
    public void Store_should_stop_evicting_when_the_largest_group_would_fall_below_the_storing_group()
    {
        var store = Store(maxItems: 4);
        store.Store(It("j0"), T0, Junk, amongClosest: true);
        store.Store(It("j1"), T0, Junk, amongClosest: true);
        store.Store(It("h0"), T0, Honest, amongClosest: true);
        store.Store(It("h1"), T0, Honest, amongClosest: true);
        var big = It("h-big", value: new string('x', (int)(2 * Size)));

        // Room for the big copy needs both of Junk's copies, but after one Junk holds less than Honest.
        var outcome = store.Store(big, T0 + Minute, Honest, amongClosest: true);

        Assert.Equal(ErrorCode.StorageFull, outcome.Error);
        Assert.Equal(2 * Size, store.BytesOf(Junk));
    }

    [Fact]
    public void Store_should_always_fit_a_group_below_its_share_when_one_group_fills_the_store()
    {
        var store = Store(maxItems: 20);
        var refused = 0;
        for (var i = 0; i < 100; i++)
        {
            store.Store(It("junk" + i), T0 + TimeSpan.FromSeconds(i), Junk, amongClosest: true);
            if (i % 10 == 0 && !store.Store(It("honest" + i), T0 + TimeSpan.FromSeconds(i), Honest, amongClosest: true).IsStored)
            {
                refused++;
            }
        }

        // Ten honest copies are the honest group's fair half of twenty: each one fitted, and junk keeps the other half.
        Assert.Equal(0, refused);
        Assert.Equal(10 * Size, store.BytesOf(Honest));
        Assert.Equal(10 * Size, store.BytesOf(Junk));
        Assert.Equal(ErrorCode.StorageFull, store.Store(It("honest-more"), T0 + Hour, Honest, amongClosest: true).Error);
    }

    [Fact]
    public void Store_should_make_a_copy_cached_at_once_when_the_node_is_not_among_the_closest()
    {
        var store = Store(maxItems: 10);

        store.Store(It("far"), T0, Junk, amongClosest: false);
        store.Store(It("near"), T0, Junk, amongClosest: true);

        Assert.True(store.IsCached(It("far").Key));
        Assert.False(store.IsCached(It("near").Key));
        Assert.True(_rows.Get(It("far").Key)!.Cached);
    }

    [Fact]
    public void LocalStore_should_rebuild_group_shares_and_standing_when_reopened_over_its_rows()
    {
        var first = Store(maxItems: 10);
        first.Store(It("j0"), T0, Junk, amongClosest: false);
        first.Store(It("h0"), T0, Honest, amongClosest: true);

        var reopened = Store(maxItems: 10);

        Assert.Equal(Size, reopened.BytesOf(Junk));
        Assert.Equal(Size, reopened.BytesOf(Honest));
        Assert.True(reopened.IsCached(It("j0").Key));
        Assert.False(reopened.IsCached(It("h0").Key));
    }

    // Every name padded to the same length, so that every copy has the same size.
    private static SignedItem It(string name, double timestamp = 1350544046, string value = "v") =>
        Item(name.PadRight(16, '_'), timestamp, value: value);

    private LocalStore Store(int maxItems) => new(_rows, new StoreLimits(1000, maxItems * Size, 1000));
}
