using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Routing;

namespace Drogulus.Actors.Tests.Node;

public sealed class SaveRoutingTableTests : TestKit
{
    public SaveRoutingTableTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Fact]
    public async Task NodeActor_should_start_with_its_saved_contacts_when_given_a_restored_routing_table()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus.k = 4");
        var network = new MemoryNetwork();
        var identities = Enumerable.Range(0, 6).Select(_ => NodeIdentity.Generate(Sys.Scheduler.Now)).ToArray();
        var nodes = identities.Select((id, i) => Sys.ActorOf(NodeActor.Props(settings, id, network, seed: i), $"node-{i}")).ToArray();
        var seed = await nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(5));
        foreach (var node in nodes.Skip(1))
        {
            Assert.IsType<Joined>(await node.Ask<IJoinReply>(new Join([seed.Endpoint]), TimeSpan.FromSeconds(10)));
        }

        var before = await nodes[3].Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(5));
        var saved = await nodes[3].Ask<RoutingTableSaved>(SaveRoutingTable.Instance, TimeSpan.FromSeconds(5));
        await nodes[3].GracefulStop(TimeSpan.FromSeconds(5));

        var table = RoutingTableSnapshot.Load(saved.Snapshot, identities[3].Id, settings.K, settings.AllowedRpcFails, Sys.Scheduler.Now);
        var restarted = Sys.ActorOf(NodeActor.Props(settings, identities[3], network, seed: 3, routingTable: table), "node-3-again");
        var after = await restarted.Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(5));

        Assert.True(before.Contacts > 0);
        Assert.Equal(before.Contacts, after.Contacts);
        Assert.Equal(identities[3].Id, after.NodeId);
    }

    [Fact]
    public void NodeActor_Props_should_refuse_a_routing_table_of_another_node()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus.k = 4");
        var mine = NodeIdentity.Generate(Sys.Scheduler.Now);
        var other = NodeIdentity.Generate(Sys.Scheduler.Now);
        var table = new RoutingTable(other.Id, settings.K, settings.AllowedRpcFails, Sys.Scheduler.Now);

        Assert.Throws<ArgumentException>(() => NodeActor.Props(settings, mine, new MemoryNetwork(), routingTable: table));
    }
}
