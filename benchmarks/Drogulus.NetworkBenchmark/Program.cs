using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;

namespace Drogulus.NetworkBenchmark;

/// <summary>
/// Simulates networks of N actor nodes on the in-memory transport, in real time, and measures join time,
/// RPCs per get and per put, get success and memory per node.
/// Usage: <c>--nodes 200,1000,5000 --items 500 --json out.json --seed 1 --join-wave 250</c>; with <c>--core</c>, the
/// same phases on Drogulus.Core alone (<see cref="CoreSimulation"/>: no actors, RPCs answered in place), which
/// reaches 10,000 nodes in a few minutes on 2 cores. With <c>--hand-over NEWCOMERS</c> it measures the hand-over
/// to newcomers instead, in virtual time (see <see cref="HandOverCoverage"/>), e.g.
/// <c>--nodes 200 --items 1000 --hand-over 20</c>.
/// </summary>
public static class Program
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs the simulation for every requested network size and prints a table.</summary>
    public static async Task<int> Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: --nodes 200,1000,5000 --items 500 [--json out.json] [--seed 1] [--join-wave 250] [--core | --hand-over NEWCOMERS]");
            return 2;
        }

        var publishers = Enumerable.Range(0, 4).Select(_ => PublisherKey.Generate()).ToArray();
        if (options.Core)
        {
            return await CoreSimulation.RunAll(options.Nodes, options.Items, options.Seed, options.JsonPath, publishers);
        }

        if (options.HandOverNewcomers > 0)
        {
            return await RunHandOver(options, publishers);
        }

        var results = new List<Result>();
        foreach (var n in options.Nodes)
        {
            var result = await Simulate(n, options, publishers);
            results.Add(result);
            Console.WriteLine($"N={n}: done in {result.TotalSeconds:F1} s");
        }

        PrintTable(results);
        if (options.JsonPath is { } path)
        {
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {path}");
        }

        foreach (var key in publishers)
        {
            key.Dispose();
        }

        return 0;
    }

    private static async Task<int> RunHandOver(Options options, PublisherKey[] publishers)
    {
        var results = new List<HandOverCoverage.Result>();
        foreach (var n in options.Nodes)
        {
            foreach (var mode in new[] { "unthrottled", "throttled" })
            {
                results.Add(await HandOverCoverage.Run(mode, n, options.Items, options.HandOverNewcomers, options.Seed, publishers));
            }
        }

        Console.WriteLine();
        Console.WriteLine("| mode | nodes | items | newcomers | items owed | received | coverage % | worst newcomer % | hand-over stores | stores per item owed | dropped newcomers | seconds |");
        Console.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in results)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"| {r.Mode} | {r.Nodes} | {r.Items} | {r.Newcomers} | {r.ItemsOwed} | {r.ItemsReceived} | {r.CoveragePercent:F2} | {r.WorstNewcomerPercent:F2} | {r.HandOverStores} | {r.HandOverStores / (double)r.ItemsOwed:F2} | {r.NewcomersDropped} | {r.Seconds:F0} |"));
        }

        if (options.JsonPath is { } path)
        {
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {path}");
        }

        return 0;
    }

    private static async Task<Result> Simulate(int nodeCount, Options options, PublisherKey[] publishers)
    {
        var total = Stopwatch.StartNew();
        var random = new Random(options.Seed);
        var config = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.log-dead-letters = off
            akka.log-dead-letters-during-shutdown = off
            """);
        using var system = ActorSystem.Create("bench", config);
        var settings = DrogulusConfig.SettingsFrom("drogulus { k = 20, alpha = 3 }");
        var network = new MemoryNetwork();

        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var now = system.Scheduler.Now;
        var nodes = new IActorRef[nodeCount];
        var ids = new Drogulus.Core.Identity.Key[nodeCount];
        for (var i = 0; i < nodeCount; i++)
        {
            var identity = NodeIdentity.Generate(now);
            ids[i] = identity.Id;
            nodes[i] = system.ActorOf(NodeActor.Props(settings, identity, network, seed: options.Seed * 1_000_003 + i), $"node-{i}");
        }

        var seed = await nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, AskTimeout);
        var joinClock = Stopwatch.StartNew();
        var joinFailures = 0;
        for (var wave = 1; wave < nodeCount; wave += options.JoinWave)
        {
            var batch = nodes.Skip(wave).Take(options.JoinWave);
            var replies = await Task.WhenAll(batch.Select(n => n.Ask<IJoinReply>(new Join([seed.Endpoint]), AskTimeout)));
            joinFailures += replies.Count(r => r is not Joined);
            Console.WriteLine($"N={nodeCount}: {Math.Min(wave + options.JoinWave, nodeCount)} joined after {joinClock.Elapsed.TotalSeconds:F1} s, process CPU {Environment.CpuUsage.TotalTime.TotalSeconds:F0} s");
        }

        var joinSeconds = joinClock.Elapsed.TotalSeconds;
        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"N={nodeCount}: joined in {joinSeconds:F1} s ({joinFailures} failed)");

        var timestamp = now.ToUnixTimeSeconds();
        var items = new SignedItem[options.Items];
        Parallel.For(0, items.Length, i =>
            items[i] = SignedItem.Create(publishers[i % publishers.Length], $"bench-{nodeCount}-{i}", $"value {i}", timestamp, 0));

        // A put runs a FindNode lookup on the item's key and then one store per chosen node. The put's own
        // lookup reports no statistics, so the same lookup is run first through FindNodes from the same node:
        // RPCs per put = that lookup's RpcsSent + the stores the put sent to other nodes.
        var putRpcs = new List<int>();
        var putFailures = 0;
        var putClock = Stopwatch.StartNew();
        foreach (var batch in items.Chunk(64))
        {
            var tasks = batch.Select(async item =>
            {
                var index = random.Next(nodeCount);
                var node = nodes[index];
                var found = await node.Ask<IFindNodesReply>(new FindNodes(item.Key), AskTimeout);
                var put = await node.Ask<IPutReply>(new Put(item), AskTimeout);
                if (found is NodesFound nodesFound && put is PutCompleted completed)
                {
                    return (Ok: true, Rpcs: nodesFound.Stats.RpcsSent + completed.Outcomes.Count(o => o.NodeId != ids[index]));
                }

                // Issue 24: a failed put is named with both replies (the FindNodes run only to count RPCs can fail
                // alone, which also counts here), so that a failure in a long run can be explained afterwards.
                Console.WriteLine($"N={nodeCount}: put of {item.Key.ToShortString()} from node-{index} failed: findnodes {Describe(found)}; put {Describe(put)}");
                return (Ok: false, Rpcs: 0);
            }).ToArray();
            foreach (var (ok, rpcs) in await Task.WhenAll(tasks))
            {
                if (ok)
                {
                    putRpcs.Add(rpcs);
                }
                else
                {
                    putFailures++;
                }
            }
        }

        var putSeconds = putClock.Elapsed.TotalSeconds;

        // Gets from a random node; a node that holds the item answers locally with 0 RPCs. Then the same gets
        // for the newest copy (PROTOCOL §9 newest mode), which always run a lookup to the k closest.
        var plain = await RunGets(nodes, items, random, latest: false);
        var latest = await RunGets(nodes, items, random, latest: true);
        var overwrites = await Overwrites.Measure(nodes, ids, items, publishers, k: 20, random, AskTimeout);
        Console.WriteLine($"N={nodeCount}: {overwrites.Overwrites} overwrites ({overwrites.PutFailures} failed puts): plain get new {overwrites.PlainNewPercent} %, old from the reader's own cached copy {overwrites.PlainOldOwnCachedCopy}, from a cached copy elsewhere {overwrites.PlainOldCachedElsewhere}, from a close holder {overwrites.PlainOldFromCloseHolder}; latest get new {overwrites.LatestNewPercent} %");
        var (getRpcs, found, getClock) = (plain.Rpcs, plain.Found, plain.Clock);
        var getSeconds = getClock.Elapsed.TotalSeconds;
        await system.Terminate();
        return new Result(
            nodeCount,
            options.Items,
            Math.Round(joinSeconds, 2),
            joinFailures,
            Percentile(putRpcs, 0.5),
            Percentile(putRpcs, 0.99),
            putFailures,
            Math.Round(putSeconds, 2),
            Percentile(getRpcs, 0.5),
            Percentile(getRpcs, 0.99),
            Math.Round(100.0 * found / options.Items, 2),
            Math.Round(getSeconds, 2),
            (memoryAfter - memoryBefore) / nodeCount,
            Math.Round(total.Elapsed.TotalSeconds, 1),
            Percentile(latest.Rpcs, 0.5),
            Percentile(latest.Rpcs, 0.99),
            Math.Round(100.0 * latest.Found / options.Items, 2),
            Math.Round(latest.Clock.Elapsed.TotalSeconds, 2),
            PercentileMs(plain.Latencies, 0.5),
            PercentileMs(latest.Latencies, 0.5),
            plain.Rounds.DefaultIfEmpty(0).Max(),
            (int)Math.Ceiling(Math.Log2(nodeCount)) + 2,
            overwrites);
    }

    private static async Task<(List<int> Rpcs, int Found, Stopwatch Clock, List<double> Latencies, List<int> Rounds)> RunGets(
        IActorRef[] nodes, SignedItem[] items, Random random, bool latest)
    {
        var rpcs = new List<int>();
        var rounds = new List<int>();
        var latencies = new List<double>();
        var found = 0;
        var clock = Stopwatch.StartNew();
        foreach (var batch in items.Chunk(64))
        {
            var replies = await Task.WhenAll(batch.Select(async item =>
            {
                var started = Stopwatch.GetTimestamp();
                var reply = await nodes[random.Next(nodes.Length)].Ask<IGetReply>(new Get(item.Key, latest), AskTimeout);
                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                return reply;
            }));
            foreach (var (reply, item) in replies.Zip(batch))
            {
                switch (reply)
                {
                    case ValueFound value when value.Item.Equals(item):
                        found++;
                        rpcs.Add(value.Stats.RpcsSent);
                        rounds.Add(value.Stats.Rounds);
                        break;
                    case ValueNotFound notFound:
                        rpcs.Add(notFound.Stats.RpcsSent);
                        Console.WriteLine($"{(latest ? "latest" : "plain")} get of {item.Key.ToShortString()}: not found ({notFound.Stats.RpcsSent} RPCs, {notFound.Stats.Rounds} rounds)");
                        break;
                    default:
                        Console.WriteLine($"{(latest ? "latest" : "plain")} get of {item.Key.ToShortString()}: {Describe(reply)}");
                        break;
                }
            }
        }

        clock.Stop();
        return (rpcs, found, clock, latencies, rounds);
    }

    // A reply in words: its type and, for a failure, its reason (a ValueFound of another item names that item).
    private static string Describe(object reply) => reply switch
    {
        FindNodesFailed f => $"FindNodesFailed ({f.Reason})",
        PutFailed f => $"PutFailed ({f.Kind}: {f.Reason})",
        PutCompleted c => $"PutCompleted ({c.StoredCount} stored of {c.Outcomes.Count}: {string.Join(", ", c.Outcomes.GroupBy(o => o.Result).Select(g => $"{g.Count()} {g.Key}"))})",
        GetFailed f => $"GetFailed ({f.Reason})",
        ValueFound v => $"ValueFound of {v.Item.Key.ToShortString()} created {v.Item.Timestamp}",
        _ => reply.GetType().Name,
    };

    private static double PercentileMs(List<double> values, double fraction)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return Math.Round(sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)], 2);
    }

    private static int Percentile(List<int> values, double fraction)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(fraction * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    private static void PrintTable(IReadOnlyList<Result> results)
    {
        Console.WriteLine();
        Console.WriteLine("| nodes | items | join s | put RPCs p50 | put RPCs p99 | get RPCs p50 | get RPCs p99 | get found % | bytes/node | put s | get s | get ms p50 | latest get RPCs p50 | p99 | latest found % | latest ms p50 | get rounds max (bound) |");
        Console.WriteLine("|------:|------:|-------:|-------------:|-------------:|-------------:|-------------:|------------:|-----------:|------:|------:|-----------:|--------------------:|----:|---------------:|--------------:|----:|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Nodes} | {r.Items} | {r.JoinSeconds:F1} | {r.PutRpcsMedian} | {r.PutRpcsP99} | {r.GetRpcsMedian} | {r.GetRpcsP99} | {r.GetFoundPercent:F1} | {r.BytesPerNode:N0} | {r.PutSeconds:F1} | {r.GetSeconds:F1} | {r.GetMsMedian} | {r.LatestGetRpcsMedian} | {r.LatestGetRpcsP99} | {r.LatestFoundPercent:F1} | {r.LatestGetMsMedian} | {r.GetRoundsMax} ({r.RoundBound}) |"));
        }
    }

    private sealed record Result(
        int Nodes,
        int Items,
        double JoinSeconds,
        int JoinFailures,
        int PutRpcsMedian,
        int PutRpcsP99,
        int PutFailures,
        double PutSeconds,
        int GetRpcsMedian,
        int GetRpcsP99,
        double GetFoundPercent,
        double GetSeconds,
        long BytesPerNode,
        double TotalSeconds,
        int LatestGetRpcsMedian,
        int LatestGetRpcsP99,
        double LatestFoundPercent,
        double LatestGetSeconds,
        double GetMsMedian,
        double LatestGetMsMedian,
        int GetRoundsMax,
        int RoundBound,
        OverwriteResult Overwrites);

    private sealed record Options(IReadOnlyList<int> Nodes, int Items, string? JsonPath, int Seed, int JoinWave, int HandOverNewcomers, bool Core)
    {
        public static Options Parse(string[] args)
        {
            var nodes = new List<int> { 200, 1000 };
            var items = 500;
            string? json = null;
            var seed = 1;
            var wave = 250;
            var handOver = 0;
            var core = false;
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i] == "--core")
                {
                    core = true;
                    continue;
                }

                var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--nodes":
                        nodes = value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => PositiveInt(v, "--nodes")).ToList();
                        break;
                    case "--items":
                        items = PositiveInt(value, "--items");
                        break;
                    case "--json":
                        json = value;
                        break;
                    case "--seed":
                        seed = int.TryParse(value, CultureInfo.InvariantCulture, out var s) ? s : throw new ArgumentException("--seed must be an integer");
                        break;
                    case "--join-wave":
                        wave = PositiveInt(value, "--join-wave");
                        break;
                    case "--hand-over":
                        handOver = PositiveInt(value, "--hand-over");
                        break;
                    default:
                        throw new ArgumentException($"unknown option {args[i]}");
                }

                i++;
            }

            if (nodes.Any(n => n < 2))
            {
                throw new ArgumentException("--nodes needs at least 2 nodes per network");
            }

            return new Options(nodes, items, json, seed, wave, handOver, core);
        }

        private static int PositiveInt(string text, string name) =>
            int.TryParse(text, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive integer");
    }
}
