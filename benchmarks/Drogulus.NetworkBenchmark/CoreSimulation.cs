using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;
using Drogulus.Core.Routing;

namespace Drogulus.NetworkBenchmark;

/// <summary>
/// The network simulation at the level of Drogulus.Core (issue 13): N nodes, each a <see cref="RoutingTable"/>
/// and a set of held items, driven by the same pure <see cref="LookupState"/> the LookupActor drives, with
/// every RPC answered in place (no actors, no transport, no clock: time stands still). It follows the node's
/// rules: a request adds its sender to the responder's table, a reply adds the responder to the caller's, a
/// contact named in a reply whose bucket has room is pinged (both sides add each other), a join is a ping of
/// the seed, a self-lookup and a refresh of every bucket beyond the closest neighbour (PROTOCOL §10); a put is a
/// findnode lookup and a store at the k closest; a get is a plain findvalue lookup. The in-flight requests of a
/// lookup are answered oldest first, α at a time.
/// </summary>
internal sealed class CoreSimulation(int nodeCount, int items, int k, int alpha, int seed)
{
    private readonly Random _random = new(seed);
    private readonly DateTimeOffset _now = DateTimeOffset.UnixEpoch.AddYears(56);
    private RoutingTable[] _tables = [];
    private HashSet<Key>[] _held = [];
    private Dictionary<Key, int> _index = new();
    private Dictionary<Key, SignedItem> _items = new();
    private long _rpcs;

