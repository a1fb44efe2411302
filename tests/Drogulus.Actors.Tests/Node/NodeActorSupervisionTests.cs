using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Testing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Node;

/// <summary>DESIGN §1: a child that fails is restarted by the node with the routing table and the items intact.</summary>
public sealed class NodeActorSupervisionTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    private readonly MemoryNetwork _network = new();
    private readonly TestNode _node;
    private readonly RawPeer _peer;
    private readonly SignedItem _item;

    public NodeActorSupervisionTests()
        : base(BusyMachine.Waits + "akka.loglevel = OFF")
    {
        _node = TestNode.Start(this, _network, DrogulusConfig.SettingsFrom("drogulus.k = 4"));
        _peer = new RawPeer(this, _network, Key.Random(new Random(41)));
        _peer.Introduce(_node.Transport);
        _item = SignedItem.Create(Publisher, "survivor", "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
        _peer.ExpectReply<PongMessage>(_peer.Send(_node.Transport, new StoreMessage("", default, 0, "", _item)));
    }

    [Theory]
    [InlineData("data-store")]
    [InlineData("routing-table")]
    public async Task Node_should_keep_contacts_and_items_when_a_child_is_killed_and_restarted(string child)
    {
        var target = await KillAndWatch(child);

        var status = _node.Status();
        Assert.Equal(1, status.Contacts);
        Assert.Equal(1, status.Items);
        _node.Node.Tell(new Get(_item.Key), TestActor);
        Assert.Equal(_item, ExpectMsg<ValueFound>().Item);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.False(target.IsNobody());
    }

    [Theory]
    [InlineData("data-store")]
    [InlineData("routing-table")]
    public async Task Node_should_answer_peers_over_the_wire_when_a_child_was_restarted(string child)
    {
        await KillAndWatch(child);

        var value = _peer.ExpectReply<ValueMessage>(_peer.Send(_node.Transport, new FindValueMessage("", default, 0, "", _item.Key)));
        Assert.Equal(_item, value.Item);
        var other = new RawPeer(this, _network, Key.Random(new Random(42)));
        var nodes = other.ExpectReply<NodesMessage>(other.Send(_node.Transport, new FindNodeMessage("", default, 0, "", other.Id)));
        Assert.Equal([_peer.Id], nodes.Nodes.Select(n => n.Id));
    }

    [Fact]
    public async Task Node_should_still_blacklist_a_forger_when_the_data_store_was_restarted()
    {
        await KillAndWatch("data-store");
        var forger = new RawPeer(this, _network, Key.Random(new Random(43)));
        var good = SignedItem.Create(Publisher, "forged", "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
        var forged = new SignedItem(good.Key, CanonicalMsgPack.Encode("other"), good.Timestamp, good.Expires, good.CreatedWith, good.PublicKey, good.Name, good.Meta, good.Signature.Span);

        var refused = forger.ExpectReply<ErrorMessage>(forger.Send(_node.Transport, new StoreMessage("", default, 0, "", forged)));
        Assert.Equal(ErrorCode.UnverifiableProvenance, refused.Code);

        var ping = forger.ExpectReply<ErrorMessage>(forger.Send(_node.Transport, new PingMessage("", default, 0, "")));
        Assert.Equal(ErrorCode.BadRequest, ping.Code);
    }

    [Fact]
    public async Task Node_should_stay_reachable_at_its_endpoint_when_the_transport_was_restarted()
    {
        var endpoint = _node.Status().Endpoint;

        await KillAndWatch("transport");

        Assert.Equal(endpoint, _node.Status().Endpoint);
        Assert.True(_network.TryResolve(MemoryNetwork.Host, _node.Port, out var id, out _));
        Assert.Equal(_node.Id, id);
        _peer.Introduce(_node.Transport);
        Assert.Equal(2, _network.Count);
    }

    // Kill makes the child fail with ActorKilledException; the node's strategy restarts it. The restart is
    // seen as the child staying alive (no Terminated) and answering through the node afterwards.
    private async Task<IActorRef> KillAndWatch(string child)
    {
        var target = await Sys.ActorSelection(_node.Node.Path / child).ResolveOne(TimeSpan.FromSeconds(3));
        var watcher = CreateTestProbe();
        watcher.Watch(target);
        target.Tell(Kill.Instance);
        watcher.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        return target;
    }
}
