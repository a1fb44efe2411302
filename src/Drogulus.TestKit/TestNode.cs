using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.TestKit;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Storage;

namespace Drogulus.Testing;

/// <summary>
/// One node under test on a <see cref="MemoryNetwork"/>: its actor, id and endpoint, the transport a
/// <see cref="RawPeer"/> talks to, and blocking helpers for the requests a test makes (each waits at most
/// <see cref="Wait"/>, real time, and fails the test through the kit's assertions otherwise). Every helper
/// sends an ordinary public message; the same can be done with <c>Tell</c>/<c>Ask</c> on <see cref="Node"/>.
/// </summary>
public sealed class TestNode
{
    private readonly TestKitBase _kit;

    private TestNode(TestKitBase kit, IActorRef node, NodeIdentity identity, DrogulusSettings settings, string endpoint, int port, IActorRef transport, TimeSpan wait)
    {
        _kit = kit;
        Node = node;
        Identity = identity;
        Settings = settings;
        Endpoint = endpoint;
        Port = port;
        Transport = transport;
        Wait = wait;
    }

    /// <summary>The node actor: send it <see cref="Put"/>, <see cref="Get"/>, <see cref="Join"/> and the rest.</summary>
    public IActorRef Node { get; }

    /// <summary>The node's identity.</summary>
    public NodeIdentity Identity { get; }

    /// <summary>The node id.</summary>
    public Key Id => Identity.Id;

    /// <summary>The node's settings.</summary>
    public DrogulusSettings Settings { get; }

    /// <summary>Where peers reach it: <c>ADDRESS:PORT</c> (its simulated IP address, see <see cref="MemoryNetwork.AddressFor"/>), a seed for <see cref="Join"/>.</summary>
    public string Endpoint { get; }

    /// <summary>Its port on the memory network.</summary>
    public int Port { get; }

    /// <summary>Its transport actor, to which a <see cref="RawPeer"/> sends frames.</summary>
    public IActorRef Transport { get; }

    /// <summary>How long each blocking helper waits for its answer (real time).</summary>
    public TimeSpan Wait { get; }

    /// <summary>Whether <see cref="Stop"/> was called.</summary>
    public bool IsStopped { get; private set; }

    /// <summary>
    /// Starts a node on <paramref name="network"/> and waits until it is reachable. Its identity is
    /// <see cref="SeededIdentity.Create"/> of <paramref name="seed"/> unless one is given, and
    /// <paramref name="seed"/> also seeds the node's randomness.
    /// </summary>
    /// <param name="kit">The test's kit (any TestKit adapter).</param>
    /// <param name="network">The memory network the node joins.</param>
    /// <param name="settings">The node's settings.</param>
    /// <param name="name">The actor name, unique in the kit's actor system.</param>
    /// <param name="seed">Seed of the node's identity and randomness.</param>
    /// <param name="identity">An identity to use instead of the seeded one.</param>
    /// <param name="store">The item store; in memory when null.</param>
    /// <param name="wait">How long each helper waits at most for its answer; 60 s when null.</param>
    public static TestNode Start(TestKitBase kit, MemoryNetwork network, DrogulusSettings settings, string name = "node", int seed = 1, NodeIdentity? identity = null, IItemStore? store = null, TimeSpan? wait = null) =>
        StartAsync(kit, network, settings, name, seed, identity, store, wait).GetAwaiter().GetResult();

