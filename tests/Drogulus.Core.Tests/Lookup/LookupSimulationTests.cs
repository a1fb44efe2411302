using Drogulus.Core.Identity;
using Drogulus.Core.Lookup;

namespace Drogulus.Core.Tests.Lookup;

public sealed class LookupSimulationTests
{
    private const int NetworkSize = 1000;
    private const int K = 20;
    private const int Alpha = 3;
    private const int Lookups = 200;
    private const int MaxSteps = 2000;

    [Fact]
    public void Lookup_should_find_the_true_k_closest_when_network_is_healthy()
    {
        var random = new Random(11);
        var network = new SimulatedNetwork(NetworkSize, K, failingFraction: 0.0, random);
        var exact = 0;
        for (var run = 0; run < Lookups; run++)
        {
            var (origin, target, closest) = RunLookup(network, random);
            if (closest.SequenceEqual(network.TrueClosest(target, origin, K, liveOnly: true)))
            {
                exact++;
            }
        }

        Assert.True(exact >= Lookups * 99 / 100, $"exact results: {exact}/{Lookups}");
    }

    // Dead peers stay in routing tables, and every reply is cut at k, so when d of the true k closest are
    // dead, the live nodes ranked k+1..k+d may be named by nobody: no lookup can find them. What a lookup
    // must still deliver is every live node among the true k closest, and k live contacts.
    [Fact]
    public void Lookup_should_find_every_live_node_of_the_true_k_closest_when_some_nodes_fail()
    {
        var random = new Random(12);
        var network = new SimulatedNetwork(NetworkSize, K, failingFraction: 0.05, random);
        var complete = 0;
        for (var run = 0; run < Lookups; run++)
        {
            var (origin, target, closest) = RunLookup(network, random);
            Assert.DoesNotContain(closest, network.IsFailing);
            var liveOfTrue = network.TrueClosest(target, origin, K, liveOnly: false).Where(id => !network.IsFailing(id));
            if (closest.Length == K && liveOfTrue.All(closest.Contains))
            {
                complete++;
            }
        }

        Assert.True(complete >= Lookups * 99 / 100, $"complete results: {complete}/{Lookups}");
    }

    // Answers one request per step, picked at random among those in flight, so that replies arrive out
    // of order as on a real network.
    private static (Key Origin, Key Target, Key[] Closest) RunLookup(SimulatedNetwork network, Random random)
    {
        var live = network.Nodes.Where(c => !network.IsFailing(c.Id)).ToArray();
        var origin = live[random.Next(live.Length)].Id;
        var target = Key.Random(random);
        var now = LookupTestData.Start;
        var lookup = new LookupState(origin, target, LookupKind.FindNode, network.ClosestKnown(origin, target, origin, K), K, Alpha, now);
        var pending = new List<Contact>();
        var steps = 0;
        while (lookup.Status == LookupStatus.Running)
        {
            Assert.True(++steps < MaxSteps, "lookup did not terminate");
            pending.AddRange(lookup.NextRequests(now));
            Assert.NotEmpty(pending);
            var index = random.Next(pending.Count);
            var peer = pending[index].Id;
            pending.RemoveAt(index);
            now = now.AddMilliseconds(1);
            if (network.IsFailing(peer))
            {
                lookup.OnFailure(peer, now);
            }
            else
            {
                lookup.OnNodes(peer, network.ClosestKnown(peer, target, origin, K), now);
            }
        }

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        var closest = lookup.Closest.Select(c => c.Id).ToArray();
        Assert.DoesNotContain(origin, closest);
        Assert.Equal(closest.Order(Comparer<Key>.Create(target.CompareDistance)), closest);
        Assert.Equal(lookup.Stats.RpcsSent, steps + pending.Count);
        Assert.InRange(lookup.Stats.Rounds, 1, 10);
        return (origin, target, closest);
    }
}
