using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Storage;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Storage;

public sealed class HandOverRuleTests
{
    private readonly LocalStore _store = new(new InMemoryItemStore());
    private readonly SignedItem _item = Item();

    public HandOverRuleTests() => _store.Store(_item, T0);

    private Key Id(long distance) => AtDistance(_item.Key, distance);

    private IReadOnlyList<SignedItem> HandOver(Key newcomer, Key ownId, params long[] closestDistances) =>
        _store.HandOverTo(newcomer, _ => closestDistances.Select(Id).ToArray(), ownId, T0);

    [Fact]
    public void HandOverTo_should_send_item_when_newcomer_is_among_k_closest_and_node_is_closer_than_every_known_node()
    {
        var sent = HandOver(newcomer: Id(30), ownId: Id(10), 20, 30, 40);

        Assert.Same(_item, Assert.Single(sent));
    }

    [Fact]
    public void HandOverTo_should_not_send_item_when_newcomer_is_not_among_k_closest()
    {
        Assert.Empty(HandOver(newcomer: Id(50), ownId: Id(10), 20, 30, 40));
    }

    [Fact]
    public void HandOverTo_should_not_send_item_when_another_known_node_is_closer_than_node()
    {
        Assert.Empty(HandOver(newcomer: Id(30), ownId: Id(25), 20, 30, 40));
    }

    [Fact]
    public void HandOverTo_should_send_item_when_newcomer_is_closer_than_node()
    {
        // The newcomer is not compared against: the node was the closest holder before it arrived.
        Assert.Same(_item, Assert.Single(HandOver(newcomer: Id(5), ownId: Id(10), 5, 20, 30)));
    }

    [Fact]
    public void HandOverTo_should_not_send_item_when_a_known_node_other_than_newcomer_is_closer()
    {
        Assert.Empty(HandOver(newcomer: Id(30), ownId: Id(10), 5, 20, 30));
    }

    [Fact]
    public void HandOverTo_should_ignore_own_id_when_listed_among_closest()
    {
        var sent = HandOver(newcomer: Id(30), ownId: Id(10), 10, 20, 30);

        Assert.Same(_item, Assert.Single(sent));
    }

    [Fact]
    public void HandOverTo_should_send_nothing_when_newcomer_is_node_itself()
    {
        Assert.Empty(HandOver(newcomer: Id(10), ownId: Id(10), 10, 20));
    }

    [Fact]
    public void HandOverTo_should_not_send_item_when_item_has_expired()
    {
        var store = new LocalStore(new InMemoryItemStore());
        var item = Item(expires: Seconds(T0) + 1);
        store.Store(item, T0);
        var newcomer = AtDistance(item.Key, 30);

        var sent = store.HandOverTo(newcomer, _ => [newcomer], AtDistance(item.Key, 10), T0 + Hour);

        Assert.Empty(sent);
    }

    [Fact]
    public void HandOverTo_should_decide_per_item_when_several_items_are_held()
    {
        var other = Item(name: "other");
        _store.Store(other, T0);
        var ownId = Id(10);
        var newcomer = Id(30);

        // For _item the node is closest; for the other key a known node lies between it and the node.
        var sent = _store.HandOverTo(
            newcomer,
            key => key == _item.Key ? [newcomer] : [AtDistance(other.Key, (long)1), newcomer],
            ownId,
            T0);

        Assert.Same(_item, Assert.Single(sent));
    }
}
