using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Testing.Tests;

/// <summary>What the TestKit promises: seeded ids, store access, refresh and republish on demand, who answered a get and where its cached copy went.</summary>
public sealed class TestKitTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    public TestKitTests()
        : base(VirtualTime.Config)
    {
    }

    [Fact]
    public void Seeded_identity_should_give_the_same_node_id_for_a_seed_and_another_for_another_seed()
    {
        using var first = SeededIdentity.Create(42);
        using var again = SeededIdentity.Create(42);
        using var other = SeededIdentity.Create(43);

        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.Id, other.Id);
        Assert.Equal(first.Id, NodeIdentity.IdOf(first.Certificate));
    }

    [Fact]
    public void Test_network_should_start_joined_nodes_with_the_ids_of_its_seed()
    {
        var network = TestNetwork.Start(this, 4, DrogulusConfig.SettingsFrom("drogulus.k = 4"), seed: 3, name: "a");
        var twin = TestNetwork.Start(this, 4, DrogulusConfig.SettingsFrom("drogulus.k = 4"), seed: 3, name: "b");

        Assert.Equal(network.Nodes.Select(n => n.Id), twin.Nodes.Select(n => n.Id));
        Assert.Equal(4, network.Nodes.Select(n => n.Id).Distinct().Count());
        Assert.All(network.Nodes, n => Assert.Equal(3, n.Status().Contacts));
    }

    [Fact]
    public void Get_should_name_the_peer_that_answered_and_the_node_that_got_the_cached_copy_when_the_lookup_passed_a_non_holder()
    {
        // reader knows only middle; middle knows the raw peer, which holds the item. The lookup asks middle
        // (nodes), then the peer (value), and caches the item at middle, the closest node that answered without it.
        var settings = DrogulusConfig.SettingsFrom("drogulus { k = 2, alpha = 1 }");
        var network = TestNetwork.Start(this, 2, settings, seed: 11);
        var (reader, middle) = (network[1], network[0]);
        using var holder = network.AddRawPeer();
        holder.Introduce(middle);
        var item = SignedItem.Create(Publisher, "cached", "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);

        reader.Node.Tell(new Get(item.Key), TestActor);
        var (find, from) = holder.ExpectRequest<FindValueMessage>();
        holder.Reply(from, find, new ValueMessage("", default, 0, "", item));

        var found = ExpectMsg<ValueFound>();
        Assert.Equal(holder.Id, found.AnsweredBy);
        Assert.Equal(middle.Id, found.CachedAt);
        AwaitAssert(() => Assert.True(middle.LocalItems().Holds(item.Key)));
        var copy = Assert.Single(middle.LocalItems().Copies);
        var closer = new[] { reader.Id, holder.Id }.Count(id => item.Key.CompareDistance(id, middle.Id) < 0);
        Assert.Equal(closer < settings.K, copy.IsClose);
    }

    [Fact]
    public void Get_should_name_the_reading_node_and_no_cached_copy_when_its_local_store_answers()
    {
        var network = TestNetwork.Start(this, 1, seed: 12);
        var item = SignedItem.Create(Publisher, "local", "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
        Assert.IsType<PutCompleted>(network[0].Put(item));

        var found = Assert.IsType<ValueFound>(network[0].Get(item.Key));

        Assert.Equal(network[0].Id, found.AnsweredBy);
        Assert.Null(found.CachedAt);
    }

    [Fact]
    public void Local_items_should_mark_a_copy_cached_when_k_known_nodes_are_closer_to_its_key()
    {
        // k = 1: a node holding an item whose key is closer to the other node than to itself holds a cached copy.
        var network = TestNetwork.Start(this, 2, DrogulusConfig.SettingsFrom("drogulus { k = 1, alpha = 1 }"), seed: 13);
        using var peer = network.AddRawPeer();
        var item = SignedItem.Create(Publisher, "where", "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
        var closest = network.ClosestTo(item.Key, 1)[0];
        var farther = network.Nodes.Single(n => n != closest);

        // With reply port 0 the peer accepts no connections, so it does not become a contact that could be closer.
        peer.ExpectReply<PongMessage>(peer.Send(closest, new StoreMessage("", default, 0, "", item), replyPort: 0));
        peer.ExpectReply<PongMessage>(peer.Send(farther, new StoreMessage("", default, 0, "", item), replyPort: 0));

        Assert.Equal(item, Assert.Single(closest.LocalItems().Close).Item);
        Assert.Empty(closest.LocalItems().Cached);
        Assert.Equal(item, Assert.Single(farther.LocalItems().Cached).Item);
        Assert.Empty(farther.LocalItems().Close);
    }

    [Fact]
    public void Refresh_should_look_up_one_id_per_bucket_now_when_every_bucket_is_asked_for_and_none_when_none_is_stale()
    {
        var network = TestNetwork.Start(this, 3, DrogulusConfig.SettingsFrom("drogulus { refresh-timeout = 1h }"), seed: 14);

        Assert.Empty(network[0].Refresh());
        var replies = network[0].Refresh(allBuckets: true);

        Assert.Equal(network[0].Status().Buckets, replies.Count);
        Assert.All(replies, r => Assert.IsType<NodesFound>(r));
    }

    [Fact]
    public void Refresh_should_send_a_findnode_to_a_raw_peer_when_its_bucket_has_gone_stale()
    {
        var network = TestNetwork.Start(this, 1, DrogulusConfig.SettingsFrom("drogulus { refresh-timeout = 10m, refresh-interval = 1h }"), seed: 15);
        using var peer = network.AddRawPeer();
        peer.Introduce(network[0]);
        network.Advance(TimeSpan.FromMinutes(10));

        network[0].Node.Tell(new TriggerRefresh(), TestActor);

        Assert.Single(ExpectMsg<RefreshStarted>().Targets);
        var (find, from) = peer.ExpectRequest<FindNodeMessage>();
        peer.Reply(from, find, new NodesMessage("", default, 0, "", []));
        Assert.IsType<NodesFound>(ExpectMsg<IFindNodesReply>());
    }

    [Fact]
    public void Republish_should_store_an_item_again_at_its_other_holder_and_report_the_pass_when_triggered()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { k = 2, alpha = 2, replicate-interval = 1h }");
        var network = TestNetwork.Start(this, 2, settings, seed: 16);
        using var peer = network.AddRawPeer();
        var item = SignedItem.Create(Publisher, "again", "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
        peer.ExpectReply<PongMessage>(peer.Send(network[0], new StoreMessage("", default, 0, "", item), replyPort: 0));

        Assert.Equal(new RepublishCompleted(0, 1, 0), network[0].Republish());   // stored within the interval: skipped
        Assert.False(network[1].LocalItems().Holds(item.Key));
        network.Advance(settings.ReplicateInterval);
        var pass = network[0].Republish();

        Assert.Equal(1, pass.Republished);
        Assert.True(network[1].LocalItems().Holds(item.Key));
    }

    [Fact]
    public void Raw_peer_should_get_error_7_for_an_item_under_another_key_and_error_1_for_a_frame_that_does_not_decode()
    {
        var network = TestNetwork.Start(this, 1, seed: 17);
        using var peer = network.AddRawPeer();
        var item = SignedItem.Create(Publisher, "key", "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);

        var mismatch = Assert.IsType<ErrorMessage>(peer.Store(network[0], BadItems.UnderKey(item, Key.Zero)));
        peer.SendRaw(network[0], [0xc1, 0x00, 0x01]);
        var garbage = Assert.IsType<ErrorMessage>(peer.ExpectAnyReply());

        Assert.Equal(ErrorCode.KeyMismatch, mismatch.Code);
        Assert.Equal(ErrorCode.BadRequest, garbage.Code);
        Assert.Empty(network[0].LocalItems().Copies);
    }
}
