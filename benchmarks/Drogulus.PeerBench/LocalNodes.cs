using System.Diagnostics;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.PeerBench;

/// <summary>
/// The benchmark's nodes hosted by this process: nodes <c>first</c> to <c>first + count − 1</c> of the network,
/// over TLS in one actor system. Every node's random seed is the benchmark's seed plus its index in the whole
/// network, so a node behaves the same whichever process hosts it. Operations take the index in this process.
/// </summary>
internal sealed class LocalNodes(int first, int count, int maxConnections, int seed, TimeSpan timeout, string extraHocon)
{
    private IActorRef[] _nodes = [];
    private NodeIdentity[] _identities = [];

    /// <summary>How many nodes this process hosts.</summary>
    public int Count => count;

    /// <summary>The actor system, once <see cref="CreateSystem"/> ran.</summary>
    public ActorSystem? System { get; private set; }

    /// <summary>Creates the actor system (before the memory baseline, as the single-process benchmark always did).</summary>
    public void CreateSystem() => System = ActorSystem.Create("peer-bench", "akka.loglevel = WARNING");

    /// <summary>Generates the nodes' TLS identities (slow: not part of the join time).</summary>
    public void GenerateIdentities(DateTimeOffset now) =>
        _identities = Enumerable.Range(0, count).Select(_ => NodeIdentity.Generate(now)).ToArray();

    /// <summary>Starts the node actors.</summary>
    public void Start()
    {
        var settings = DrogulusConfig.SettingsFrom($"drogulus {{ transport = \"tls\", max-connections = {maxConnections}\n{extraHocon} }}");
        _nodes = _identities.Select((identity, i) => System!.ActorOf(NodeActor.Props(settings, identity, new TlsTransport(), seed: seed + first + i))).ToArray();
    }

    /// <summary>One node's status.</summary>
    public async Task<NodeCounts> Status(int node)
    {
        var status = await _nodes[node].Ask<NodeStatus>(GetNodeStatus.Instance, timeout);
        return new NodeCounts(status.Endpoint, status.Contacts, status.Items, status.Connections);
    }

    /// <summary>Every node's status, in order.</summary>
    public async Task<NodeCounts[]> Statuses() => await Task.WhenAll(Enumerable.Range(0, count).Select(Status));

    /// <summary>Joins a node through the seed's endpoint; true when it answered <c>Joined</c>.</summary>
    public async Task<bool> Join(int node, string seedEndpoint) =>
        await _nodes[node].Ask<object>(new Join([seedEndpoint]), timeout) is Joined;

    /// <summary>One put from a node, timed around the Ask.</summary>
    public async Task<PutOutcome> Put(int node, SignedItem item, int? duplicate)
    {
        var started = Stopwatch.GetTimestamp();
        var reply = await _nodes[node].Ask<object>(new Put(item, duplicate), timeout);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return reply is PutCompleted done
            ? new PutOutcome(elapsed, true, done.RpcsSent(_identities[node].Id), done.StoredCount, done.Lookup?.Duration.TotalMilliseconds, done.Lookup?.Rounds)
            : new PutOutcome(elapsed, false, 0, 0, null, null);
    }

    /// <summary>One get from a node, timed around the Ask.</summary>
    public async Task<GetOutcome> Get(int node, Key key, bool latest)
    {
        var paused = GC.GetTotalPauseDuration();
        var started = Stopwatch.GetTimestamp();
        var reply = await _nodes[node].Ask<object>(new Get(key, latest), timeout);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var pause = (GC.GetTotalPauseDuration() - paused).TotalMilliseconds;
        return reply switch
        {
            ValueFound found => new GetOutcome(elapsed, found.Item, false, found.Stats.RpcsSent, found.RepairStores, pause),
            ValueNotFound missing => new GetOutcome(elapsed, null, true, missing.Stats.RpcsSent, 0, pause),
            _ => new GetOutcome(elapsed, null, false, 0, 0, pause),
        };
    }

    /// <summary>Stops the actor system.</summary>
    public async Task Terminate()
    {
        if (System is not null)
        {
            await System.Terminate();
        }
    }

    /// <summary>Managed heap and resident size of this process after a full GC.</summary>
    public static (long Heap, long Rss) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (heap, process.WorkingSet64);
    }
}