    /// <summary>Runs the simulation for every size, prints a table, writes JSON; 0 when every size met the bounds.</summary>
    public static async Task<int> RunAll(IReadOnlyList<int> sizes, int items, int seed, string? jsonPath, PublisherKey[] publishers)
    {
        var results = new List<CoreResult>();
        foreach (var n in sizes)
        {
            var result = new CoreSimulation(n, items, k: 20, alpha: 3, seed).Run(publishers);
            results.Add(result);
            Console.WriteLine($"N={n}: done in {result.TotalSeconds:F1} s (join {result.JoinSeconds:F1} s)");
        }

        Console.WriteLine();
        Console.WriteLine("| nodes | items | join s | put s | get s | total s | CPU s | get found % | round bound ⌈log2 N⌉+2 | join rounds max | put rounds p50 / max | get rounds p50 / max | put RPCs p50 | get RPCs p50 | replicas p50 | contacts/node | bytes/node after join | bytes/node after puts |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Nodes} | {r.Items} | {r.JoinSeconds:F1} | {r.PutSeconds:F1} | {r.GetSeconds:F1} | {r.TotalSeconds:F1} | {r.CpuSeconds:F0} | {r.GetFoundPercent:F1} | {r.RoundBound} | {r.JoinRoundsMax} | {r.PutRoundsMedian} / {r.PutRoundsMax} | {r.GetRoundsMedian} / {r.GetRoundsMax} | {r.PutRpcsMedian} | {r.GetRpcsMedian} | {r.ReplicasMedian} | {r.ContactsPerNode} | {r.BytesPerNodeAfterJoin:N0} | {r.BytesPerNodeAfterPuts:N0} |"));
        }

        if (jsonPath is { } path)
        {
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {path}");
        }

        var ok = results.All(r => r.GetFoundPercent == 100 && Math.Max(r.GetRoundsMax, r.PutRoundsMax) <= r.RoundBound);
        Console.WriteLine(ok ? "every size: 100 % found, rounds within ⌈log2 N⌉ + 2" : "FAILED: a size found less than 100 % or needed more rounds than ⌈log2 N⌉ + 2");
        return ok ? 0 : 1;
    }

    /// <summary>Runs join, puts and gets and returns the figures.</summary>
    public CoreResult Run(PublisherKey[] publishers)
    {
        var total = Stopwatch.StartNew();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        _tables = new RoutingTable[nodeCount];
        _held = new HashSet<Key>[nodeCount];
        _index = new Dictionary<Key, int>(nodeCount);
        for (var i = 0; i < nodeCount; i++)
        {
            var id = Key.Random(_random);
            _tables[i] = new RoutingTable(id, k, allowedRpcFails: 5, _now);
            _held[i] = [];
            _index[id] = i;
        }

        var joinClock = Stopwatch.StartNew();
        var joinRounds = new List<int>();
        for (var i = 1; i < nodeCount; i++)
        {
            joinRounds.Add(Join(i));
            if (i % 1000 == 0)
            {
                Console.WriteLine($"N={nodeCount}: {i} joined after {joinClock.Elapsed.TotalSeconds:F1} s, process CPU {Environment.CpuUsage.TotalTime.TotalSeconds:F0} s");
            }
        }

        var joinSeconds = joinClock.Elapsed.TotalSeconds;
        var memoryAfterJoin = GC.GetTotalMemory(forceFullCollection: true);

        var timestamp = SignedItem.UnixSeconds(_now);
        var signed = new SignedItem[items];
        Parallel.For(0, items, i => signed[i] = SignedItem.Create(publishers[i % publishers.Length], $"core-{nodeCount}-{i}", $"value {i}", timestamp, 0));
        _items = signed.ToDictionary(item => item.Key);

        var putClock = Stopwatch.StartNew();
        var putRounds = new List<int>();
        var putRpcs = new List<int>();
        var replicas = new List<int>();
        foreach (var item in signed)
        {
            var source = _random.Next(nodeCount);
            var lookup = Lookup(source, item.Key, LookupKind.FindNode);
            putRounds.Add(lookup.Stats.Rounds);
            var stored = 0;
            foreach (var holder in lookup.Closest.Take(k))
            {
                var at = _index[holder.Id];
                Request(source, at);
                _held[at].Add(item.Key);
                stored++;
            }

            replicas.Add(stored);
            putRpcs.Add(lookup.Stats.RpcsSent + stored);
        }

        var putSeconds = putClock.Elapsed.TotalSeconds;
        var getClock = Stopwatch.StartNew();
        var getRounds = new List<int>();
        var getRpcs = new List<int>();
        var found = 0;
        foreach (var item in signed)
        {
            var reader = _random.Next(nodeCount);
            if (_held[reader].Contains(item.Key))
            {
                found++;
                getRounds.Add(0);
                getRpcs.Add(0);
                continue;
            }

            var lookup = Lookup(reader, item.Key, LookupKind.FindValue);
            getRounds.Add(lookup.Stats.Rounds);
            getRpcs.Add(lookup.Stats.RpcsSent);
            found += lookup.Status == LookupStatus.Succeeded && lookup.Item is { } got && got.Equals(item) ? 1 : 0;
        }

        var getSeconds = getClock.Elapsed.TotalSeconds;
        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(_tables);
        var bound = (int)Math.Ceiling(Math.Log2(nodeCount)) + 2;
        return new CoreResult(
            nodeCount,
            items,
            Math.Round(joinSeconds, 2),
            Math.Round(putSeconds, 2),
            Math.Round(getSeconds, 2),
            Math.Round(total.Elapsed.TotalSeconds, 1),
            Math.Round((Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds, 1),
            Math.Round(100.0 * found / items, 2),
            bound,
            joinRounds.Max(),
            Median(putRounds),
            putRounds.Max(),
            Median(getRounds),
            getRounds.Max(),
            Median(putRpcs),
            Median(getRpcs),
            Median(replicas),
            Math.Round(_tables.Average(t => t.Count), 1),
            (memoryAfterJoin - memoryBefore) / nodeCount,
            (memoryAfter - memoryBefore) / nodeCount);
    }

    // PROTOCOL §10 join: ping the seed (both add each other), look up the own id, refresh beyond the closest neighbour.
    private int Join(int node)
    {
        Request(node, 0);
        var rounds = Lookup(node, _tables[node].OwnId, LookupKind.FindNode).Stats.Rounds;
        foreach (var target in _tables[node].RefreshTargetsBeyondClosestNeighbour(_random))
        {
            rounds = Math.Max(rounds, Lookup(node, target, LookupKind.FindNode).Stats.Rounds);
        }

        return rounds;
    }

    private LookupState Lookup(int node, Key target, LookupKind kind)
    {
        var table = _tables[node];
        var state = new LookupState(table.OwnId, target, kind, table.Closest(target, k), k, alpha, _now);
        var inFlight = new Queue<Contact>();
        var requester = new HashSet<Key> { table.OwnId };
        while (state.Status == LookupStatus.Running)
        {
            foreach (var contact in state.NextRequests(_now))
            {
                inFlight.Enqueue(contact);
            }

            if (inFlight.Count == 0)
            {
                break;
            }

            var to = inFlight.Dequeue();
            var responder = _index[to.Id];
            Request(node, responder);
            if (kind == LookupKind.FindValue && _held[responder].Contains(target))
            {
                state.OnValue(to.Id, _items[target], valid: true, _now);
                continue;
            }

            var nodes = _tables[responder].Closest(target, k, requester);
            state.OnNodes(to.Id, nodes, _now);
            Learn(node, nodes);
        }

        return state;
    }

    // One RPC from `from` to `to`: the request adds its sender to the responder's table, the reply the responder to the caller's.
    private void Request(int from, int to)
    {
        _rpcs++;
        _tables[to].Add(ContactOf(from));
        _tables[from].Add(ContactOf(to));
    }

    // RoutingTableActor.OnContactsLearned: a named contact that would fill a gap is pinged; its pong adds it.
    private void Learn(int node, IReadOnlyList<Contact> contacts)
    {
        foreach (var contact in contacts)
        {
            if (_tables[node].HasRoomFor(contact.Id))
            {
                Request(node, _index[contact.Id]);
            }
        }
    }

    // A new object for every message, as a node builds its contacts from what arrives: sharing one object per
    // node between all tables would hide most of the tables' memory (7 KB instead of 47 KB per node at 10,000).
    private Contact ContactOf(int node) => new(_tables[node].OwnId, "127.0.0.1", 1024 + node % 60000, "1.0", _now);

    private static int Median(List<int> values) => values.Count == 0 ? 0 : values.Order().ElementAt(values.Count / 2);
}

/// <summary>The core simulation's figures for one network size.</summary>
internal sealed record CoreResult(
    int Nodes,
    int Items,
    double JoinSeconds,
    double PutSeconds,
    double GetSeconds,
    double TotalSeconds,
    double CpuSeconds,
    double GetFoundPercent,
    int RoundBound,
    int JoinRoundsMax,
    int PutRoundsMedian,
    int PutRoundsMax,
    int GetRoundsMedian,
    int GetRoundsMax,
    int PutRpcsMedian,
    int GetRpcsMedian,
    int ReplicasMedian,
    double ContactsPerNode,
    long BytesPerNodeAfterJoin,
    long BytesPerNodeAfterPuts);
