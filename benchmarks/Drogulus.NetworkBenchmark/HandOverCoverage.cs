using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Storage;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Storage;

namespace Drogulus.NetworkBenchmark;

/// <summary>
/// Hand-over coverage at the actor level (issue 11 item 3, with the throttle of issue 10), in virtual time on
/// the memory network: N nodes join, items are put, newcomers join one after another through random nodes,
/// one <c>refresh-interval</c> passes (in 10 s steps, each waiting until no hand-over store is in flight), and
/// for each newcomer the items it is now among the true k closest to are looked up in its store. Run with the
/// default throttle and with the throttle lifted (every limit at its maximum: the unthrottled first-sight
/// hand-over as it was), so that coverage and traffic can be compared.
/// </summary>
internal static class HandOverCoverage
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromMinutes(5);

    private const string Unthrottled =
        "hand-over { items-per-second = 1000000, parallelism = 1024, newcomers-per-second = 1000000, max-queued-newcomers = 1000000 }";

    public static async Task<Result> Run(string mode, int nodeCount, int itemCount, int newcomerCount, int seed, PublisherKey[] publishers)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        using var system = ActorSystem.Create("hand-over", ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.log-dead-letters = off
            akka.log-dead-letters-during-shutdown = off
            akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
            """));
        var scheduler = (TestScheduler)system.Scheduler;

        // Timeouts past the horizon (the memory network loses nothing) and no republish pass inside the window,
        // so every copy a newcomer gets is a hand-over.
        var settings = DrogulusConfig.SettingsFrom($$"""
            drogulus {
              k = 20, alpha = 3, request-timeout = 12h, lookup-timeout = 12h, replicate-interval = 100h
              {{(mode == "unthrottled" ? Unthrottled : "")}}
            }
            """);
        var network = new MemoryNetwork();
        var ids = new List<Key>();
        IActorRef Start(int i, IItemStore store)
        {
            var identity = NodeIdentity.Generate(scheduler.Now);
            ids.Add(identity.Id);
            return system.ActorOf(NodeActor.Props(settings, identity, network, store, seed: seed * 100_003 + i), $"node-{i}");
        }

        var nodes = Enumerable.Range(0, nodeCount).Select(i => Start(i, new InMemoryItemStore())).ToList();
        var first = await nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, AskTimeout);
        var joins = await Task.WhenAll(nodes.Skip(1).Select(n => n.Ask<IJoinReply>(new Join([first.Endpoint]), AskTimeout)));
        var now = scheduler.Now.ToUnixTimeSeconds();
        var items = new SignedItem[itemCount];
        Parallel.For(0, itemCount, i => items[i] = SignedItem.Create(publishers[i % publishers.Length], $"hand-over-{seed}-{i}", $"value {i}", now, 0));
        var puts = await Task.WhenAll(items.Select(item => nodes[random.Next(nodeCount)].Ask<IPutReply>(new Put(item), AskTimeout)));
        var before = await Stats(system, nodes);
        Console.WriteLine($"{mode}: {nodeCount} nodes joined ({joins.Count(j => j is not Joined)} failed), {itemCount} items put ({puts.Count(p => p is not PutCompleted)} failed) after {clock.Elapsed.TotalSeconds:F0} s");

        var newcomers = new List<(IActorRef Node, InMemoryItemStore Store, Key Id)>();
        for (var j = 0; j < newcomerCount; j++)
        {
            var store = new InMemoryItemStore();
            var node = Start(nodeCount + j, store);
            var through = await nodes[random.Next(nodes.Count)].Ask<NodeStatus>(GetNodeStatus.Instance, AskTimeout);
            await node.Ask<IJoinReply>(new Join([through.Endpoint]), AskTimeout);
            newcomers.Add((node, store, ids[^1]));
            nodes.Add(node);
        }

        var step = TimeSpan.FromSeconds(10);
        for (var passed = TimeSpan.Zero; passed + step < settings.RefreshInterval; passed += step)
        {
            scheduler.Advance(step);
            for (var poll = 0; poll < 1000 && (await Stats(system, nodes)).Sum(s => s.InFlight) > 0; poll++)
            {
                await Task.Delay(10);
            }
        }

        var after = await Stats(system, nodes);
        foreach (var newcomer in newcomers)
        {
            await newcomer.Node.GracefulStop(AskTimeout);
        }

        long due = 0;
        long covered = 0;
        var worst = 100.0;
        foreach (var newcomer in newcomers)
        {
            var owed = items.Where(item => ids.OrderBy(id => id, Comparer<Key>.Create(item.Key.CompareDistance)).Take(settings.K).Contains(newcomer.Id)).ToArray();
            var got = owed.Count(item => newcomer.Store.Get(item.Key) is not null);
            due += owed.Length;
            covered += got;
            worst = Math.Min(worst, owed.Length == 0 ? 100 : 100.0 * got / owed.Length);
        }

        await system.Terminate();
        return new Result(
            mode,
            nodeCount,
            itemCount,
            newcomerCount,
            due,
            covered,
            Math.Round(100.0 * covered / due, 2),
            Math.Round(worst, 2),
            after.Sum(s => s.StoresSent) - before.Sum(s => s.StoresSent),
            after.Sum(s => s.KeysChosen) - before.Sum(s => s.KeysChosen),
            after.Sum(s => s.NewcomersDropped),
            Math.Round(clock.Elapsed.TotalSeconds, 1));
    }

    private static async Task<DataStoreActor.HandOverStats[]> Stats(ActorSystem system, IEnumerable<IActorRef> nodes) =>
        await Task.WhenAll(nodes.Select(n => system.ActorSelection(n.Path / "data-store").Ask<DataStoreActor.HandOverStats>(DataStoreActor.GetHandOverStats.Instance, AskTimeout)));

    /// <summary>One run: coverage (all newcomers together and the worst newcomer) and the hand-over stores sent during the newcomers' window.</summary>
    public sealed record Result(
        string Mode,
        int Nodes,
        int Items,
        int Newcomers,
        long ItemsOwed,
        long ItemsReceived,
        double CoveragePercent,
        double WorstNewcomerPercent,
        long HandOverStores,
        long KeysChosen,
        long NewcomersDropped,
        double Seconds);
}
