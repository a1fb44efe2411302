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
/// The peer scripts' phases (shared/bench/peers) on N Drogulus nodes over TLS in this process: star join,
/// sequential puts from random nodes, gets from other random nodes (plain and latest), an overwrite with a
/// newer timestamp read back, gets with 16 in flight, memory. Fills <c>result</c> with the scripts' fields.
/// </summary>
internal sealed class NetworkPhases(int count, int values, int concurrency, int maxConnections, int seed, TimeSpan timeout, string extraHocon = "")
{
    private readonly Random _random = new(seed);
    private readonly Dictionary<string, object> _result = new();
    private IActorRef[] _nodes = [];
    private NodeIdentity[] _identities = [];
    private readonly PhaseProbe _probe = new();

    // Adds the phase's cost (handshakes, CPU, work items, allocations per operation) to its JSON object.
    private void Cost(string name, PhaseProbe.Reading before, int operations) =>
        ((Dictionary<string, object>)_result[name])["cost"] = PhaseProbe.Per(before, _probe.Snapshot(), operations);

    /// <summary>Runs every phase and returns the JSON fields.</summary>
    public async Task<Dictionary<string, object>> Run()
    {
        var settings = DrogulusConfig.SettingsFrom($"drogulus {{ transport = \"tls\", max-connections = {maxConnections}\n{extraHocon} }}");
        var system = ActorSystem.Create("peer-bench", "akka.loglevel = WARNING");
        var (heap0, rss0) = Memory();
        var publisher = PublisherKey.Generate();
        var now = DateTimeOffset.UtcNow;
        _identities = Enumerable.Range(0, count).Select(_ => NodeIdentity.Generate(now)).ToArray();
        var clock = Stopwatch.StartNew();
        var joinCost = _probe.Snapshot();
        _nodes = _identities.Select((identity, i) => system.ActorOf(NodeActor.Props(settings, identity, new TlsTransport(), seed: seed + i))).ToArray();
        var first = await _nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, timeout);
        var joinFailures = 0;
        foreach (var node in _nodes.Skip(1))
        {
            joinFailures += await node.Ask<object>(new Join([first.Endpoint]), timeout) is Joined ? 0 : 1;
        }

        _result["join"] = new Dictionary<string, object>
        {
            ["total_ms"] = Math.Round(clock.Elapsed.TotalMilliseconds, 1),
            ["per_node_ms"] = Math.Round(clock.Elapsed.TotalMilliseconds / count, 2),
            ["failures"] = joinFailures,
        };
        Cost("join", joinCost, count);
        var statuses = await Statuses();
        _result["routing_table_size"] = Stats.Summary(statuses.Select(s => (double)s.Contacts).ToArray());

        var timestamp = SignedItem.UnixSeconds(now);
        var items = Enumerable.Range(0, values)
            .Select(i => SignedItem.Create(publisher, $"value-{i}-{seed}", $"signed value {i} {Guid.NewGuid():N}", timestamp, 0))
            .ToArray();
        var connectionsBefore = statuses.Sum(s => s.Connections);
        var before = _probe.Snapshot();
        var sources = await Puts(items, "put");
        Cost("put", before, values);
        var connectionsAfter = (await Statuses()).Sum(s => s.Connections);
        ((Dictionary<string, object>)_result["put"])["open_connections_change_per_put"] = Math.Round((connectionsAfter - connectionsBefore) / 2.0 / values, 2);
        before = _probe.Snapshot();
        await Gets(items, sources, latest: false, "get");
        Cost("get", before, values);
        before = _probe.Snapshot();
        await Gets(items, sources, latest: true, "get_latest");
        Cost("get_latest", before, values);
        before = _probe.Snapshot();
        await Overwrite(publisher, items, sources, timestamp + 1);
        Cost("mutable_update", before, Math.Min(items.Length, 50));
        before = _probe.Snapshot();
        await Throughput(items);
        Cost("get_throughput", before, Math.Min(items.Length * 2, 2000));

        // A quick profile of put latency: the same puts storing at 1, 5 and 20 nodes (lookup vs stores).
        foreach (var duplicate in new[] { 1, 5, 20 })
        {
            var extra = Enumerable.Range(0, Math.Min(values, 50))
                .Select(i => SignedItem.Create(publisher, $"profile-{duplicate}-{i}-{seed}", $"profile value {i}", timestamp, 0))
                .ToArray();
            before = _probe.Snapshot();
            await Puts(extra, $"put_profile_duplicate_{duplicate}", duplicate);
            Cost($"put_profile_duplicate_{duplicate}", before, extra.Length);
        }

