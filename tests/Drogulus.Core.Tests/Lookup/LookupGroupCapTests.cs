using Drogulus.Core.Identity;
using Drogulus.Core.Lookup;
using static Drogulus.Core.Tests.Lookup.LookupTestData;

namespace Drogulus.Core.Tests.Lookup;

/// <summary>
/// PROTOCOL §9 step 6: the k closest of a lookup take at most <c>max-per-group-in-bucket</c> members of one
/// address group, so Sybils of one group closer than every honest node cannot fill the result.
/// </summary>
public sealed class LookupGroupCapTests
{
    // Distances 2–5: four ids of one /24 (a Sybil cluster); 20–23: honest nodes, each in a /24 of its own.
    private static Contact Sybil(int distance) => Peer(distance) with { Address = "203.0.113." + distance };

    private static Contact Honest(int distance) => Peer(distance) with { Address = $"198.51.{distance}.1" };

    private static Contact[] Network => [Sybil(2), Sybil(3), Sybil(4), Sybil(5), Honest(20), Honest(21), Honest(22), Honest(23)];

    [Fact]
    public void LookupState_should_ask_and_return_at_most_max_per_group_of_one_group_among_its_k_closest()
    {
        var lookup = new LookupState(OwnId, Target, LookupKind.FindNode, Network, k: 4, alpha: 4, Start, maxPerGroup: 2, exemptPrivate: true);

        var asked = lookup.NextRequests(Start);
        Assert.Equal([2, 3, 20, 21], Distances(asked));
        foreach (var peer in asked)
        {
            lookup.OnNodes(peer.Id, [], At(1));
        }

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([2, 3, 20, 21], Distances(lookup.Closest));
    }

    [Fact]
    public void LookupState_should_not_cap_exempt_addresses_nor_anything_without_a_cap()
    {
        var uncapped = new LookupState(OwnId, Target, LookupKind.FindNode, Network, k: 4, alpha: 4, Start);
        Assert.Equal([2, 3, 4, 5], Distances(uncapped.NextRequests(Start)));

        var privateCluster = Network.Select(c => c.Address.StartsWith("203.", StringComparison.Ordinal) ? c with { Address = "10.0.0." + Distance(c) } : c).ToArray();
        var exempt = new LookupState(OwnId, Target, LookupKind.FindNode, privateCluster, k: 4, alpha: 4, Start, maxPerGroup: 2, exemptPrivate: true);
        Assert.Equal([2, 3, 4, 5], Distances(exempt.NextRequests(Start)));
    }

    [Fact]
    public void DisjointLookup_should_cap_one_group_in_the_result_over_all_paths()
    {
        // Two paths each keep two Sybils of their own within the cap; together they would hold four of the k = 4.
        var lookup = new DisjointLookup(OwnId, Target, LookupKind.FindNode, Network, k: 4, alpha: 4, paths: 2, Start, maxPerGroup: 2, exemptPrivate: true);
        for (var round = 1; lookup.Status == LookupStatus.Running && round < 10; round++)
        {
            foreach (var peer in lookup.NextRequests(At(round)))
            {
                lookup.OnNodes(peer.Id, [], At(round));
            }
        }

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([2, 3, 20, 21], Distances(lookup.Closest));
    }
}
