using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Testing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Storage;

/// <summary>
/// PROTOCOL §10 republish: one pass every <c>replicate-interval</c> deletes expired items and stores live ones
/// again. Each node's first pass comes after a seeded random part of the interval (so that nodes started
/// together do not republish in lockstep), and an item stored within the last interval is skipped, so an
/// item is stored again after more than one interval and at most two.
/// </summary>
public sealed class RepublishTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    private static readonly TimeSpan OneTick = TimeSpan.FromMilliseconds(1);

    // Refresh is pushed past the horizon of these specs so that only the republish pass talks to peers.
    private readonly DrogulusSettings _settings = DrogulusConfig.SettingsFrom("drogulus { k = 4, replicate-interval = 1h, refresh-interval = 5h }");
    private readonly MemoryNetwork _network = new();
    private readonly TestNode _node;
    private readonly double _now;

    public RepublishTests()
        : base(VirtualTime.Config)
    {
        _node = TestNode.Start(this, _network, _settings);
        _now = Sys.Scheduler.Now.ToUnixTimeSeconds();
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void Republish_should_store_a_held_item_again_at_a_peer_after_one_and_within_two_replicate_intervals()
    {
        var peer = new RawPeer(this, _network, Key.Random(new Random(31)));
        peer.Introduce(_node.Transport);
        var item = SignedItem.Create(Publisher, "kept", "v", _now, 0);
        peer.ExpectReply<PongMessage>(peer.Send(_node.Transport, new StoreMessage("", default, 0, "", item)));

        Scheduler.Advance(_settings.ReplicateInterval - OneTick);
        peer.Probe.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(_settings.ReplicateInterval);

        var (find, from) = peer.ExpectRequest<FindNodeMessage>();
        Assert.Equal(item.Key, find.Target);
        peer.Reply(from, find, new NodesMessage("", default, 0, "", []));
        var (store, _) = peer.ExpectRequest<StoreMessage>();
        Assert.Equal(item, store.Item);
        Assert.Equal(1, _node.Status().Items);
    }

    [Fact]
    public void Republish_should_delete_an_expired_item_and_keep_a_live_one_when_the_pass_runs()
    {
        _node.Node.Tell(new Put(SignedItem.Create(Publisher, "short-lived", "v", _now, _now + 1800)), TestActor);
        ExpectMsg<PutCompleted>();
        _node.Node.Tell(new Put(SignedItem.Create(Publisher, "forever", "v", _now, 0)), TestActor);
        ExpectMsg<PutCompleted>();

        Scheduler.Advance(TimeSpan.FromMinutes(30) - OneTick);
        Assert.Equal(2, _node.Status().Items);
        Scheduler.Advance(_settings.ReplicateInterval + _settings.ReplicateInterval);

        AwaitAssert(() => Assert.Equal(1, _node.Status().Items));
        _node.Node.Tell(new Get(Publisher.KeyFor("forever")), TestActor);
        ExpectMsg<ValueFound>();
    }
}