        statuses = await Statuses();
        var (heap1, rss1) = Memory();
        _result["connections_per_node"] = Math.Round(statuses.Average(s => s.Connections), 1);
        _result["items_held_per_node"] = Math.Round(statuses.Average(s => s.Items), 1);
        _result["memory"] = new Dictionary<string, object>
        {
            ["rss_mb_total"] = Math.Round(rss1 / 1048576.0, 1),
            ["rss_kb_per_node"] = Math.Round((rss1 - rss0) / 1024.0 / count, 1),
            ["rss_total_kb_per_node"] = Math.Round(rss1 / 1024.0 / count, 1),
            ["heap_kb_per_node"] = Math.Round((heap1 - heap0) / 1024.0 / count, 1),
            ["note"] = "rss_kb_per_node and heap_kb_per_node: growth since before the nodes started, after a full GC, as the peer scripts; heap = GC.GetTotalMemory (managed); rss_total_kb_per_node = whole process RSS / N",
        };
        await system.Terminate();
        _probe.Dispose();
        return _result;
    }

    private async Task<int[]> Puts(SignedItem[] items, string name, int? duplicate = null)
    {
        var latencies = new List<double>();
        var lookups = new List<double>();
        var stores = new List<double>();
        var rounds = new List<double>();
        var messages = new List<double>();
        var replicas = new List<double>();
        var sources = new int[items.Length];
        var failures = 0;
        for (var i = 0; i < items.Length; i++)
        {
            sources[i] = _random.Next(count);
            var started = Stopwatch.GetTimestamp();
            var reply = await _nodes[sources[i]].Ask<object>(new Put(items[i], duplicate), timeout);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            latencies.Add(elapsed);
            if (reply is PutCompleted done)
            {
                messages.Add(done.RpcsSent(_identities[sources[i]].Id));
                replicas.Add(done.StoredCount);
                if (done.Lookup is { } lookup)
                {
                    lookups.Add(lookup.Duration.TotalMilliseconds);
                    stores.Add(elapsed - lookup.Duration.TotalMilliseconds);
                    rounds.Add(lookup.Rounds);
                }
            }
            else
            {
                failures++;
            }
        }

        _result[name] = new Dictionary<string, object>
        {
            ["latency_ms"] = Stats.Summary(latencies),
            ["msgs"] = Stats.Summary(messages),
            ["replicas"] = Stats.Summary(replicas),
            ["failures"] = failures,
            ["lookup_ms"] = Stats.Summary(lookups),
            ["after_lookup_ms"] = Stats.Summary(stores),
            ["lookup_rounds"] = Stats.Summary(rounds),
        };
        return sources;
    }

    private int Other(int source)
    {
        var target = _random.Next(count);
        return target == source ? (target + 1) % count : target;
    }

    private async Task Gets(SignedItem[] items, int[] sources, bool latest, string name)
    {
        var latencies = new List<double>();
        var remote = new List<double>();
        var messages = new List<double>();
        var ok = 0;
        var local = 0;
        for (var i = 0; i < items.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var reply = await _nodes[Other(sources[i])].Ask<object>(new Get(items[i].Key, latest), timeout);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            latencies.Add(elapsed);
            if (reply is ValueFound found)
            {
                if (found.Stats.RpcsSent > 0)
                {
                    remote.Add(elapsed);
                }

                messages.Add(found.Stats.RpcsSent + found.RepairStores);
                local += found.Stats.RpcsSent == 0 ? 1 : 0;
                ok += found.Item.Equals(items[i]) ? 1 : 0;
            }
            else if (reply is ValueNotFound missing)
            {
                messages.Add(missing.Stats.RpcsSent);
            }
        }

        _result[name] = new Dictionary<string, object>
        {
            ["latency_ms"] = Stats.Summary(latencies),
            ["msgs"] = Stats.Summary(messages),
            ["success"] = ok / (double)items.Length,
            ["answered_locally"] = local,
            ["remote_latency_ms"] = Stats.Summary(remote),
        };
    }

    private async Task Overwrite(PublisherKey publisher, SignedItem[] items, int[] sources, double newer)
    {
        var n = Math.Min(items.Length, 50);
        var latencies = new List<double>();
        var plain = 0;
        var latest = 0;
        for (var i = 0; i < n; i++)
        {
            var update = SignedItem.Create(publisher, items[i].Name, $"updated {i}", newer, 0);
            var started = Stopwatch.GetTimestamp();
            await _nodes[(sources[i] + 7) % count].Ask<object>(new Put(update), timeout);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var reader = _nodes[(sources[i] + 13) % count];
            plain += await reader.Ask<object>(new Get(update.Key), timeout) is ValueFound a && a.Item.Timestamp == newer ? 1 : 0;
            latest += await reader.Ask<object>(new Get(update.Key, Latest: true), timeout) is ValueFound b && b.Item.Timestamp == newer ? 1 : 0;
        }

        _result["mutable_update"] = new Dictionary<string, object>
        {
            ["n"] = n,
            ["put_latency_ms"] = Stats.Summary(latencies),
            ["read_back_seq2"] = plain / (double)n,
            ["read_back_seq2_latest"] = latest / (double)n,
        };
    }

    private async Task Throughput(SignedItem[] items)
    {
        var total = Math.Min(items.Length * 2, 2000);
        var next = -1;
        var good = 0;
        var latencies = new List<double>();
        long messages = 0;
        var targets = Enumerable.Range(0, total).Select(_ => _random.Next(count)).ToArray();
        var clock = Stopwatch.StartNew();
        async Task Worker()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < total)
            {
                var started = Stopwatch.GetTimestamp();
                var reply = await _nodes[targets[index]].Ask<object>(new Get(items[index % items.Length].Key), timeout);
                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    good += reply is ValueFound ? 1 : 0;
                    messages += reply switch { ValueFound f => f.Stats.RpcsSent, ValueNotFound m => m.Stats.RpcsSent, _ => 0 };
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
        var seconds = clock.Elapsed.TotalSeconds;
        _result["get_throughput"] = new Dictionary<string, object>
        {
            ["concurrency"] = concurrency,
            ["ops"] = total,
            ["seconds"] = Math.Round(seconds, 2),
            ["ops_per_s"] = Math.Round(total / seconds, 1),
            ["success"] = good / (double)total,
            ["latency_ms"] = Stats.Summary(latencies),
            ["msgs_per_op"] = Math.Round(messages / (double)total, 1),
        };
    }

    private async Task<NodeStatus[]> Statuses() =>
        await Task.WhenAll(_nodes.Select(node => node.Ask<NodeStatus>(GetNodeStatus.Instance, timeout)));

    private static (long Heap, long Rss) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (heap, process.WorkingSet64);
    }
}
