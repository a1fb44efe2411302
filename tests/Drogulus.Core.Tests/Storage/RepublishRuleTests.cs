using Drogulus.Core.Identity;
using Drogulus.Core.Limits;
using Drogulus.Core.Storage;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Storage;

public sealed class RepublishRuleTests
{
    private static readonly Func<Key, bool> AllClose = _ => true;
    private static readonly Func<Key, bool> NoneClose = _ => false;

    private readonly InMemoryItemStore _rows = new();
    private readonly LocalStore _store;

    public RepublishRuleTests() => _store = new LocalStore(_rows);

    [Fact]
    public void PlanRepublish_should_delete_item_when_item_has_expired()
    {
        var item = Item(expires: Seconds(T0 + Hour));
        _store.Store(item, T0);

        var plan = _store.PlanRepublish(T0 + Hour, Hour, AllClose);

        Assert.Equal(item.Key, Assert.Single(plan.Delete).Key);
        Assert.Empty(plan.Republish);
    }

    [Fact]
    public void PlanRepublish_should_delete_item_when_item_has_expired_even_if_updated_recently()
    {
        var item = Item(expires: Seconds(T0) + 60);
        _store.Store(item, T0);

        var plan = _store.PlanRepublish(T0 + TimeSpan.FromMinutes(2), Hour, AllClose);

        Assert.Single(plan.Delete);
        Assert.Equal(0, plan.Skipped);
    }

    [Fact]
    public void PlanRepublish_should_skip_item_when_updated_by_store_within_last_replicate_interval()
    {
        _store.Store(Item(), T0);

        var plan = _store.PlanRepublish(T0 + Hour - TimeSpan.FromMilliseconds(1), Hour, AllClose);

        Assert.Empty(plan.Republish);
        Assert.Empty(plan.Delete);
        Assert.Equal(1, plan.Skipped);
    }

    [Fact]
    public void PlanRepublish_should_republish_item_when_last_update_is_a_replicate_interval_old_or_older()
    {
        var item = Item();
        _store.Store(item, T0);

        Assert.Equal(item.Key, Assert.Single(_store.PlanRepublish(T0 + Hour, Hour, AllClose).Republish));
        Assert.Equal(item.Key, Assert.Single(_store.PlanRepublish(T0 + 5 * Hour, Hour, AllClose).Republish));
    }

    [Fact]
    public void PlanRepublish_should_not_republish_cached_copy_when_node_is_not_among_closest()
    {
        var item = Item();
        _store.Store(item, T0);
        _store.Get(item.Key, T0 + 2 * Hour);

        var plan = _store.PlanRepublish(T0 + 2 * Hour + TimeSpan.FromMinutes(1), Hour, NoneClose);

        Assert.Empty(plan.Republish);
        Assert.Empty(plan.Delete);
        Assert.Equal(1, plan.Skipped);
    }

    [Fact]
    public void PlanRepublish_should_delete_cached_copy_when_neither_updated_nor_read_for_a_replicate_interval()
    {
        var item = Item();
        _store.Store(item, T0);
        _store.Get(item.Key, T0 + Hour);

        var plan = _store.PlanRepublish(T0 + 2 * Hour, Hour, NoneClose);

        Assert.Equal(item.Key, Assert.Single(plan.Delete).Key);
        Assert.Empty(plan.Republish);
    }

    [Fact]
    public void PlanRepublish_should_keep_cached_copy_when_read_within_last_replicate_interval()
    {
        var item = Item();
        _store.Store(item, T0);
        _store.Get(item.Key, T0 + 3 * Hour);

        var plan = _store.PlanRepublish(T0 + 4 * Hour - TimeSpan.FromMilliseconds(1), Hour, NoneClose);

        Assert.Empty(plan.Delete);
        Assert.Empty(plan.Republish);
    }

    [Fact]
    public void PlanRepublish_should_keep_cached_copy_when_updated_within_last_replicate_interval()
    {
        _store.Store(Item(), T0);

        var plan = _store.PlanRepublish(T0 + TimeSpan.FromMinutes(59), Hour, NoneClose);

        Assert.Empty(plan.Delete);
        Assert.Empty(plan.Republish);
    }

