using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.PeerBench;

/// <summary>
/// The benchmark's N nodes as one network spread over P processes (<c>--processes</c>): this process hosts the first
/// share (node 0 is the seed every other node joins through), each child process the next share. An operation
/// names a node by its index in the whole network and runs in the process that hosts it, so operations start at
/// nodes spread over the whole network whatever P is. With P = 1 there are no children and every call is the
/// single-process benchmark's own Ask.
/// </summary>
internal sealed class BenchNetwork : IAsyncDisposable
{
    private readonly LocalNodes _local;
    private readonly List<ChildProcess> _children = [];
    private readonly PhaseProbe _probe;

    public BenchNetwork(int count, int processes, int maxConnections, int seed, TimeSpan timeout, string extraHocon, PhaseProbe probe)
    {
        Count = count;
        _probe = probe;
        // As even as possible, the larger shares first (the parent's among them).
        NodesPerProcess = Enumerable.Range(0, processes).Select(p => count / processes + (p < count % processes ? 1 : 0)).ToArray();
        _local = new LocalNodes(0, NodesPerProcess[0], maxConnections, seed, timeout, extraHocon);
        _local.CreateSystem();
        for (var p = 1; p < processes; p++)
        {
            _children.Add(ChildProcess.Start(NodesPerProcess[..p].Sum(), NodesPerProcess[p], maxConnections, seed, timeout, extraHocon));
        }

        // On the way out (also on SIGTERM from a wall-clock cap) the children go too; a killed parent closes their stdin.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _children.ForEach(c => c.Kill());
    }

    /// <summary>Nodes in the whole network.</summary>
    public int Count { get; }

    /// <summary>How many nodes each process hosts, this one first.</summary>
    public int[] NodesPerProcess { get; }

    /// <summary>The child processes' ids.</summary>
    public IEnumerable<int> ChildPids => _children.Select(c => c.Pid);

    /// <summary>Waits until every child's nodes are up (not joined); the ceiling only guards against a child that hangs.</summary>
    public Task Ready() => Task.WhenAll(_children.Select(c => c.Ready)).WaitAsync(TimeSpan.FromMinutes(10));

    /// <summary>Generates this process's node identities (not part of the join time).</summary>
    public void GenerateIdentities(DateTimeOffset now) => _local.GenerateIdentities(now);

    /// <summary>Starts this process's node actors.</summary>
    public void Start() => _local.Start();

    public async Task<NodeCounts> Status(int node) =>
        Host(node, out var index) is { } child ? (await child.Call<NodeCounts[]>(new ChildRequest(0, "status")))[index] : await _local.Status(index);

    public async Task<NodeCounts[]> Statuses()
    {
        var shares = await Task.WhenAll(new[] { _local.Statuses() }.Concat(_children.Select(c => c.Call<NodeCounts[]>(new ChildRequest(0, "status")))));
        return shares.SelectMany(s => s).ToArray();
    }

    public Task<bool> Join(int node, string seedEndpoint) =>
        Host(node, out var index) is { } child ? child.Call<bool>(new ChildRequest(0, "join", index, Seed: seedEndpoint)) : _local.Join(index, seedEndpoint);

    public Task<PutOutcome> Put(int node, SignedItem item, int? duplicate = null) =>
        Host(node, out var index) is { } child
            ? child.Call<PutOutcome>(new ChildRequest(0, "put", index, ItemText.From(item), duplicate))
            : _local.Put(index, item, duplicate);

    public async Task<GetOutcome> Get(int node, Key key, bool latest) =>
        Host(node, out var index) is { } child
            ? (await child.Call<GetOutcomeText>(new ChildRequest(0, "get", index, Key: key.ToString(), Latest: latest))).ToOutcome()
            : await _local.Get(index, key, latest);

    /// <summary>Every process's counters summed (CPU, handshakes, work items, allocations, GCs), timed here.</summary>
    public async Task<PhaseProbe.Reading> Snapshot()
    {
        var readings = await Task.WhenAll(_children.Select(c => c.Call<PhaseProbe.Reading>(new ChildRequest(0, "probe"))));
        return readings.Aggregate(_probe.Snapshot(), (sum, r) => sum.Plus(r));
    }

    /// <summary>Each child's memory after a full GC there, with its resident size read from /proc/&lt;pid&gt;/status VmRSS.</summary>
    public async Task<(ChildMemory Memory, long VmRss)[]> ChildMemory() =>
        await Task.WhenAll(_children.Select(async c => (await c.Call<ChildMemory>(new ChildRequest(0, "memory")), c.ResidentBytes())));

    /// <summary>This process's memory after a full GC.</summary>
    public static (long Heap, long Rss) Memory() => LocalNodes.Memory();

    private ChildProcess? Host(int node, out int index)
    {
        if (node < NodesPerProcess[0])
        {
            index = node;
            return null;
        }

        var child = _children.Last(c => c.First <= node);
        index = node - child.First;
        return child;
    }

    public async ValueTask DisposeAsync()
    {
        await _local.Terminate();
        await Task.WhenAll(_children.Select(c => c.DisposeAsync().AsTask()));
    }
}
