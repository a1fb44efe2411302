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

    // The list stands for the k closest ids in the node's buckets, so k is its length unless given.
    private IReadOnlyList<SignedItem> HandOver(Key newcomer, Key ownId, params long[] closestDistances) =>
        HandOverWithK(closestDistances.Length, newcomer, ownId, closestDistances);

    private IReadOnlyList<SignedItem> HandOverWithK(int k, Key newcomer, Key ownId, params long[] closestDistances) =>
        _store.HandOverTo(newcomer, _ => closestDistances.Select(Id).ToArray(), k, ownId, T0);

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

        var sent = store.HandOverTo(newcomer, _ => [newcomer], 20, AtDistance(item.Key, 10), T0 + Hour);

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
            20,
            ownId,
            T0);

        Assert.Same(_item, Assert.Single(sent));
    }

    [Fact]
    public void HandOverTo_should_send_item_when_newcomer_is_in_no_bucket_but_among_k_closest()
    {
        // A newcomer whose bucket was full sits in the replacement cache, so the bucket list lacks it.
        Assert.Same(_item, Assert.Single(HandOver(newcomer: Id(35), ownId: Id(10), 20, 30, 40)));
    }

    [Fact]
    public void HandOverTo_should_not_send_item_when_newcomer_is_in_no_bucket_and_k_known_nodes_are_closer()
    {
        Assert.Empty(HandOver(newcomer: Id(45), ownId: Id(10), 20, 30, 40));
    }

    [Fact]
    public void HandOverTo_should_send_item_when_node_knows_fewer_than_k_nodes()
    {
        Assert.Same(_item, Assert.Single(HandOverWithK(20, newcomer: Id(90), ownId: Id(10), 20, 30)));
    }

    [Fact]
    public void ShouldHandOver_should_refuse_k_below_one_and_own_id_as_newcomer()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LocalStore.ShouldHandOver(_item.Key, Id(30), [], 0, Id(10)));
        Assert.False(LocalStore.ShouldHandOver(_item.Key, Id(10), [], 20, Id(10)));
        Assert.True(LocalStore.ShouldHandOver(_item.Key, Id(30), [], 20, Id(10)));
    }
}
