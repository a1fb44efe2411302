using System.Diagnostics;
using Drogulus.Core.Items;

namespace Drogulus.PeerBench;

/// <summary>
/// The peer scripts' phases (shared/bench/peers) on N Drogulus nodes over TLS, in this process or spread over
/// several (<see cref="BenchNetwork"/>): star join, sequential puts from random nodes, gets from other random nodes
/// (plain and latest), an overwrite with a newer timestamp read back, gets with 16 in flight, memory. Fills
/// <c>result</c> with the scripts' fields. Every operation starts at a node drawn from the whole network.
/// </summary>
internal sealed class NetworkPhases(int count, int values, int concurrency, int maxConnections, int seed, TimeSpan timeout, string extraHocon = "", int processes = 1, int joinConcurrency = 1)
{
    private readonly Random _random = new(seed);
    private readonly Dictionary<string, object> _result = new();
    private readonly PhaseProbe _probe = new();
    private BenchNetwork _network = null!;

    // Adds the phase's cost (handshakes, CPU, work items, allocations per operation, every process's) to its JSON object.
    private async Task Cost(string name, PhaseProbe.Reading before, int operations) =>
        ((Dictionary<string, object>)_result[name])["cost"] = PhaseProbe.Per(before, await _network.Snapshot(), operations);

    /// <summary>Runs every phase and returns the JSON fields.</summary>
    public async Task<Dictionary<string, object>> Run()
    {
        _network = new BenchNetwork(count, processes, maxConnections, seed, timeout, extraHocon, _probe);
        try
        {
            await _network.Ready();
            await Phases();
        }
        finally
        {
            await _network.DisposeAsync();
            _probe.Dispose();
        }

        return _result;
    }

    private async Task Phases()
    {
        var (heap0, rss0) = BenchNetwork.Memory();
        var publisher = PublisherKey.Generate();
        var now = DateTimeOffset.UtcNow;
        _network.GenerateIdentities(now);
        var clock = Stopwatch.StartNew();
        var joinCost = await _network.Snapshot();
        _network.Start();
        var first = await _network.Status(0);
        // Joins through node 0, joinConcurrency at a time (--join-concurrency; 1, one after the other, unless asked):
        // at 500 nodes one at a time took longer than the side-by-side script's cap, every join opening its own
        // TLS connections.
        var joinFailures = 0;
        for (var wave = 1; wave < count; wave += joinConcurrency)
        {
            var joined = await Task.WhenAll(Enumerable.Range(wave, Math.Min(joinConcurrency, count - wave)).Select(node => _network.Join(node, first.Endpoint)));
            joinFailures += joined.Count(ok => !ok);
        }

        _result["join"] = new Dictionary<string, object>
        {
            ["total_ms"] = Math.Round(clock.Elapsed.TotalMilliseconds, 1),
            ["per_node_ms"] = Math.Round(clock.Elapsed.TotalMilliseconds / count, 2),
            ["failures"] = joinFailures,
            ["concurrency"] = joinConcurrency,
        };
        await Cost("join", joinCost, count);
        var statuses = await _network.Statuses();
        _result["routing_table_size"] = Stats.Summary(statuses.Select(s => (double)s.Contacts).ToArray());

        var timestamp = SignedItem.UnixSeconds(now);
        var items = Enumerable.Range(0, values)
            .Select(i => SignedItem.Create(publisher, $"value-{i}-{seed}", $"signed value {i} {Guid.NewGuid():N}", timestamp, 0))
            .ToArray();
        var connectionsBefore = statuses.Sum(s => s.Connections);
        var before = await _network.Snapshot();
        var sources = await Puts(items, "put");
        await Cost("put", before, values);
        var connectionsAfter = (await _network.Statuses()).Sum(s => s.Connections);
        ((Dictionary<string, object>)_result["put"])["open_connections_change_per_put"] = Math.Round((connectionsAfter - connectionsBefore) / 2.0 / values, 2);
        before = await _network.Snapshot();
        await Gets(items, sources, latest: false, "get");
        await Cost("get", before, values);
        before = await _network.Snapshot();
        await Gets(items, sources, latest: true, "get_latest");
        await Cost("get_latest", before, values);
        before = await _network.Snapshot();
        await Overwrite(publisher, items, sources, timestamp + 1);
        await Cost("mutable_update", before, Math.Min(items.Length, 50));
        before = await _network.Snapshot();
        await Throughput(items);
        await Cost("get_throughput", before, Math.Min(items.Length * 2, 2000));

        // A quick profile of put latency: the same puts storing at 1, 5 and 20 nodes (lookup vs stores).
        foreach (var duplicate in new[] { 1, 5, 20 })
        {
            var extra = Enumerable.Range(0, Math.Min(values, 50))
                .Select(i => SignedItem.Create(publisher, $"profile-{duplicate}-{i}-{seed}", $"profile value {i}", timestamp, 0))
                .ToArray();
            before = await _network.Snapshot();
            await Puts(extra, $"put_profile_duplicate_{duplicate}", duplicate);
            await Cost($"put_profile_duplicate_{duplicate}", before, extra.Length);
        }

        statuses = await _network.Statuses();
        var (heap1, rss1) = BenchNetwork.Memory();
        _result["connections_per_node"] = Math.Round(statuses.Average(s => s.Connections), 1);
        _result["connections_kept_per_node"] = Stats.Summary(statuses.Select(s => (double)s.Connections).ToArray());
        _result["connections_kept_per_node_median"] = Stats.Median(statuses.Select(s => (double)s.Connections).ToArray());
        _result["items_held_per_node"] = Math.Round(statuses.Average(s => s.Items), 1);
        _result["processes"] = processes;
        _result["nodes_per_process"] = _network.NodesPerProcess;
        _result["driven_from"] = processes == 1
            ? "one process: every operation starts at a random node of the network, timed around the node's Ask"
            : "every process: every operation starts at a random node of the whole network and runs in the process that hosts it " +
              "(the parent forwards it over the child's stdin); latencies are timed there around the node's Ask, so the pipe is not in them; " +
              "gets/s at 16 in flight is timed in the parent and includes the pipe";
        _result["memory"] = processes == 1
            ? new Dictionary<string, object>
            {
                ["rss_mb_total"] = Math.Round(rss1 / 1048576.0, 1),
                ["rss_kb_per_node"] = Math.Round((rss1 - rss0) / 1024.0 / count, 1),
                ["rss_total_kb_per_node"] = Math.Round(rss1 / 1024.0 / count, 1),
                ["heap_kb_per_node"] = Math.Round((heap1 - heap0) / 1024.0 / count, 1),
                ["note"] = "rss_kb_per_node and heap_kb_per_node: growth since before the nodes started, after a full GC, as the peer scripts; heap = GC.GetTotalMemory (managed); rss_total_kb_per_node = whole process RSS / N",
            }
            : await SpreadMemory(heap0, rss0, heap1, rss1);
    }

