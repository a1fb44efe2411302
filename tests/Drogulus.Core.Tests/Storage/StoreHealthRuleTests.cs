using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Limits;
using Drogulus.Core.Storage;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Storage;

/// <summary>Issue 12, health: room for one more largest item, and a write probe that changes nothing.</summary>
public sealed class StoreHealthRuleTests
{
    private readonly InMemoryItemStore _rows = new();

    [Fact]
    public void HasRoomFor_should_be_false_when_the_nodes_own_copies_fill_max_store_bytes()
    {
        var size = ItemSize.Of(Item("a"));
        var store = new LocalStore(_rows, new StoreLimits(1000, 2 * size + size / 2, 100));
        store.Store(Item("a"), T0);
        Assert.True(store.HasRoomFor(size));

        store.Store(Item("b"), T0);

        Assert.False(store.HasRoomFor(size));
        Assert.True(store.HasRoomFor(size / 2));
    }

    [Fact]
    public void HasRoomFor_should_be_true_when_a_strangers_copies_can_give_way()
    {
        var size = ItemSize.Of(Item("a"));
        var store = new LocalStore(_rows, new StoreLimits(1000, 2 * size + size / 2, 100));
        var stranger = AddressGroup.Of("203.0.113.7", exemptPrivate: true);
        store.Store(Item("a"), T0, stranger, amongClosest: true);
        store.Store(Item("b"), T0, stranger, amongClosest: true);

        Assert.True(store.HasRoomFor(size));
    }

    [Fact]
    public void ProbeWrite_should_change_nothing_when_the_store_is_writable()
    {
        var store = new LocalStore(_rows);
        store.Store(Item("a"), T0);
        var before = _rows.Get(Item("a").Key);

        store.ProbeWrite(T0.AddHours(1));

        Assert.Equal(1, _rows.Count());
        Assert.Equal(before, _rows.Get(Item("a").Key));
        Assert.Null(_rows.Get(Key.Zero));
    }

    [Fact]
    public void ProbeWrite_should_throw_when_the_store_refuses_writes()
    {
        var store = new LocalStore(new ReadOnlyStore());

        Assert.Throws<IOException>(() => store.ProbeWrite(T0));
    }

    private sealed class ReadOnlyStore : IItemStore
    {
        public StoredItem? Get(Key key) => null;

        public void Upsert(StoredItem item) => throw new IOException("read-only");

        public bool Remove(Key key) => throw new IOException("read-only");

        public int Count() => 0;

        public IEnumerable<StoredItem> All() => [];

        public bool Touch(Key key, DateTimeOffset accessedAt) => throw new IOException("read-only");
    }
}
