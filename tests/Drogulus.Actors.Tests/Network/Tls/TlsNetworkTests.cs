using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;
using Xunit.Abstractions;

namespace Drogulus.Actors.Tests.Network.Tls;

public sealed class TlsNetworkTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120); // a ceiling: each wait ends with its answer
    private readonly ITestOutputHelper _output;

    public TlsNetworkTests(ITestOutputHelper output)
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
        _output = output;
    }

    [Fact]
    public async Task Two_tls_nodes_should_join_put_and_get_a_value()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { " + BusyMachine.SlowPeers + "transport = \"tls\", k = 4 }");
        var now = Sys.Scheduler.Now;
        var a = Sys.ActorOf(NodeActor.Props(settings, NodeIdentity.Generate(now), new TlsTransport(), seed: 1));
        var b = Sys.ActorOf(NodeActor.Props(settings, NodeIdentity.Generate(now), new TlsTransport(), seed: 2));
        var seed = await a.Ask<NodeStatus>(GetNodeStatus.Instance, Bound);

        Assert.IsType<Joined>(await b.Ask<object>(new Join([seed.Endpoint]), Bound));
        var item = SignedItem.Create(Publisher, "greeting", "hello over TLS", now.ToUnixTimeSeconds(), 0);
        var put = Assert.IsType<PutCompleted>(await b.Ask<object>(new Put(item), Bound));
        Assert.Equal(2, put.StoredCount);

        var found = Assert.IsType<ValueFound>(await a.Ask<object>(new Get(item.Key), Bound));
        Assert.Equal(item, found.Item);
        var status = await a.Ask<NodeStatus>(GetNodeStatus.Instance, Bound);
        Assert.Equal(1, status.Connections);
    }

    // 50 nodes over real TLS on loopback join through one seed; 500 items put at random nodes are all
    // found from other nodes (PROTOCOL §10). Seeded: the same nodes put and get the same items every run.
    [Fact]
    public async Task Fifty_tls_nodes_should_find_every_one_of_500_items_from_other_nodes()
    {
        const int nodeCount = 50;
        const int itemCount = 500;
        var settings = DrogulusConfig.SettingsFrom("drogulus { " + BusyMachine.SlowPeers + "transport = \"tls\", k = 8 }");
        var now = Sys.Scheduler.Now;
        var random = new Random(42);
        var clock = Stopwatch.StartNew();
        var nodes = Enumerable.Range(0, nodeCount)
            .Select(i => Sys.ActorOf(NodeActor.Props(settings, NodeIdentity.Generate(now), new TlsTransport(), seed: i)))
            .ToArray();
        var seed = await nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, Bound);
        foreach (var node in nodes.Skip(1))
        {
            Assert.IsType<Joined>(await node.Ask<object>(new Join([seed.Endpoint]), Bound));
        }

        var joined = clock.Elapsed;
        var items = Enumerable.Range(0, itemCount)
            .Select(i => SignedItem.Create(Publisher, "item-" + i, "value " + i, now.ToUnixTimeSeconds(), 0))
            .ToArray();
        var putters = items.Select(_ => random.Next(nodeCount)).ToArray();
        var puts = await Task.WhenAll(items.Select((item, i) => nodes[putters[i]].Ask<object>(new Put(item), Bound)));
        Assert.All(puts, put => Assert.True(Assert.IsType<PutCompleted>(put).StoredCount >= 1));
        var stored = clock.Elapsed;

        var gets = await Task.WhenAll(items.Select((item, i) =>
            nodes[(putters[i] + 1 + random.Next(nodeCount - 1)) % nodeCount].Ask<object>(new Get(item.Key), Bound)));
        var found = gets.Count(g => g is ValueFound);
        _output.WriteLine($"joined {joined.TotalSeconds:F1} s, put {(stored - joined).TotalSeconds:F1} s, get {(clock.Elapsed - stored).TotalSeconds:F1} s");
        Assert.Equal(itemCount, found);
    }
}
