using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Reachability;

/// <summary>
/// PROTOCOL §10 (third edition), client and server modes on a memory network on virtual time: a node that cannot
/// be dialled stays a client, is never added to a table or returned in a nodes reply, and still puts and gets;
/// an <c>auto</c> node that can be dialled becomes a server after its dial-back test at join.
/// </summary>
public sealed class ReachabilityModeTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(30);

    public ReachabilityModeTests()
        : base(VirtualTime.Config)
    {
    }

    [Fact]
    public void Auto_node_should_become_a_server_after_its_dial_back_test_at_join_when_it_can_be_dialled()
    {
        var network = Servers(6);
        var auto = network.AddNode(join: true, Settings("auto"), host: "10.0.99.1");

        AwaitAssert(() => Assert.True(auto.Status().IsServer, auto.Status().ToString()), Ceiling);
        var status = auto.Status();
        Assert.Equal("auto", status.Reachability);
        Assert.Contains("succeeded", status.LastReachabilityTest);

        // A server is added by the peers it messages from now on.
        network[1].Node.Tell(new FindNodes(auto.Id), TestActor);
        ExpectMsg<NodesFound>(Ceiling);
        auto.Node.Tell(new FindNodes(network[1].Id), TestActor);
        ExpectMsg<NodesFound>(Ceiling);
        AwaitAssert(() => Assert.Contains(network.Live.Where(n => n != auto), n => Holds(network, n, auto)), Ceiling);
    }

    [Fact]
    public void Auto_node_behind_nat_should_stay_a_client_never_be_advertised_and_still_put_and_get()
    {
        var network = Servers(6);
        var hidden = network.AddNode(join: true, Settings("auto"), host: "10.0.98.1", dialable: false);

        AwaitAssert(() => Assert.Contains("failed", hidden.Status().LastReachabilityTest), Ceiling);
        var status = hidden.Status();
        Assert.False(status.IsServer);
        hidden.Node.Tell(GetNodeHealth.Instance, TestActor);
        var health = ExpectMsg<NodeHealth>(Ceiling);
        Assert.Contains(health.Reasons, r => r.StartsWith("client: not reachable from outside (", StringComparison.Ordinal));

        // It uses the network over connections it opens...
        var item = SignedItem.Create(Publisher, "from-behind-nat", "hello", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
        var put = Assert.IsType<PutCompleted>(hidden.Put(item));
        Assert.True(put.StoredCount > 1, put.ToString());
        var found = Assert.IsType<ValueFound>(network[2].Get(item.Key));
        Assert.Equal(item, found.Item);
        Assert.IsType<ValueFound>(hidden.Get(item.Key));

        // ...and is in no table and no nodes reply.
        foreach (var server in network.Live.Where(n => n != hidden))
        {
            Assert.False(Holds(network, server, hidden));
        }
    }

    [Fact]
    public void Client_node_should_send_reply_port_0_and_never_be_a_storage_target()
    {
        var network = Servers(4);
        var client = network.AddNode(join: true, Settings("client"));
        var item = SignedItem.Create(Publisher, "from-a-client", "hi", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);

        var put = Assert.IsType<PutCompleted>(network[1].Put(item));

        Assert.DoesNotContain(put.Outcomes, o => o.NodeId == client.Id);
        foreach (var server in network.Live.Where(n => n != client))
        {
            Assert.False(Holds(network, server, client));
        }

        var peer = network.AddRawPeer();
        var pong = peer.Ping(client);
        Assert.Equal(0, pong.ReplyPort);
        Assert.False(client.Status().IsServer);
        Assert.Equal("client", client.Status().Reachability);
    }

    private TestNetwork Servers(int count)
    {
        var network = TestNetwork.Start(this, 0, Settings("server"));
        for (var i = 0; i < count; i++)
        {
            network.AddNode(join: i > 0, settings: null, host: $"10.0.{i}.1");
        }

        return network;
    }

    private static DrogulusSettings Settings(string mode) => DrogulusConfig.SettingsFrom($"drogulus.k = 8\ndrogulus.reachability = {mode}");

    // Whether `holder` would name `node` to anyone: its nodes answer for node's own id.
    private static bool Holds(TestNetwork network, TestNode holder, TestNode node)
    {
        using var peer = network.AddRawPeer();
        var nodes = Assert.IsType<NodesMessage>(peer.FindNode(holder, node.Id));
        return nodes.Nodes.Any(n => n.Id == node.Id);
    }
}
