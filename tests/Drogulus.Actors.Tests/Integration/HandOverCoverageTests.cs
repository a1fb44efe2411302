using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Storage;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Storage;
using Xunit.Abstractions;

namespace Drogulus.Actors.Tests.Integration;

/// <summary>
/// Issue 11 item 3 at the actor level, on the memory network in virtual time: after newcomers join a network
/// that holds items, the throttled hand-over (issue 10) brings each newcomer at least 99 % of the items it is
/// now among the true k closest to within one <c>refresh-interval</c>, and sends no more than twice the stores
/// owed. A small network keeps the spec fast; <c>Drogulus.NetworkBenchmark --hand-over</c> runs the issue's
/// 200 nodes, 1,000 items and 20 newcomers and compares the traffic with the unthrottled hand-over.
/// </summary>
public sealed class HandOverCoverageTests : TestKit
{
    private const string Config = BusyMachine.Waits + """
        akka.loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        """;

    // A fixed publisher (a throwaway 1024-bit test key), so that item keys are the same on every run.
    private const string PublisherPem = """
        -----BEGIN RSA PRIVATE KEY-----
        MIICXQIBAAKBgQDXviXFS/keMzlQPVKCCGWw6/5eDs34+XrFuR/VHZsDsITvzh67
        scS/oEZ/y0HZwtbWf5gy6Eh+BUTVtHuQn4POzxL2CNH01jv7BURoxBjQFFtUHGI/
        /tbyAQuBj87eM4I82b/VPwj/g0SbnYPTCKRX5l7UTfatH5PbFEmuezK3ZwIDAQAB
        AoGAFKj87Pvti1rUbj6xHAq50kuHPHKmfuVFQJIN3lbLdXr+AAj5IHhRoxgyKCLK
        15O1By2I4bck2gyfHuf9vUfJU2OMkMn8YaYp3mzpDnuafddGEvl6yaWibeX+2Do3
        hdw6wZvL4qSZOvib+D307Sq+/B0f7T0dNjfYoJAWXe25faECQQD/4IL3zTe1XLPW
        CQVmyAnKAGYhTXt9v35h4uOv951qnCPrZ4MgTVPahAxiUNAKqJc2+dnHSo/oVlfi
        RJ3YgunFAkEA19iybqAVS3oYFKhnlGydwSPaQah20oGGh/WepZo6RLaK4GpVCYb8
        rN/aCy6kXzioiGWysVITi84OgYXhUKPrOwJBAJdXyL8e34Ni+G9xWIOJb9jN0ZqD
        BLbEy9DD7V4IPFBxWAGFcRZrBlzp25VPLS4Qt5fpwfjRTjrizwpjAWWtUO0CQEK8
        flbT6iGfC2j/tJ7gglogIrBgTPTDFXxeBgI/0DpEkmXWmppKgT9WKw2AC1RhqUIa
        54gJz39PY47KfSK4u9cCQQCmj7vWOjnv4iGSVvZqatOg2wWXuzfc3RBwNkmedRE7
        pnMKlCq38JyIBI26EpUbiXUc8bSvhthpBXHU3iHa+52h
        -----END RSA PRIVATE KEY-----
        """;

    private static readonly TimeSpan AskTimeout = TimeSpan.FromMinutes(5); // a ceiling, not an expectation of speed

    private readonly ITestOutputHelper _output;

    public HandOverCoverageTests(ITestOutputHelper output)
        : base(Config, output) => _output = output;

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public async Task Hand_over_should_bring_newcomers_99_percent_of_their_items_within_a_refresh_interval_with_at_most_twice_the_stores_owed()
    {
        const int nodeCount = 40;
        const int itemCount = 150;
        const int newcomerCount = 5;
        var clock = Stopwatch.StartNew();
        var random = new Random(11);

        // Timeouts past the horizon: the memory network loses nothing. No republish pass inside the window, so
        // every copy a newcomer gets is a hand-over.
        var settings = DrogulusConfig.SettingsFrom("""
            drogulus {
              k = 8
              alpha = 3
              request-timeout = 12h
              lookup-timeout = 12h
              replicate-interval = 100h
            }
            """);
        var network = new MemoryNetwork();
        var ids = new List<Key>();
        IActorRef Start(int i, IItemStore store)
        {
            var identity = Drogulus.Testing.SeededIdentity.Create(7_000 + i);
            ids.Add(identity.Id);
            return Sys.ActorOf(NodeActor.Props(settings, identity, network, store, seed: 7_000 + i), $"node-{i}");
        }

        var nodes = Enumerable.Range(0, nodeCount).Select(i => Start(i, new InMemoryItemStore())).ToList();
        var seed = await nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, AskTimeout);
        // Seeded identities, one join and one put at a time: the same network and the same holders on every run.
        foreach (var node in nodes.Skip(1))
        {
            Assert.IsType<Joined>(await node.Ask<IJoinReply>(new Join([seed.Endpoint]), AskTimeout));
        }

