using System.Diagnostics;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;

namespace Drogulus.TlsBenchmark;

/// <summary>
/// Issue 9's join storm: N TLS nodes in one process all join one seed at once, then M items are put from random
/// nodes and read back from other random nodes. Reports how many were found, the peak of open file descriptors
/// against the process's limit, and managed and resident memory per node.
/// </summary>
internal static class JoinStorm
{
    public static async Task<Dictionary<string, object>> RunAsync(int count, int itemCount, string extraHocon, TimeSpan timeout)
    {
        var settings = DrogulusConfig.SettingsFrom($"drogulus {{ transport = \"tls\"\n{extraHocon} }}");
        var system = ActorSystem.Create("tls-storm", "akka.loglevel = WARNING");
        using var peak = new Measure.DescriptorPeak();
        var publisher = PublisherKey.Generate();
        var now = DateTimeOffset.UtcNow;
        var identities = Enumerable.Range(0, count).Select(_ => NodeIdentity.Generate(now)).ToArray();
        var managedBefore = Measure.ManagedAfterFullGc();
        var residentBefore = Measure.ResidentBytes();
        var memoryBefore = ProcessMemory.Take();
        var clock = Stopwatch.StartNew();
        var nodes = identities.Select((identity, i) => system.ActorOf(NodeActor.Props(settings, identity, new TlsTransport(), seed: i))).ToArray();
        var seed = await nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, timeout);
        var joins = await Task.WhenAll(nodes.Skip(1).Select(node => node.Ask<IJoinReply>(new Join([seed.Endpoint]), timeout)));
        var joined = joins.Count(j => j is Joined);
        var joinSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{joined}/{count - 1} nodes joined one seed at once in {joinSeconds:F1} s");
        foreach (var failure in joins.OfType<JoinFailed>().Take(3))
        {
            Console.WriteLine($"  join failed: {failure.Reason}");
        }

        Console.WriteLine($"after the join: open file descriptors peak {peak.Peak}; per node managed {(Measure.ManagedAfterFullGc() - managedBefore) / 1024.0 / count:F0} KiB, resident {(Measure.ResidentBytes() - residentBefore) / 1024.0 / count:F0} KiB");

        var random = new Random(9);
        var items = Enumerable.Range(0, itemCount).Select(i => SignedItem.Create(publisher, "storm-" + i, "value " + i, now.ToUnixTimeSeconds(), 0)).ToArray();
        var puts = 0;
        var stores = new List<int>();
        var storedBy = new Dictionary<Drogulus.Core.Identity.Key, int>();
        foreach (var batch in items.Chunk(16))
        {
            var replies = await Task.WhenAll(batch.Select(item => nodes[random.Next(count)].Ask<IPutReply>(new Put(item), timeout)));
            puts += replies.Count(r => r is PutCompleted);
            stores.AddRange(replies.OfType<PutCompleted>().Select(r => r.StoredCount));
            foreach (var (item, reply) in batch.Zip(replies))
            {
                storedBy[item.Key] = reply is PutCompleted completed ? completed.StoredCount : 0;
            }
        }

        var found = 0;
        var misses = new Dictionary<string, int>(StringComparer.Ordinal);
        var missed = new List<SignedItem>();
        foreach (var batch in items.Chunk(16))
        {
            var replies = await Task.WhenAll(batch.Select(item => nodes[random.Next(count)].Ask<IGetReply>(new Get(item.Key), timeout)));
            found += replies.Count(r => r is ValueFound);
            foreach (var (item, miss) in batch.Zip(replies).Where(p => p.Second is not ValueFound))
            {
                var kind = miss is GetFailed failed ? $"GetFailed ({failed.Failure}: {failed.Reason})" : miss.GetType().Name;
                misses[kind] = misses.GetValueOrDefault(kind) + 1;
                missed.Add(item);
            }
        }

        // The misses again, once the reads are over: a miss found now was the read's (contacts that timed out); one
        // still missing was the put's (stored on too few nodes, or on the wrong ones).
        var foundLater = 0;
        foreach (var item in missed)
        {
            var again = await nodes[random.Next(count)].Ask<IGetReply>(new Get(item.Key), timeout);
            foundLater += again is ValueFound ? 1 : 0;
            Console.WriteLine($"  missed {item.Name}: stored on {storedBy[item.Key]} nodes; read again: {again.GetType().Name}");
        }

        stores.Sort();
        if (stores.Count > 0)
        {
            Console.WriteLine($"nodes that stored each item: min {stores[0]}, median {stores[stores.Count / 2]}, max {stores[^1]}");
        }

        foreach (var (kind, n) in misses.OrderByDescending(m => m.Value))
        {
            Console.WriteLine($"  not found: {n} x {kind}");
        }

        var connections = 0;
        foreach (var node in nodes)
        {
            connections += (await node.Ask<NodeStatus>(GetNodeStatus.Instance, timeout)).Connections;
        }

        var managed = (Measure.ManagedAfterFullGc() - managedBefore) / (double)count;
        var resident = (Measure.ResidentBytes() - residentBefore) / (double)count;
        var limit = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal))?
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
        Console.WriteLine($"{puts}/{itemCount} puts completed; {found}/{itemCount} items found ({100.0 * found / itemCount:F1} %)");
        Console.WriteLine($"open file descriptors: peak {peak.Peak} (ulimit -n {limit ?? "unknown"}); {connections / (double)count:F1} connections per node");
        Console.WriteLine($"memory per node: managed {managed / 1024:F0} KiB, resident {resident / 1024:F0} KiB ({count} nodes, after join, puts and gets)");
        var memory = ProcessMemory.Take();
        Console.WriteLine($"  per node: {memory.Describe(memoryBefore, count)}");
        var result = new Dictionary<string, object>
        {
            ["storm_nodes"] = count,
            ["storm_joined"] = joined,
            ["storm_join_seconds"] = joinSeconds,
            ["storm_items"] = itemCount,
            ["storm_puts_completed"] = puts,
            ["storm_found"] = found,
            ["storm_stored_median"] = stores.Count > 0 ? stores[stores.Count / 2] : 0,
            ["storm_misses"] = misses,
            ["storm_misses_found_on_second_read"] = foundLater,
            ["storm_peak_descriptors"] = peak.Peak,
            ["storm_open_file_limit"] = limit ?? "unknown",
            ["storm_connections_per_node"] = connections / (double)count,
            ["storm_managed_bytes_per_node"] = managed,
            ["storm_resident_bytes_per_node"] = resident,
        };
        foreach (var (key, value) in memory.PerEnd(memoryBefore, count))
        {
            result[$"storm_{key}_bytes_per_node"] = value;
        }

        result["storm_malloc_arenas"] = memory.Arenas;
        await system.Terminate();
        return result;
    }
}