    // Memory over several processes: each child's whole resident size (VmRSS) is added to this process's growth, so only
    // one runtime's baseline is left out, as with one process; the growth of every process is there too, for comparison.
    private async Task<Dictionary<string, object>> SpreadMemory(long heap0, long rss0, long heap1, long rss1)
    {
        var children = await _network.ChildMemory();
        var childRss = children.Sum(c => c.VmRss);
        return new Dictionary<string, object>
        {
            ["rss_mb_total"] = Math.Round((rss1 + childRss) / 1048576.0, 1),
            ["rss_kb_per_node"] = Math.Round((rss1 - rss0 + childRss) / 1024.0 / count, 1),
            ["rss_total_kb_per_node"] = Math.Round((rss1 + childRss) / 1024.0 / count, 1),
            ["rss_growth_kb_per_node_every_process"] = Math.Round((rss1 - rss0 + children.Sum(c => c.VmRss - c.Memory.Rss0)) / 1024.0 / count, 1),
            ["heap_kb_per_node"] = Math.Round((heap1 - heap0 + children.Sum(c => c.Memory.Heap1 - c.Memory.Heap0)) / 1024.0 / count, 1),
            ["rss_mb_per_process"] = new[] { Math.Round(rss1 / 1048576.0, 1) }.Concat(children.Select(c => Math.Round(c.VmRss / 1048576.0, 1))).ToArray(),
            ["note"] = "rss_kb_per_node: this process's growth since before its nodes started plus every child's whole resident size " +
                       "(/proc/<pid>/status VmRSS), after a full GC in each, / N; heap_kb_per_node: managed growth in every process / N; " +
                       "rss_growth_kb_per_node_every_process: every process's growth since before its nodes started / N; rss_total_kb_per_node = all processes' RSS / N",
        };
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
            var put = await _network.Put(sources[i], items[i], duplicate);
            latencies.Add(put.ElapsedMs);
            if (put.Completed)
            {
                messages.Add(put.Messages);
                replicas.Add(put.Replicas);
                if (put.LookupMs is { } lookup)
                {
                    lookups.Add(lookup);
                    stores.Add(put.ElapsedMs - lookup);
                    rounds.Add(put.LookupRounds ?? 0);
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
        var remoteWithoutGc = new List<double>();
        var pauses = new List<double>();
        var messages = new List<double>();
        var ok = 0;
        var local = 0;
        for (var i = 0; i < items.Length; i++)
        {
            var get = await _network.Get(Other(sources[i]), items[i].Key, latest);
            latencies.Add(get.ElapsedMs);
            if (get.GcPauseMs > 0)
            {
                pauses.Add(get.GcPauseMs);
            }

            if (get.Item is { } item)
            {
                if (get.Rpcs > 0)
                {
                    remote.Add(get.ElapsedMs);
                    if (get.GcPauseMs == 0)
                    {
                        remoteWithoutGc.Add(get.ElapsedMs);
                    }
                }

                messages.Add(get.Rpcs + get.RepairStores);
                local += get.Rpcs == 0 ? 1 : 0;
                ok += item.Equals(items[i]) ? 1 : 0;
            }
            else if (get.NotFound)
            {
                messages.Add(get.Rpcs);
            }
        }

        _result[name] = new Dictionary<string, object>
        {
            ["latency_ms"] = Stats.Summary(latencies),
            ["msgs"] = Stats.Summary(messages),
            ["success"] = ok / (double)items.Length,
            ["answered_locally"] = local,
            ["remote_latency_ms"] = Stats.Summary(remote),
            // Issue 24, the tail: gets during which the process paused for a collection (timed in the process that
            // hosts the node), their pauses, and the remote gets without one.
            ["gets_with_gc_pause"] = pauses.Count,
            ["gc_pause_ms"] = Stats.Summary(pauses),
            ["remote_latency_without_gc_ms"] = Stats.Summary(remoteWithoutGc),
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
            latencies.Add((await _network.Put((sources[i] + 7) % count, update)).ElapsedMs);
            var reader = (sources[i] + 13) % count;
            plain += (await _network.Get(reader, update.Key, latest: false)).Item?.Timestamp == newer ? 1 : 0;
            latest += (await _network.Get(reader, update.Key, latest: true)).Item?.Timestamp == newer ? 1 : 0;
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
                var get = await _network.Get(targets[index], items[index % items.Length].Key, latest: false);
                lock (latencies)
                {
                    latencies.Add(get.ElapsedMs);
                    good += get.Item is not null ? 1 : 0;
                    messages += get.Item is not null || get.NotFound ? get.Rpcs : 0;
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
}