    [Fact]
    public void PlanRepublish_should_never_delete_item_at_closest_nodes_for_being_unread()
    {
        var item = Item();
        _store.Store(item, T0);

        for (var hours = 1; hours <= 48; hours++)
        {
            var plan = _store.PlanRepublish(T0 + hours * Hour, Hour, AllClose);
            Assert.Empty(plan.Delete);
            Assert.Equal(item.Key, Assert.Single(plan.Republish));
        }
    }

    [Fact]
    public void PlanRepublish_should_ask_closeness_per_key_when_items_are_mixed()
    {
        var close = Item(name: "close");
        var cached = Item(name: "cached");
        var fresh = Item(name: "fresh");
        var dead = Item(name: "dead", expires: Seconds(T0) + 1);
        _store.Store(close, T0);
        _store.Store(cached, T0);
        _store.Store(dead, T0);
        _store.Store(fresh, T0 + 2 * Hour);

        var plan = _store.PlanRepublish(T0 + 2 * Hour, Hour, key => key != cached.Key);

        Assert.Equal(close.Key, Assert.Single(plan.Republish));
        Assert.Equal(new[] { cached.Key, dead.Key }.Order(), plan.Delete.Select(r => r.Key).Order());
        Assert.Equal(1, plan.Skipped);
    }

    [Fact]
    public void PlanRepublish_should_change_nothing_when_only_planning()
    {
        var item = Item(expires: Seconds(T0) + 1);
        _store.Store(item, T0);

        _store.PlanRepublish(T0 + Hour, Hour, AllClose);

        Assert.Equal(new StoredItem(item, T0, T0) { Group = AddressGroup.Local }, _rows.Get(item.Key));
    }

    [Fact]
    public void ApplyDeletions_should_delete_planned_rows_when_they_are_unchanged()
    {
        _store.Store(Item(name: "a", expires: Seconds(T0) + 1), T0);
        _store.Store(Item(name: "b"), T0);
        var plan = _store.PlanRepublish(T0 + Hour, Hour, NoneClose);

        Assert.Equal(2, _store.ApplyDeletions(plan));
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void ApplyDeletions_should_keep_row_when_stored_or_read_after_planning()
    {
        var stored = Item(name: "stored");
        var read = Item(name: "read");
        var untouched = Item(name: "untouched");
        _store.Store(stored, T0);
        _store.Store(read, T0);
        _store.Store(untouched, T0);
        var plan = _store.PlanRepublish(T0 + Hour, Hour, NoneClose);

        _store.Store(Item(name: "stored", timestamp: stored.Timestamp + 1), T0 + Hour);
        _store.Get(read.Key, T0 + Hour);

        Assert.Equal(1, _store.ApplyDeletions(plan));
        Assert.NotNull(_rows.Get(stored.Key));
        Assert.NotNull(_rows.Get(read.Key));
        Assert.Null(_rows.Get(untouched.Key));
    }

    [Fact]
    public void PlanRepublish_should_read_no_value_when_it_plans_a_pass_and_Peek_reads_one_at_a_time()
    {
        var rows = new ReadCountingStore();
        var store = new LocalStore(rows);
        var items = Enumerable.Range(0, 5).Select(i => Item($"item {i}")).ToArray();
        foreach (var item in items)
        {
            store.Store(item, T0);
        }

        var plan = store.PlanRepublish(T0 + Hour, Hour, AllClose);

        Assert.Equal(items.Select(i => i.Key).Order(), plan.Republish.Order());
        Assert.Equal(0, rows.Reads);
        Assert.Equal(items[2], store.Peek(plan.Republish.Single(k => k == items[2].Key), T0 + Hour));
        Assert.Equal(1, rows.Reads);
    }

    private sealed class ReadCountingStore : IItemStore
    {
        private readonly InMemoryItemStore _inner = new();

        public int Reads { get; private set; }

        public StoredItem? Get(Key key)
        {
            Reads++;
            return _inner.Get(key);
        }

        public void Upsert(StoredItem item) => _inner.Upsert(item);

        public bool Remove(Key key) => _inner.Remove(key);

        public int Count() => _inner.Count();

        public IEnumerable<StoredItem> All()
        {
            Reads += _inner.Count();
            return _inner.All();
        }

        public bool Touch(Key key, DateTimeOffset accessedAt) => _inner.Touch(key, accessedAt);
    }
}
