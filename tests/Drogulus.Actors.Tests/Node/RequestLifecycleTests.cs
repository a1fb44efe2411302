using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Testing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Tests.Node;

/// <summary>
/// One path per request and state that survives restarts (issue 8): bad user input is answered, never thrown
/// inside the node; a restart of the node keeps its table, items and endpoint and stops (never restarts)
/// the per-request actors, which answer once; a lookup that throws is stopped and its owner answers once;
/// a transport that fails after the node was reachable is bound again with backoff. Virtual time; the raw
/// peer stays silent unless a spec answers for it.
/// </summary>
public sealed class RequestLifecycleTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();
    private static readonly DrogulusSettings Settings = DrogulusConfig.SettingsFrom("drogulus.k = 4");

    private readonly MemoryNetwork _network = new();
    private readonly IActorRef _node;
    private readonly IActorRef _transport;
    private readonly RawPeer _peer;

    public RequestLifecycleTests()
        : base(VirtualTime.Config)
    {
        // The node's parent restarts it on any failure, as a user's supervisor might.
        var identity = NodeIdentity.Generate(Sys.Scheduler.Now);
        _node = ChildActorOf(NodeActor.Props(Settings, identity, _network, seed: 3), "node", new OneForOneStrategy(_ => Directive.Restart));
        var status = TestNode.StatusOf(this, _node);
        var port = int.Parse(status.Endpoint[(status.Endpoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(_network.TryResolve(MemoryNetwork.Host, port, out _, out var transport));
        _transport = transport;
        _peer = new RawPeer(this, _network, Key.Random(new Random(8)));
        _peer.Introduce(_transport);
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Join_should_fail_and_keep_every_contact_when_a_seed_is_null_or_blank(string? bad)
    {
        _node.Tell(new Join(["127.0.0.1:1", bad!]));

        Assert.Equal("a seed is empty", ExpectMsg<JoinFailed>().Reason);
        Assert.Equal(1, TestNode.StatusOf(this, _node).Contacts);
    }

    [Fact]
    public void Put_should_fail_without_throwing_when_the_item_is_missing()
    {
        _node.Tell(new Put(null!));

        Assert.Equal("the put has no item", ExpectMsg<PutFailed>().Reason);
        Assert.Equal(1, TestNode.StatusOf(this, _node).Contacts);
    }

    [Fact]
    public void NodeActor_should_keep_its_contacts_items_and_endpoint_when_it_is_restarted()
    {
        var item = Item("kept");
        _peer.ExpectReply<PongMessage>(_peer.Send(_transport, new StoreMessage("", default, 0, "", item)));
        var before = TestNode.StatusOf(this, _node);

        RestartNode();

        var after = TestNode.StatusOf(this, _node);
        Assert.Equal(before.Endpoint, after.Endpoint);
        Assert.Equal(1, after.Contacts);
        Assert.Equal(1, after.Items);
        _node.Tell(new Get(item.Key));
        Assert.Equal(item, ExpectMsg<ValueFound>().Item);

        // Peers still reach it over the transport it had.
        _peer.ExpectReply<PongMessage>(_peer.Send(_transport, new PingMessage("", default, 0, "")));
    }

    [Fact]
    public void NodeActor_should_answer_a_get_in_flight_once_with_a_failure_when_it_is_restarted()
    {
        var key = Item("absent").Key;
        _node.Tell(new Get(key));
        _peer.ExpectRequest<FindValueMessage>();

        RestartNode();

        Assert.Equal("the get was aborted", ExpectMsg<GetFailed>().Reason);
        ExpectNoMsg(VirtualTime.Quiet);
    }

    [Fact]
    public async Task GetActor_should_stop_its_lookup_and_answer_once_when_the_lookup_throws()
    {
        var key = Item("absent").Key;
        _node.Tell(new Get(key));
        _peer.ExpectRequest<FindValueMessage>();

        await BreakTheLookup("*/lookup");

        Assert.Equal("lookup aborted", ExpectMsg<GetFailed>().Reason);
        ExpectNoMsg(VirtualTime.Quiet);
    }

    [Fact]
    public async Task FindNodesActor_should_stop_its_lookup_and_answer_once_when_the_lookup_throws()
    {
        _node.Tell(new FindNodes(Key.Random(new Random(9))));
        _peer.ExpectRequest<FindNodeMessage>();

        await BreakTheLookup("*/lookup");

        Assert.Equal("lookup aborted", ExpectMsg<FindNodesFailed>().Reason);
        ExpectNoMsg(VirtualTime.Quiet);
    }

    [Fact]
    public async Task PutActor_should_stop_its_lookup_and_answer_once_when_the_lookup_throws()
    {
        _node.Tell(new Put(Item("put")));
        _peer.ExpectRequest<FindNodeMessage>();

        await BreakTheLookup("*/lookup");

        Assert.Equal("lookup failed: lookup aborted", ExpectMsg<PutFailed>().Reason);
        ExpectNoMsg(VirtualTime.Quiet);
    }

    [Fact]
    public async Task JoinActor_should_stop_its_self_lookup_and_answer_once_when_the_lookup_throws()
    {
        _node.Tell(new Join([$"{MemoryNetwork.Host}:{_peer.Port}"]));
        var (ping, from) = _peer.ExpectRequest<PingMessage>();
        _peer.Reply(from, ping, new PongMessage("", default, 0, ""));
        _peer.ExpectRequest<FindNodeMessage>();

        await BreakTheLookup("*/self-lookup");

        // The join goes on without the self-lookup's contacts; its refresh lookups ask the same silent peer
        // and end at request-timeout, which is advanced until they have all been sent and timed out.
        AwaitAssert(() =>
        {
            Scheduler.Advance(Settings.RequestTimeout);
            Assert.IsType<Joined>(ExpectMsg<IJoinReply>(VirtualTime.Quiet));
        });
        ExpectNoMsg(VirtualTime.Quiet);
    }

    [Fact]
    public void Node_should_fail_requests_at_once_and_bind_again_with_backoff_when_its_transport_fails_while_ready()
    {
        var endpoint = TestNode.StatusOf(this, _node).Endpoint;

        _node.Tell(new TransportFailed("the listener stopped"));

        _node.Tell(new Get(Item("x").Key));
        Assert.Equal("the node cannot reach the network: the listener stopped", ExpectMsg<GetFailed>().Reason);
        _node.Tell(new Put(Item("y")));
        Assert.StartsWith("the node cannot reach the network", ExpectMsg<PutFailed>().Reason, StringComparison.Ordinal);

        // After rebind.min-backoff the node asks its transport to bind again, on the port it had.
        _node.Tell(GetNodeStatus.Instance);
        ExpectMsg<Status.Failure>();
        Scheduler.Advance(Settings.RebindMinBackoff);
        AwaitAssert(() => Assert.Equal(endpoint, TestNode.StatusOf(this, _node).Endpoint));
    }

    [Fact]
    public void Put_should_store_locally_and_complete_alike_when_no_peer_answers_or_the_table_is_empty()
    {
        // A table whose only contact never answers (the raw peer stays silent).
        var item = Item("alone");
        _node.Tell(new Put(item));
        _peer.ExpectRequest<FindNodeMessage>();
        Scheduler.Advance(Settings.RequestTimeout);
        var dead = ExpectMsg<PutCompleted>();

        // A node with an empty table.
        var lonely = TestNode.Start(this, _network, Settings, name: "lonely", seed: 5);
        lonely.Node.Tell(new Put(item));
        var empty = ExpectMsg<PutCompleted>();

        Assert.Equal(1, dead.StoredCount);
        Assert.Equal(1, empty.StoredCount);
        Assert.Equal(TestNode.StatusOf(this, _node).NodeId, Assert.Single(dead.Outcomes).NodeId);
        Assert.Equal(lonely.Id, Assert.Single(empty.Outcomes).NodeId);

        // Issue 26: the caller sees without reading the outcomes that no peer holds a copy.
        Assert.True(dead.StoredOnlyLocally);
        Assert.True(empty.StoredOnlyLocally);
        Assert.Equal(0, dead.StoredRemotely);
    }

    // Fails the node with an exception; its parent (this test) restarts it.
    private void RestartNode()
    {
        var watcher = CreateTestProbe();
        watcher.Watch(_node);
        _node.Tell(Kill.Instance);
        watcher.ExpectNoMsg(VirtualTime.Quiet);
    }

    // A reply without a body makes the lookup throw: its owner must stop it (a restart would not terminate it).
    private async Task BreakTheLookup(string path)
    {
        var lookup = await Sys.ActorSelection($"{_node.Path}/{path}").ResolveOne(TimeSpan.FromSeconds(3));
        var watcher = CreateTestProbe();
        watcher.Watch(lookup);
        var to = new PeerAddress(MemoryNetwork.Host, _peer.Port, _peer.Id);
        lookup.Tell(new RpcReplied(to, new PeerInfo(_peer.Id, MemoryNetwork.Host, _peer.Port, "1.0"), null!));
        watcher.ExpectTerminated(lookup);
    }

    private SignedItem Item(string name) => SignedItem.Create(Publisher, name, "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
}