        using var publisher = PublisherKey.FromPem(PublisherPem);
        var now = Scheduler.Now.ToUnixTimeSeconds();
        var items = Enumerable.Range(0, itemCount).Select(i => SignedItem.Create(publisher, $"hand-over {i}", $"value {i}", now, 0)).ToArray();
        foreach (var item in items)
        {
            Assert.IsType<PutCompleted>(await nodes[random.Next(nodeCount)].Ask<IPutReply>(new Put(item), AskTimeout));
        }

        var sentBefore = (await Stats(nodes)).Sum(s => s.StoresSent);
        _output.WriteLine($"{nodeCount} nodes joined and {itemCount} items put after {clock.ElapsedMilliseconds} ms");

        var newcomers = new List<(IActorRef Node, InMemoryItemStore Store, Key Id)>();
        for (var j = 0; j < newcomerCount; j++)
        {
            var store = new InMemoryItemStore();
            var node = Start(nodeCount + j, store);
            var through = await nodes[random.Next(nodes.Count)].Ask<NodeStatus>(GetNodeStatus.Instance, AskTimeout);
            Assert.IsType<Joined>(await node.Ask<IJoinReply>(new Join([through.Endpoint]), AskTimeout));
            newcomers.Add((node, store, ids[^1]));
            nodes.Add(node);
        }

        // One refresh-interval of virtual time, in steps; each step waits until no hand-over store is in flight.
        var step = TimeSpan.FromSeconds(10);
        for (var passed = TimeSpan.Zero; passed + step < settings.RefreshInterval; passed += step)
        {
            Scheduler.Advance(step);
            await AwaitAssertAsync(async () => Assert.Equal(0, (await Stats(nodes)).Sum(s => s.InFlight)), AskTimeout);
        }

        var stats = await Stats(nodes);
        var sent = stats.Sum(s => s.StoresSent) - sentBefore;
        Assert.Equal(0, stats.Sum(s => s.NewcomersDropped));
        foreach (var newcomer in newcomers)
        {
            Watch(newcomer.Node);
            Sys.Stop(newcomer.Node);
            ExpectTerminated(newcomer.Node, AskTimeout);
        }

        long due = 0;
        long covered = 0;
        foreach (var newcomer in newcomers)
        {
            var owed = items.Where(item => ids.OrderBy(id => id, Comparer<Key>.Create(item.Key.CompareDistance)).Take(settings.K).Contains(newcomer.Id)).ToArray();
            due += owed.Length;
            covered += owed.Count(item => newcomer.Store.Get(item.Key) is not null);
        }

        var coverage = 100.0 * covered / due;
        _output.WriteLine($"{newcomerCount} newcomers: {due} items owed, {covered} received ({coverage:F2} %), {sent} hand-over stores ({sent / (double)due:F2} per item owed), after {clock.ElapsedMilliseconds} ms");
        Assert.True(coverage >= 99.0, $"coverage {coverage:F2} %");
        Assert.True(sent <= 2 * due, $"{sent} hand-over stores for {due} items owed");
    }

    private async Task<DataStoreActor.HandOverStats[]> Stats(IEnumerable<IActorRef> nodes) =>
        await Task.WhenAll(nodes.Select(n => Sys.ActorSelection(n.Path / "data-store").Ask<DataStoreActor.HandOverStats>(DataStoreActor.GetHandOverStats.Instance, AskTimeout)));
}
