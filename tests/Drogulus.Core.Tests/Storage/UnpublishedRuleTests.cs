using Drogulus.Core.Identity;
using Drogulus.Core.Limits;
using Drogulus.Core.Storage;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Storage;

/// <summary>
/// PROTOCOL §10, republish, and the implementation note on puts that reached no peer (docs/PROTOCOL.md): the node's
/// own put that no peer stored is the only copy, so it is no cached copy however many closer nodes the table lists
/// (they did not answer); every pass stores it again until a peer stores it, and then the ordinary rules apply.
/// </summary>
public sealed class UnpublishedRuleTests
{
    private static readonly Func<Key, bool> NoneClose = _ => false;
    private static readonly AddressGroup Peer = AddressGroup.Of("192.0.2.1", exemptPrivate: true);

    private readonly InMemoryItemStore _rows = new();
    private readonly LocalStore _store;

    public UnpublishedRuleTests() => _store = new LocalStore(_rows);

    [Fact]
    public void PlanRepublish_should_republish_an_unpublished_put_when_the_table_knows_closer_nodes_and_it_was_just_stored()
    {
        var item = Item();
        _store.Store(item, T0);
        Assert.True(_store.MarkUnpublished(item.Key, item.Timestamp));

        var plan = _store.PlanRepublish(T0 + TimeSpan.FromMinutes(1), Hour, NoneClose);

        Assert.Equal([item.Key], plan.Republish);
        Assert.Empty(plan.Delete);
        Assert.Equal(0, plan.Skipped);
        Assert.False(_store.IsCached(item.Key));
    }

    [Fact]
    public void PlanRepublish_should_never_delete_an_unpublished_put_for_being_unread()
    {
        var item = Item();
        _store.Store(item, T0);
        _store.MarkUnpublished(item.Key, item.Timestamp);

        for (var hours = 1; hours <= 5; hours++)
        {
            var plan = _store.PlanRepublish(T0 + (hours * Hour), Hour, NoneClose);
            Assert.Equal(0, _store.ApplyDeletions(plan));
            Assert.Equal([item.Key], plan.Republish);
        }

        Assert.NotNull(_store.Peek(item.Key, T0 + (5 * Hour)));
    }

    [Fact]
    public void PlanRepublish_should_delete_an_unpublished_put_when_it_has_expired()
    {
        var item = Item(expires: Seconds(T0 + Hour));
        _store.Store(item, T0);
        _store.MarkUnpublished(item.Key, item.Timestamp);

        var plan = _store.PlanRepublish(T0 + Hour, Hour, NoneClose);

        Assert.Equal(item.Key, Assert.Single(plan.Delete).Key);
        Assert.Empty(plan.Republish);
        Assert.Equal(1, _store.ApplyDeletions(plan));
        Assert.Equal(0, _store.UnpublishedCount);
    }

    [Fact]
    public void MarkPublished_should_return_the_row_to_the_ordinary_rules()
    {
        var item = Item();
        _store.Store(item, T0);
        _store.MarkUnpublished(item.Key, item.Timestamp);

        Assert.True(_store.MarkPublished(item.Key, item.Timestamp));
        Assert.False(_store.MarkPublished(item.Key, item.Timestamp));

        // Now a copy the table says others are closer to: cached, unread for an interval, deleted.
        var plan = _store.PlanRepublish(T0 + (2 * Hour), Hour, NoneClose);
        Assert.Empty(plan.Republish);
        Assert.Equal(item.Key, Assert.Single(plan.Delete).Key);
        Assert.Equal(0, _store.UnpublishedCount);
    }

    [Fact]
    public void MarkUnpublished_should_mark_only_the_version_the_put_was_about()
    {
        var older = Item(timestamp: Seconds(T0));
        var newer = Item(timestamp: Seconds(T0) + 10, value: "new");
        _store.Store(newer, T0);

        Assert.False(_store.MarkUnpublished(older.Key, older.Timestamp));
        Assert.False(_store.MarkUnpublished(Item(name: "absent").Key, older.Timestamp));
        Assert.Equal(0, _store.UnpublishedCount);
        Assert.Empty(_store.PlanRepublish(T0 + TimeSpan.FromMinutes(1), Hour, NoneClose).Republish);
    }

    [Fact]
    public void Store_should_clear_the_mark_when_a_peer_stores_a_newer_version()
    {
        var mine = Item(timestamp: Seconds(T0));
        _store.Store(mine, T0);
        _store.MarkUnpublished(mine.Key, mine.Timestamp);

        var theirs = Item(timestamp: Seconds(T0) + 10, value: "theirs");
        Assert.True(_store.Store(theirs, T0 + TimeSpan.FromMinutes(1), Peer, amongClosest: false).IsStored);

        Assert.Equal(0, _store.UnpublishedCount);
        Assert.False(_rows.Get(mine.Key)!.Unpublished);
        Assert.Empty(_store.PlanRepublish(T0 + TimeSpan.FromMinutes(2), Hour, NoneClose).Republish);
    }

    [Fact]
    public void MarkUnpublished_should_be_written_with_the_row_and_kept_by_a_store_opened_over_it()
    {
        var item = Item();
        _store.Store(item, T0);
        _store.MarkUnpublished(item.Key, item.Timestamp);

        Assert.True(_rows.Get(item.Key)!.Unpublished);
        var reopened = new LocalStore(_rows);
        Assert.Equal(1, reopened.UnpublishedCount);
        Assert.Equal([item.Key], reopened.PlanRepublish(T0 + TimeSpan.FromMinutes(1), Hour, NoneClose).Republish);
    }
}
