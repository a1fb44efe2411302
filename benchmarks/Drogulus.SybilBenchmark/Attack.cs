using System.Diagnostics;
using System.Globalization;
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Testing;

namespace Drogulus.SybilBenchmark;

/// <summary>
/// One case of the eclipse attack (issue 20, item 3), in one process on the memory network and on virtual time:
/// honest nodes join; Sybils with ids ground next to the target keys, in a chosen number of address groups,
/// ping honest nodes so that they are known; honest publishers put versions of items under the target keys;
/// honest readers get each key (plain and newest) from random honest nodes, and again after one republish
/// interval of virtual time.
/// </summary>
internal static class Attack
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromMinutes(10);

    // "Off": the first edition's table and lookup. A reply has at most k contacts, so a per-reply limit of k never filters.
    private const string DefencesOff = "max-per-group-in-bucket = 20, max-per-group-in-table = 1000000, max-per-group-in-reply = 20, disjoint-paths = 1";

    public static async Task<CaseResult> Run(Case c, Options options, PublisherKey[] publishers)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(options.Seed);
        using var system = ActorSystem.Create("sybil", ConfigurationFactory.ParseString("""
            akka.loglevel = ERROR
            akka.log-dead-letters = off
            akka.log-dead-letters-during-shutdown = off
            akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
            """));
        var scheduler = (TestScheduler)system.Scheduler;
        var settings = DrogulusConfig.SettingsFrom($"drogulus {{ {(c.Defences ? "" : DefencesOff)} }}");
        var k = settings.K;

        var sybilCount = (int)Math.Round(options.Nodes * c.SybilFraction);
        var honestCount = options.Nodes - sybilCount;
        var cluster = new SybilCluster(k);
        var sybilIds = new List<Key>();
        var targets = publishers.Select(p => Key.For(p.PublicKeyPem, "target")).ToArray();
        var prefixBits = (int)Math.Ceiling(Math.Log2(options.Nodes)) + 8;
        for (var j = 0; j < sybilCount; j++)
        {
            sybilIds.Add(SybilCluster.Ground(targets[j % targets.Length], prefixBits, random));
        }

        var groupOf = sybilIds.Select((id, j) => (id, j)).ToDictionary(x => x.id, x => x.j);
        var network = new MemoryNetwork
        {
            // Sybils in c.SybilGroups groups of 198.18.0.0/15 (0: each in a group of its own, like the honest nodes).
            AddressFor = (id, port) => c.SybilGroups > 0 && groupOf.TryGetValue(id, out var j)
                ? new IPAddress([198, 18, (byte)(j % c.SybilGroups), (byte)(((j / c.SybilGroups) % 254) + 1)])
                : MemoryNetwork.DefaultAddress(port),
        };

        // Honest nodes join in waves through the first.
        var honest = new List<(IActorRef Node, int Port, Key Id)>();
        for (var i = 0; i < honestCount; i++)
        {
            // Honest ids from the seed: every case of a run, and every run with the same seed, has the same network.
            var identity = SeededIdentity.Create((options.Seed * 100_003) + i);
            var node = system.ActorOf(NodeActor.Props(settings, identity, network, store: null, seed: (options.Seed * 100_003) + i), $"honest-{i}");
            honest.Add((node, 0, identity.Id));
        }

        var statuses = await Task.WhenAll(honest.Select(h => h.Node.Ask<NodeStatus>(GetNodeStatus.Instance, AskTimeout)));
        honest = honest.Select((h, i) => (h.Node, int.Parse(statuses[i].Endpoint[(statuses[i].Endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture), h.Id)).ToList();
        var seedEndpoint = statuses[0].Endpoint;
        var joinFailures = 0;
        for (var wave = 1; wave < honestCount; wave += 250)
        {
            var joins = await Task.WhenAll(honest.Skip(wave).Take(250).Select(h => h.Node.Ask<IJoinReply>(new Join([seedEndpoint]), AskTimeout)));
            joinFailures += joins.Count(j => j is not Joined);
        }

        // The Sybils arrive after the honest network formed, and make themselves known to the honest nodes near
        // their targets (as an attacker's own lookups would find them) and to a few random ones.
        foreach (var id in sybilIds)
        {
            var actor = system.ActorOf(SybilPeer.Props(id, cluster));
            var port = network.Register(id, actor);
            cluster.Add(id, network.AddressOf(port), port);
        }

        var transports = honest.ToDictionary(h => h.Id, h => network.TryResolve(MemoryNetwork.Host, h.Port, out _, out var t) ? t : ActorRefs.Nobody);
        foreach (var sybil in cluster.All)
        {
            var near = honest.OrderBy(h => h.Id, Comparer<Key>.Create(sybil.Id.CompareDistance)).Take(3 * k);
            var some = Enumerable.Range(0, 20).Select(_ => honest[random.Next(honest.Count)]);
            Resolve(network, sybil.Port).Tell(new SybilPeer.Announce(near.Concat(some).Select(h => transports[h.Id]).Distinct().ToArray()));
        }

        await Settle(honest);

        // Versions of items under the target keys, put one round after another by random honest nodes.
        var versions = Math.Max(1, options.Items / targets.Length);
        var start = scheduler.Now.ToUnixTimeSeconds();
        var newest = new SignedItem[targets.Length];
        var putHonest = 0;
        var puts = 0;
        var putRpcs = new List<int>();
        var honestHolders = new List<int>();
        var sybilHolders = new List<int>();
        var honestNotStored = 0;
        for (var v = 0; v < versions; v++)
        {
            var items = publishers.Select(p => SignedItem.Create(p, "target", $"version {v}", start + v, 0)).ToArray();
            var replies = await Task.WhenAll(items.Select(item => honest[random.Next(honest.Count)].Node.Ask<IPutReply>(new Put(item), AskTimeout)));
            for (var t = 0; t < items.Length; t++)
            {
                newest[t] = items[t];
                puts++;
                if (replies[t] is PutCompleted done)
                {
                    // Where the put stored: honest holders (k/2 of them make a put count), Sybils (which drop it), and
                    // honest nodes that did not store (refused, timed out), so that a low rate can be told apart.
                    var held = done.Outcomes.Count(o => o.Result == StoreResult.Stored && !cluster.Contains(o.NodeId));
                    honestHolders.Add(held);
                    sybilHolders.Add(done.Outcomes.Count(o => cluster.Contains(o.NodeId)));
                    honestNotStored += done.Outcomes.Count(o => o.Result != StoreResult.Stored && !cluster.Contains(o.NodeId));
                    putHonest += held >= k / 2 ? 1 : 0;
                    putRpcs.Add((done.Lookup?.RpcsSent ?? 0) + done.Outcomes.Count);
                }
            }
        }

        var before = await Gets(honest, newest, options.Reads, random);

        // One republish interval of virtual time, a minute at a time, letting the nodes work between steps.
        // The virtual clock stood still since the Sybils arrived, so the health one refresh-interval into the hour
        // is the health within one refresh-interval of the attack.
        var step = TimeSpan.FromMinutes(1);
        NodeHealth[]? healthAtRefresh = null;
        for (var passed = TimeSpan.Zero; passed < settings.ReplicateInterval; passed += step)
        {
            scheduler.Advance(step);
            await Settle(honest);
            if (healthAtRefresh is null && passed + step >= settings.RefreshInterval)
            {
                healthAtRefresh = await Task.WhenAll(honest.Select(h => h.Node.Ask<NodeHealth>(GetNodeHealth.Instance, AskTimeout)));
            }
        }

        var after = await Gets(honest, newest, options.Reads, random);

        // Health (issue 20 item 4), taken one refresh-interval after the Sybils arrived: which honest nodes report
        // "eclipse suspected", next to a target (among the k honest nodes closest to one, whose own neighbourhood
        // the cluster falls in) and elsewhere.
        var health = healthAtRefresh ?? throw new InvalidOperationException("refresh-interval is longer than replicate-interval");
        var nearTargets = targets.SelectMany(t => honest.OrderBy(h => h.Id, Comparer<Key>.Create(t.CompareDistance)).Take(k)).Select(h => h.Id).ToHashSet();
        var suspectedNear = honest.Where((h, i) => health[i].EclipseSuspected && nearTargets.Contains(h.Id)).Count();
        var suspectedElsewhere = honest.Where((h, i) => health[i].EclipseSuspected && !nearTargets.Contains(h.Id)).Count();
        await system.Terminate();
        return new CaseResult(
            c.SybilFraction,
            c.SybilGroups == 0 ? "own" : c.SybilGroups.ToString(CultureInfo.InvariantCulture),
            c.Defences ? "on" : "off",
            honestCount,
            sybilCount,
            Rate(before.Newest, before.Count),
            Rate(before.PlainNewest, before.Count / 2),
            Rate(before.LatestNewest, before.Count / 2),
            Rate(after.Newest, after.Count),
            Rate(putHonest, puts),
            Median(before.Rpcs),
            Median(putRpcs),
            Median(honestHolders),
            Median(sybilHolders),
            honestNotStored,
            joinFailures,
            suspectedNear,
            nearTargets.Count,
            suspectedElsewhere,
            honestCount - nearTargets.Count,
            Math.Round(clock.Elapsed.TotalSeconds, 1));
    }

    private static IActorRef Resolve(MemoryNetwork network, int port) =>
        network.TryResolve(MemoryNetwork.Host, port, out _, out var transport) ? transport : ActorRefs.Nobody;

    // Gets of every target key, plain and newest, from random honest readers: how many returned the newest version.
    private static async Task<GetTally> Gets(List<(IActorRef Node, int Port, Key Id)> honest, SignedItem[] newest, int reads, Random random)
    {
        var asks = new List<(int Target, bool Latest, Task<IGetReply> Reply)>();
        for (var r = 0; r < reads; r++)
        {
            var t = r % newest.Length;
            foreach (var latest in new[] { false, true })
            {
                asks.Add((t, latest, honest[random.Next(honest.Count)].Node.Ask<IGetReply>(new Get(newest[t].Key, latest), AskTimeout)));
            }
        }

        await Task.WhenAll(asks.Select(a => a.Reply));
        var tally = new GetTally();
        foreach (var (t, latest, reply) in asks)
        {
            var found = reply.Result is ValueFound v && v.Item.Timestamp >= newest[t].Timestamp;
            tally.Count++;
            tally.Newest += found ? 1 : 0;
            tally.PlainNewest += found && !latest ? 1 : 0;
            tally.LatestNewest += found && latest ? 1 : 0;
            switch (reply.Result)
            {
                case ValueFound value:
                    tally.Rpcs.Add(value.Stats.RpcsSent);
                    break;
                case ValueNotFound n:
                    tally.Rpcs.Add(n.Stats.RpcsSent);
                    break;
            }
        }

        return tally;
    }

    // The nodes have no clock of their own here: give their mailboxes time to drain (every node answers a status
    // query only after what it had queued; a few rounds cover the messages those cause in turn).
    private static async Task Settle(List<(IActorRef Node, int Port, Key Id)> honest)
    {
        for (var round = 0; round < 3; round++)
        {
            try
            {
                await Task.WhenAll(honest.Select(h => h.Node.Ask<NodeStatus>(GetNodeStatus.Instance, AskTimeout)));
            }
            catch (TaskCanceledException)
            {
                // Seen once at 500 nodes during the republish hour (cause not found in time): the status is only
                // a pacing device here, so the pass goes on after a pause.
                await Task.Delay(500);
            }

            await Task.Delay(50);
        }
    }

    private static double Rate(int hits, int total) => total == 0 ? 0 : Math.Round((double)hits / total, 4);

    private static double Median(List<int> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2.0;
    }

    private sealed class GetTally
    {
        public int Count { get; set; }

        public int Newest { get; set; }

        public int PlainNewest { get; set; }

        public int LatestNewest { get; set; }

        public List<int> Rpcs { get; } = [];
    }
}

/// <summary>One case: the Sybils' share of the nodes, their address groups (0: each its own), defences on or off.</summary>
internal sealed record Case(double SybilFraction, int SybilGroups, bool Defences);

/// <summary>The figures of one case, as printed and written to JSON.</summary>
internal sealed record CaseResult(
    double SybilFraction,
    string SybilGroups,
    string Defenses,
    int HonestNodes,
    int Sybils,
    double GetsNewestRate,
    double PlainGetsNewestRate,
    double LatestGetsNewestRate,
    double GetsNewestRateAfterRepublish,
    double PutsHonestRate,
    double RpcsPerGetP50,
    double RpcsPerPutP50,
    double HonestHoldersP50,
    double SybilHoldersP50,
    int HonestStoresNotStored,
    int JoinFailures,
    int EclipseSuspectedNearTargets,
    int HonestNearTargets,
    int EclipseSuspectedElsewhere,
    int HonestElsewhere,
    double Seconds);