    /// <summary>The asynchronous <see cref="Start"/>: starts the node at once and completes when it is reachable.</summary>
    public static Task<TestNode> StartAsync(TestKitBase kit, MemoryNetwork network, DrogulusSettings settings, string name = "node", int seed = 1, NodeIdentity? identity = null, IItemStore? store = null, TimeSpan? wait = null)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(settings);
        identity ??= SeededIdentity.Create(seed);
        var node = kit.Sys.ActorOf(NodeActor.Props(settings, identity, network, store, seed), name);
        return Reachable(kit, network, node, identity, settings, wait ?? TimeSpan.FromSeconds(60));
    }

    private static async Task<TestNode> Reachable(TestKitBase kit, MemoryNetwork network, IActorRef node, NodeIdentity identity, DrogulusSettings settings, TimeSpan wait)
    {
        var status = await node.Ask<NodeStatus>(GetNodeStatus.Instance, wait).ConfigureAwait(false);
        var port = int.Parse(status.Endpoint[(status.Endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        if (!network.TryResolve(network.AddressOf(port), port, out var id, out var transport) || id != identity.Id)
        {
            throw kit.Failure($"node {identity.Id.ToShortString()} announced {status.Endpoint}, where the network has no such node");
        }

        return new TestNode(kit, node, identity, settings, status.Endpoint, port, transport, wait);
    }

    /// <summary>The node's status.</summary>
    public NodeStatus Status() => Request<NodeStatus>(GetNodeStatus.Instance);

    /// <summary>The status of any node actor (one not started through the TestKit, say), asked through a probe of <paramref name="kit"/>.</summary>
    public static NodeStatus StatusOf(TestKitBase kit, IActorRef node, TimeSpan? wait = null)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(node);
        var probe = kit.CreateTestProbe();
        try
        {
            node.Tell(GetNodeStatus.Instance, probe.Ref);
            return probe.ExpectMsg<NodeStatus>(wait ?? TimeSpan.FromSeconds(60));
        }
        finally
        {
            kit.Sys.Stop(probe.Ref);
        }
    }

    /// <summary>Every live item the node holds, each marked close or cached (reading does not count as an access).</summary>
    public LocalItems LocalItems() => Request<LocalItems>(GetLocalItems.Instance);

    /// <summary>Joins through <paramref name="seeds"/> (endpoints); fails the test unless the node joined.</summary>
    public Joined Join(params string[] seeds) => Request<Joined>(new Join(seeds));

    /// <summary>Puts <paramref name="item"/> from this node; the reply, whatever it is.</summary>
    public IPutReply Put(SignedItem item, int? duplicate = null) => Request<IPutReply>(new Put(item, duplicate));

    /// <summary>Gets the item under <paramref name="key"/> through this node; the reply, whatever it is.</summary>
    public IGetReply Get(Key key, bool latest = false) => Request<IGetReply>(new Get(key, latest));

    /// <summary>Puts <paramref name="item"/> from this node without blocking.</summary>
    public Task<IPutReply> PutAsync(SignedItem item, int? duplicate = null) => Node.Ask<IPutReply>(new Put(item, duplicate), Wait);

    /// <summary>Gets the item under <paramref name="key"/> through this node without blocking.</summary>
    public Task<IGetReply> GetAsync(Key key, bool latest = false) => Node.Ask<IGetReply>(new Get(key, latest), Wait);

    /// <summary>
    /// Runs the bucket refresh now (<see cref="TriggerRefresh"/>) and waits for every refresh lookup to end;
    /// returns their answers, one per bucket refreshed (none when no bucket was due).
    /// </summary>
    /// <param name="allBuckets">Refresh every bucket, not only those untouched for <c>refresh-timeout</c>.</param>
    public IReadOnlyList<IFindNodesReply> Refresh(bool allBuckets = false)
    {
        var probe = _kit.CreateTestProbe();
        try
        {
            Node.Tell(new TriggerRefresh(allBuckets), probe.Ref);
            var started = Expect<RefreshStarted>(probe);
            return started.Targets.Select(_ => Expect<IFindNodesReply>(probe)).ToArray();
        }
        finally
        {
            _kit.Sys.Stop(probe.Ref);
        }
    }

    /// <summary>
    /// Runs the republish pass now (<see cref="TriggerRepublish"/>) and waits until it has ended. The pass is
    /// throttled to <c>republish.items-per-second</c> on the scheduler: under <see cref="VirtualTime"/> this
    /// helper moves the virtual clock on, one throttle step at a time, while the pass waits for it.
    /// </summary>
    public RepublishCompleted Republish()
    {
        var probe = _kit.CreateTestProbe();
        try
        {
            Node.Tell(TriggerRepublish.Instance, probe.Ref);
            var step = TimeSpan.FromSeconds(1 / Settings.RepublishItemsPerSecond);
            var clock = Stopwatch.StartNew();
            while (true)
            {
                switch (probe.ReceiveOne(VirtualTime.Quiet))
                {
                    case RepublishCompleted completed:
                        return completed;
                    case Status.Failure failure:
                        throw _kit.Failure($"the republish pass of {Id.ToShortString()} failed: {failure.Cause.Message}");
                    case { } other:
                        throw _kit.Failure($"expected RepublishCompleted from {Id.ToShortString()}, got {other}");
                }

                if (clock.Elapsed > Wait)
                {
                    throw _kit.Failure($"the republish pass of {Id.ToShortString()} did not end within {Wait}");
                }

                if (VirtualTime.IsVirtual(_kit))
                {
                    VirtualTime.Advance(_kit, step);
                }
            }
        }
        finally
        {
            _kit.Sys.Stop(probe.Ref);
        }
    }

    /// <summary>Stops the node and waits until it has stopped (it leaves the network: requests to it fail at once).</summary>
    public void Stop()
    {
        var probe = _kit.CreateTestProbe();
        probe.Watch(Node);
        _kit.Sys.Stop(Node);
        probe.ExpectTerminated(Node, Wait);
        _kit.Sys.Stop(probe.Ref);
        IsStopped = true;
    }

    /// <inheritdoc />
    public override string ToString() => $"TestNode({Id.ToShortString()} at {Endpoint})";

    private T Request<T>(object message)
    {
        var probe = _kit.CreateTestProbe();
        try
        {
            Node.Tell(message, probe.Ref);
            return Expect<T>(probe);
        }
        finally
        {
            _kit.Sys.Stop(probe.Ref);
        }
    }

    private T Expect<T>(TestProbe probe)
    {
        var reply = probe.ExpectMsg<object>(Wait);
        if (reply is T wanted)
        {
            return wanted;
        }

        var text = reply is Status.Failure failure ? failure.Cause.Message : reply.ToString();
        throw _kit.Failure($"expected {typeof(T).Name} from node {Id.ToShortString()}, got {text}");
    }
}
