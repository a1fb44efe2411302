using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Testing;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Routing;

/// <summary>PROTOCOL §6: <c>ping</c> and <c>findnode</c> answered over the wire, and who enters the routing table.</summary>
public sealed class InboundRequestTests : TestKit
{
    private readonly MemoryNetwork _network = new();
    private readonly TestNode _node;
    private readonly Random _random = new(11);

    public InboundRequestTests()
        : base(BusyMachine.Waits + "akka.loglevel = ERROR")
    {
        _node = TestNode.Start(this, _network, DrogulusConfig.SettingsFrom("drogulus.k = 4"));
    }

    [Fact]
    public void Ping_should_answer_pong_and_add_the_sender_as_a_contact_when_its_reply_port_is_set()
    {
        var peer = new RawPeer(this, _network, Key.Random(_random));

        var pong = peer.ExpectReply<PongMessage>(peer.Send(_node.Transport, new PingMessage("", default, 0, "")));

        Assert.Equal(_node.Id, pong.Node);
        Assert.Equal(_node.Port, pong.ReplyPort);
        Assert.Equal(ProtocolVersion.Current, pong.Version);
        Assert.Equal(1, _node.Status().Contacts);
    }

    [Fact]
    public void Ping_should_answer_pong_without_adding_a_contact_when_the_sender_accepts_no_connections()
    {
        var client = new RawPeer(this, _network, Key.Random(_random));

        client.ExpectReply<PongMessage>(client.Send(_node.Transport, new PingMessage("", default, 0, ""), replyPort: 0));

        Assert.Equal(0, _node.Status().Contacts);
    }

    [Fact]
    public void FindNode_should_answer_the_known_contacts_closest_first_excluding_the_requester_when_asked()
    {
        var peers = Enumerable.Range(0, 4).Select(_ => new RawPeer(this, _network, Key.Random(_random))).ToArray();
        foreach (var peer in peers)
        {
            peer.Introduce(_node.Transport);
        }

        var target = Key.Random(_random);
        var requester = peers[0];

        var nodes = requester.ExpectReply<NodesMessage>(requester.Send(_node.Transport, new FindNodeMessage("", default, 0, "", target)));

        var expected = peers.Skip(1)
            .OrderBy(p => p.Id, Comparer<Key>.Create(target.CompareDistance))
            .Select(p => new NodeInfo(p.Id, p.Address, p.Port, ProtocolVersion.Current));
        Assert.Equal(expected, nodes.Nodes);
        Assert.DoesNotContain(nodes.Nodes, n => n.Id == _node.Id);
    }

    [Fact]
    public void FindNode_should_answer_an_empty_nodes_when_the_requester_is_the_only_contact()
    {
        var peer = new RawPeer(this, _network, Key.Random(_random));

        var nodes = peer.ExpectReply<NodesMessage>(peer.Send(_node.Transport, new FindNodeMessage("", default, 0, "", peer.Id)));

        Assert.Empty(nodes.Nodes);
    }
}
