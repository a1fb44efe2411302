using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Tests.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Node;

/// <summary>Issue 12: <see cref="GetNodeHealth"/> means "this node can reach the network", not "the process is up".</summary>
public sealed class NodeHealthTests : TestKit
{
    private static readonly DrogulusSettings Settings =
        DrogulusConfig.SettingsFrom("drogulus { refresh-interval = 10m, refresh-timeout = 1h, request-timeout = 5s }");

    private readonly MemoryNetwork _network = new();
    private readonly RawPeer _peer;

    public NodeHealthTests()
        : base(VirtualTime.Config)
    {
        _peer = new RawPeer(this, _network, Key.Random(new Random(12)));
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    private NodeHealth Health(TestNode node) => Health(node.Node);

    private NodeHealth Health(IActorRef node)
    {
        var probe = CreateTestProbe();
        node.Tell(GetNodeHealth.Instance, probe.Ref);
        return probe.ExpectMsg<NodeHealth>();
    }

    // Issue 26: the first node of a network is ready while it waits for peers, and says it is alone.
    [Fact]
    public void Health_should_be_healthy_and_alone_when_the_node_has_no_contact_and_was_never_asked_to_join()
    {
        var node = TestNode.Start(this, _network, Settings);

        var health = Health(node);

        Assert.True(health.IsHealthy, string.Join("; ", health.Reasons));
        Assert.True(health.Alone);
        Assert.False(health.ContactAnswered);
        Assert.Empty(health.Reasons);
        _peer.Probe.ExpectNoMsg(VirtualTime.Quiet);
    }

    [Fact]
    public void Health_should_be_unhealthy_when_the_node_has_not_joined()
    {
        // A join was asked for and led nowhere (the seed does not exist): not alone, lost.
        var node = TestNode.Start(this, _network, Settings);
        node.Node.Tell(new Join(["127.0.0.1:1"]), CreateTestProbe().Ref);

        var health = Health(node);

        Assert.False(health.IsHealthy);
        Assert.True(health.TransportBound);
        Assert.False(health.ContactAnswered);
        Assert.True(health.StoreWritable);
        Assert.True(health.StoreHasRoom);
        Assert.Null(health.LastAnswer);
        Assert.False(health.Alone);
        Assert.Equal(["the routing table is empty: the node has not joined a network"], health.Reasons);
        _peer.Probe.ExpectNoMsg(VirtualTime.Quiet);
    }

    [Fact]
    public void Health_should_ping_a_contact_and_be_healthy_when_it_answers()
    {
        var node = TestNode.Start(this, _network, Settings);
        _peer.Introduce(node.Transport); // an inbound ping: the peer reached us, but nobody answered us yet
        var probe = CreateTestProbe();

        node.Node.Tell(GetNodeHealth.Instance, probe.Ref);
        var (ping, from) = _peer.ExpectRequest<PingMessage>();
        probe.ExpectNoMsg(VirtualTime.Quiet);
        _peer.Reply(from, ping, new PongMessage("", default, 0, ""));

        var health = probe.ExpectMsg<NodeHealth>();
        Assert.True(health.IsHealthy, string.Join("; ", health.Reasons));
        Assert.Empty(health.Reasons);
        Assert.Equal(1, health.Contacts);
        Assert.Equal(Scheduler.Now, health.LastAnswer);
    }

    [Fact]
    public void Health_should_be_healthy_without_a_ping_while_the_last_answer_is_within_refresh_interval()
    {
        var node = TestNode.Start(this, _network, Settings);
        AnswerOnePing(node);

        Scheduler.Advance(Settings.RefreshInterval);
        var health = Health(node);

        Assert.True(health.IsHealthy, string.Join("; ", health.Reasons));
        _peer.Probe.ExpectNoMsg(VirtualTime.Quiet);
    }

    [Fact]
    public void Health_should_be_unhealthy_when_no_contact_answered_within_refresh_interval_and_pings_fail()
    {
        var node = TestNode.Start(this, _network, Settings);
        AnswerOnePing(node);
        Scheduler.Advance(Settings.RefreshInterval + TimeSpan.FromMilliseconds(1));
        var probe = CreateTestProbe();

        node.Node.Tell(GetNodeHealth.Instance, probe.Ref);
        _peer.ExpectRequest<PingMessage>(); // never answered
        probe.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(Settings.RequestTimeout);
        BusyMachine.AdvanceUntil(this, () => probe.HasMessages, Settings.RequestTimeout / 4, Settings.RequestTimeout, "the health after the ping's timeout");

        var health = probe.ExpectMsg<NodeHealth>();
        Assert.False(health.IsHealthy);
        Assert.False(health.ContactAnswered);
        Assert.True(health.TransportBound && health.StoreWritable && health.StoreHasRoom);
        Assert.Equal(["no contact answered within refresh-interval (600 s), and none of the 1 contacts pinged now answered"], health.Reasons);
    }

    [Fact]
    public void Health_should_be_unhealthy_naming_the_error_when_the_store_cannot_be_written()
    {
        var store = new SwitchableStore();
        var identity = NodeIdentity.Generate(Sys.Scheduler.Now);
        var nodeRef = Sys.ActorOf(NodeActor.Props(Settings, identity, _network, store, seed: 1));
        var node = nodeRef;
        Assert.True(Health(node).StoreWritable);

        store.ReadOnly = true;
        var health = Health(node);

        Assert.False(health.StoreWritable);
        Assert.Contains("the item store cannot be written: attempt to write a readonly database", health.Reasons);
    }

    [Fact]
    public async Task Health_should_be_unhealthy_when_the_transport_cannot_bind()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var settings = DrogulusConfig.SettingsFrom($"drogulus {{ listen {{ host = \"127.0.0.1\", port = {port} }} }}");
        var node = Sys.ActorOf(NodeActor.Props(settings, NodeIdentity.Generate(Sys.Scheduler.Now), new TlsTransport(), seed: 1));

        var health = await node.Ask<NodeHealth>(GetNodeHealth.Instance, TimeSpan.FromSeconds(20));

        Assert.False(health.TransportBound);
        Assert.StartsWith("the transport is not bound: ", health.Reasons[0], StringComparison.Ordinal);
    }

    private void AnswerOnePing(TestNode node)
    {
        _peer.Introduce(node.Transport);
        var probe = CreateTestProbe();
        node.Node.Tell(GetNodeHealth.Instance, probe.Ref);
        var (ping, from) = _peer.ExpectRequest<PingMessage>();
        _peer.Reply(from, ping, new PongMessage("", default, 0, ""));
        Assert.True(probe.ExpectMsg<NodeHealth>().ContactAnswered);
    }

    // An item store whose writes fail on demand, as a store on a file system remounted read-only does.
    private sealed class SwitchableStore : IItemStore
    {
        private readonly InMemoryItemStore _inner = new();

        public bool ReadOnly { get; set; }

        public StoredItem? Get(Key key) => _inner.Get(key);

        public void Upsert(StoredItem item)
        {
            ThrowIfReadOnly();
            _inner.Upsert(item);
        }

        public bool Remove(Key key)
        {
            ThrowIfReadOnly();
            return _inner.Remove(key);
        }

        public int Count() => _inner.Count();

        public IEnumerable<StoredItem> All() => _inner.All();

        public bool Touch(Key key, DateTimeOffset accessedAt)
        {
            ThrowIfReadOnly();
            return _inner.Touch(key, accessedAt);
        }

        private void ThrowIfReadOnly()
        {
            if (ReadOnly)
            {
                throw new IOException("attempt to write a readonly database");
            }
        }
    }
}
