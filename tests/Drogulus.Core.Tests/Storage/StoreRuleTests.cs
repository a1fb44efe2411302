using Drogulus.Core.Limits;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Storage;

public sealed class StoreRuleTests
{
    private readonly InMemoryItemStore _rows = new();
    private readonly LocalStore _store;

    public StoreRuleTests() => _store = new LocalStore(_rows);

    [Fact]
    public void Store_should_store_item_and_answer_pong_when_nothing_is_held_under_key()
    {
        var item = Item();

        var outcome = _store.Store(item, T0);

        Assert.True(outcome.IsStored);
        Assert.Same(StoreDecision.Stored, outcome);
        Assert.Empty(outcome.Details);
        Assert.Equal(new StoredItem(item, T0, T0) { Group = AddressGroup.Local }, _rows.Get(item.Key));
    }

    [Fact]
    public void Store_should_replace_held_item_when_timestamp_is_newer()
    {
        _store.Store(Item(timestamp: 100, value: "old"), T0);
        var newer = Item(timestamp: 100.5, value: "new");

        var outcome = _store.Store(newer, T0 + Hour);

        Assert.True(outcome.IsStored);
        Assert.Same(newer, _rows.Get(newer.Key)!.Item);
        Assert.Equal(T0 + Hour, _rows.Get(newer.Key)!.UpdatedAt);
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public void Store_should_replace_whole_item_when_timestamp_is_equal()
    {
        _store.Store(Item(timestamp: 100, value: "first", meta: new Dictionary<string, string> { ["a"] = "1" }), T0);
        var same = Item(timestamp: 100, value: "second", meta: new Dictionary<string, string> { ["b"] = "2" });

        var outcome = _store.Store(same, T0 + Hour);

        Assert.True(outcome.IsStored);
        var held = _rows.Get(same.Key)!;
        Assert.Same(same, held.Item);
        Assert.Equal(CanonicalMsgPack.Encode("second"), held.Item.Value.ToArray());
        Assert.Equal(new[] { "b" }, held.Item.Meta.Keys);
        Assert.Equal(T0 + Hour, held.UpdatedAt);
    }

    [Fact]
    public void Store_should_refuse_with_superseded_value_and_keep_held_item_when_held_timestamp_is_strictly_newer()
    {
        var held = Item(timestamp: 1350544046.75, value: "held");
        _store.Store(held, T0);

        var outcome = _store.Store(Item(timestamp: 1350544046.5, value: "older"), T0 + Hour);

        Assert.False(outcome.IsStored);
        Assert.Equal(ErrorCode.SupersededValue, outcome.Error);
        var detail = Assert.Single(outcome.Details);
        Assert.Equal(("new_timestamp", "1350544046"), (detail.Key, detail.Value));
        Assert.Equal(new StoredItem(held, T0, T0) { Group = AddressGroup.Local }, _rows.Get(held.Key));
    }

    [Theory]
    [InlineData(1350544046.999, "1350544046")]
    [InlineData(1350544046.0, "1350544046")]
    [InlineData(12.5, "12")]
    [InlineData(-0.5, "0")]
    [InlineData(-7.9, "-7")]
    public void Store_should_report_held_timestamp_truncated_to_whole_seconds_when_refusing_as_superseded(
        double heldTimestamp, string expected)
    {
        _store.Store(Item(timestamp: heldTimestamp), T0);

        var outcome = _store.Store(Item(timestamp: heldTimestamp - 1), T0);

        Assert.Equal(ErrorCode.SupersededValue, outcome.Error);
        Assert.Equal(expected, outcome.Details["new_timestamp"]);
    }

    [Fact]
    public void Store_should_refuse_with_expired_value_and_store_nothing_when_item_has_expired()
    {
        var outcome = _store.Store(Item(expires: Seconds(T0) - 1), T0);

        Assert.Equal(ErrorCode.ExpiredValue, outcome.Error);
        Assert.Empty(outcome.Details);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void Store_should_refuse_with_expired_value_when_expires_equals_now()
    {
        var outcome = _store.Store(Item(expires: Seconds(T0)), T0);

        Assert.Equal(ErrorCode.ExpiredValue, outcome.Error);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void Store_should_keep_held_item_when_replacement_has_expired()
    {
        var held = Item(timestamp: 100);
        _store.Store(held, T0);

        var outcome = _store.Store(Item(timestamp: 200, expires: Seconds(T0)), T0 + Hour);

        Assert.Equal(ErrorCode.ExpiredValue, outcome.Error);
        Assert.Same(held, _rows.Get(held.Key)!.Item);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    public void Store_should_treat_item_as_live_forever_when_expires_is_not_positive(double expires)
    {
        var item = Item(timestamp: 1, expires: expires);
        var farFuture = DateTimeOffset.MaxValue;

        Assert.True(_store.Store(item, T0).IsStored);
        Assert.Same(item, _store.Get(item.Key, farFuture));
        var plan = _store.PlanRepublish(farFuture, Hour, _ => true);
        Assert.Empty(plan.Delete);
        Assert.Equal(item.Key, Assert.Single(plan.Republish));
    }

    [Fact]
    public void Store_should_keep_accessed_at_when_replacing_held_item()
    {
        var first = Item(timestamp: 1);
        _store.Store(first, T0);
        _store.Get(first.Key, T0 + Hour);

        _store.Store(Item(timestamp: 2), T0 + 2 * Hour);

        var row = _rows.Get(first.Key)!;
        Assert.Equal(T0 + 2 * Hour, row.UpdatedAt);
        Assert.Equal(T0 + Hour, row.AccessedAt);
    }
}
