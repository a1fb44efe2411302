using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Integration;

/// <summary>
/// Node-level specs written once and run over both transports (DESIGN §1): the in-memory network and real
/// TLS on 127.0.0.1 port 0. They use real time with bounded waits, since virtual time cannot drive sockets;
/// the specs that need virtual time (refresh and republish intervals, request timeouts, hand-over
/// coverage) run over the memory network only, in Routing/, Storage/ and Node/.
/// </summary>
public sealed class BothTransportsTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120); // a ceiling: each wait ends with its answer
    private static readonly DrogulusSettings Settings = DrogulusConfig.SettingsFrom("drogulus { k = 4, alpha = 2 }");

    public BothTransportsTests()
        : base(BusyMachine.Waits + "akka.loglevel = ERROR")
    {
    }

    public static TheoryData<string> Transports => new() { "memory", "tls" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Nodes_should_join_put_get_and_find_nodes_when_joined_through_one_seed(string transport)
    {
        var nodes = await StartJoined(transport, 6);
        var item = Item("greeting", "hello");

        var put = await nodes[3].Ask<IPutReply>(new Put(item), Wait);
        var found = await nodes[5].Ask<IGetReply>(new Get(item.Key), Wait);
        var closest = await nodes[1].Ask<IFindNodesReply>(new FindNodes(item.Key), Wait);

        Assert.True(put is PutCompleted { StoredCount: 4 }, put.ToString());
        Assert.Equal(item, Assert.IsType<ValueFound>(found).Item);
        Assert.Equal(4, Assert.IsType<NodesFound>(closest).Contacts.Count);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Put_should_report_error_8_from_every_holder_of_a_newer_item_when_the_item_is_older(string transport)
    {
        var nodes = await StartJoined(transport, 4);
        var newer = Item("counter", "2", timestampOffset: 10);
        var older = Item("counter", "1");
        Assert.IsType<PutCompleted>(await nodes[0].Ask<IPutReply>(new Put(newer), Wait));

        var put = Assert.IsType<PutCompleted>(await nodes[1].Ask<IPutReply>(new Put(older), Wait));

        Assert.Equal(4, put.Outcomes.Count);
        Assert.All(put.Outcomes, o => Assert.Equal((int)ErrorCode.SupersededValue, o.ErrorCode));
        Assert.Equal(newer, Assert.IsType<ValueFound>(await nodes[2].Ask<IGetReply>(new Get(older.Key), Wait)).Item);
    }

    [Theory]
    [InlineData("memory", "transport")]
    [InlineData("memory", "routing-table")]
    [InlineData("memory", "data-store")]
    [InlineData("tls", "transport")]
    [InlineData("tls", "routing-table")]
    [InlineData("tls", "data-store")]
    public async Task Node_should_keep_its_state_and_endpoint_and_serve_peers_when_a_child_is_killed(string transport, string child)
    {
        var nodes = await StartJoined(transport, 3);
        var item = Item("survivor", "v");
        Assert.IsType<PutCompleted>(await nodes[0].Ask<IPutReply>(new Put(item), Wait));
        var before = await nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, Wait);

        var target = await Sys.ActorSelection(nodes[0].Path / child).ResolveOne(Wait);
        target.Tell(Kill.Instance);

        await AwaitAssertAsync(
            async () =>
            {
                var after = await nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, Wait);
                Assert.Equal(before.Endpoint, after.Endpoint);
                Assert.Equal(before.Contacts, after.Contacts);
                Assert.Equal(before.Items, after.Items);
            },
            Wait);

        // A newcomer reaches the node at the endpoint it had and reads the item through the network.
        var newcomer = StartNode(transport, 99);
        Assert.IsType<Joined>(await newcomer.Ask<IJoinReply>(new Join([before.Endpoint]), Wait));
        Assert.Equal(item, Assert.IsType<ValueFound>(await newcomer.Ask<IGetReply>(new Get(item.Key), Wait)).Item);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Node_should_hand_its_items_over_when_a_newcomer_is_among_the_closest(string transport)
    {
        // With k larger than the network every node is among the k closest to every key, so the newcomer
        // must receive every item from the closest holder.
        var settings = DrogulusConfig.SettingsFrom("drogulus { k = 8, alpha = 2 }");
        var nodes = await StartJoined(transport, 3, settings);
        var items = Enumerable.Range(0, 4).Select(i => Item($"handed-{i}", "v")).ToArray();
        for (var i = 0; i < items.Length; i++)
        {
            Assert.IsType<PutCompleted>(await nodes[i % 3].Ask<IPutReply>(new Put(items[i]), Wait));
        }

        var newcomer = StartNode(transport, 50, settings);
        var seed = await nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, Wait);
        Assert.IsType<Joined>(await newcomer.Ask<IJoinReply>(new Join([seed.Endpoint]), Wait));

        await AwaitAssertAsync(
            async () => Assert.Equal(items.Length, (await newcomer.Ask<NodeStatus>(GetNodeStatus.Instance, Wait)).Items),
            Wait);
    }

    private TestNetwork? _memory;

    // Memory: the TestKit's network (seeded ids; the settings of its first node hold for the rest). TLS: real sockets.
    private IActorRef StartNode(string transport, int seed, DrogulusSettings? settings = null) => transport switch
    {
        "memory" => (_memory ??= TestNetwork.Start(this, 0, settings ?? Settings, seed: 1, wait: Wait)).AddNode(join: false).Node,
        "tls" => Sys.ActorOf(NodeActor.Props(settings ?? Settings, NodeIdentity.Generate(Sys.Scheduler.Now), new TlsTransport(), seed: seed), $"node-{seed}"),
        _ => throw new ArgumentException(transport, nameof(transport)),
    };

    private async Task<IActorRef[]> StartJoined(string transport, int count, DrogulusSettings? settings = null)
    {
        var nodes = Enumerable.Range(0, count).Select(i => StartNode(transport, i, settings)).ToArray();
        var seed = await nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, Wait);
        foreach (var node in nodes.Skip(1))
        {
            Assert.IsType<Joined>(await node.Ask<IJoinReply>(new Join([seed.Endpoint]), Wait));
        }

        return nodes;
    }

    private SignedItem Item(string name, string value, int timestampOffset = 0) =>
        SignedItem.Create(Publisher, name, value, Sys.Scheduler.Now.ToUnixTimeSeconds() + timestampOffset, 0);
}
