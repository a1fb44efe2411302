using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;

namespace Drogulus.Actors.Tests.Integration;

public sealed class SmallNetworkTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    public SmallNetworkTests()
        : base("akka.loglevel = WARNING")
    {
    }

    [Fact]
    public async Task Nodes_should_store_and_read_a_signed_value_when_joined_through_one_seed()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus.k = 4");
        var network = new MemoryNetwork();
        var now = Sys.Scheduler.Now;
        var nodes = Enumerable.Range(0, 8)
            .Select(i => Sys.ActorOf(NodeActor.Props(settings, NodeIdentity.Generate(now), network, seed: i), $"node-{i}"))
            .ToArray();
        var seedStatus = await nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(5));

        foreach (var node in nodes.Skip(1))
        {
            node.Tell(new Join([seedStatus.Endpoint]));
            ExpectMsg<Joined>();
        }

        var item = SignedItem.Create(Publisher, "greeting", "hello", now.ToUnixTimeSeconds(), 0);
        nodes[3].Tell(new Put(item));
        var put = ExpectMsg<PutCompleted>();
        Assert.True(put.StoredCount >= 1);

        nodes[6].Tell(new Get(item.Key));
        var found = ExpectMsg<ValueFound>();
        Assert.Equal(item, found.Item);
    }
}
