using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Node;

/// <summary>
/// PROTOCOL §10, republish, with the implementation note on puts that reached no peer (docs/PROTOCOL.md): a put
/// made while no peer answers is held by the node alone (<see cref="PutCompleted.StoredOnlyLocally"/>); every
/// republish pass stores it again, even within the interval of its store, until a peer stores it, and from then on
/// the ordinary rules apply. Virtual time; the node's only contact is a raw peer that answers only when told.
/// </summary>
public sealed class UnpublishedPutTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();
    private static readonly DrogulusSettings Settings = DrogulusConfig.SettingsFrom("drogulus.k = 4");

    private readonly MemoryNetwork _network = new();
    private readonly IActorRef _node;
    private readonly RawPeer _peer;

    public UnpublishedPutTests()
        : base(VirtualTime.Config)
    {
        var identity = NodeIdentity.Generate(Sys.Scheduler.Now);
        _node = Sys.ActorOf(NodeActor.Props(Settings, identity, _network, seed: 3), "node");
        var status = TestNode.StatusOf(this, _node);
        var port = int.Parse(status.Endpoint[(status.Endpoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(_network.TryResolve(MemoryNetwork.Host, port, out _, out var transport));
        _peer = new RawPeer(this, _network, Key.Random(new Random(8)));
        _peer.Introduce(transport);
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void Republish_should_store_a_put_that_reached_no_peer_again_until_a_peer_stores_it()
    {
        var item = SignedItem.Create(Publisher, "cut-off", "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
        _node.Tell(new Put(item));
        _peer.ExpectRequest<FindNodeMessage>(); // the peer stays silent: the node is cut off
        Scheduler.Advance(Settings.RequestTimeout);
        Assert.True(ExpectMsg<PutCompleted>().StoredOnlyLocally);

        // The peer answers again. The item was stored less than an interval ago, which would skip it (some other
        // holder republished it), but there is no other holder: the pass stores it again.
        _node.Tell(TriggerRepublish.Instance);
        var (find, findFrom) = _peer.ExpectRequest<FindNodeMessage>();
        _peer.Reply(findFrom, find, new NodesMessage("", default, 0, "", []));
        var (store, storeFrom) = _peer.ExpectRequest<StoreMessage>();
        Assert.Equal(item, store.Item);
        _peer.Reply(storeFrom, store, new PongMessage("", default, 0, ""));
        Assert.Equal(1, ExpectMsg<RepublishCompleted>().Republished);

        // A peer holds it now: the ordinary rule applies again, and a copy stored within the interval is skipped.
        _node.Tell(TriggerRepublish.Instance);
        var next = ExpectMsg<RepublishCompleted>();
        Assert.Equal(0, next.Republished);
        Assert.Equal(1, next.Skipped);
        _peer.ExpectNoFrame();
    }

    [Fact]
    public void Republish_should_keep_storing_a_put_that_reached_no_peer_while_no_peer_answers()
    {
        var item = SignedItem.Create(Publisher, "still-cut-off", "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
        _node.Tell(new Put(item));
        _peer.ExpectRequest<FindNodeMessage>();
        Scheduler.Advance(Settings.RequestTimeout);
        Assert.True(ExpectMsg<PutCompleted>().StoredOnlyLocally);

        for (var pass = 0; pass < 2; pass++)
        {
            _node.Tell(TriggerRepublish.Instance);
            _peer.ExpectRequest<FindNodeMessage>(); // silent again: the republish reaches nobody
            Scheduler.Advance(Settings.RequestTimeout);
            Assert.Equal(1, ExpectMsg<RepublishCompleted>().Republished);
        }

        // Still held, and still the only copy.
        _node.Tell(new Get(item.Key));
        Assert.Equal(item, ExpectMsg<ValueFound>().Item);
    }

    [Fact]
    public void Put_should_leave_no_mark_when_a_peer_stored_the_item()
    {
        var item = SignedItem.Create(Publisher, "reached", "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
        _node.Tell(new Put(item));
        var (find, findFrom) = _peer.ExpectRequest<FindNodeMessage>();
        _peer.Reply(findFrom, find, new NodesMessage("", default, 0, "", []));
        var (store, storeFrom) = _peer.ExpectRequest<StoreMessage>();
        _peer.Reply(storeFrom, store, new PongMessage("", default, 0, ""));
        Assert.False(ExpectMsg<PutCompleted>().StoredOnlyLocally);

        _node.Tell(TriggerRepublish.Instance);
        Assert.Equal(1, ExpectMsg<RepublishCompleted>().Skipped);
        _peer.ExpectNoFrame();
    }
}
