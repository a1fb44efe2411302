using Drogulus.Core.Identity;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Routing;

/// <summary>
/// How many address groups a node's table and its own neighbourhood (the k contacts closest to its own id)
/// are spread over, and whether that neighbourhood looks eclipsed: more than half of its counted contacts in
/// at most <see cref="FewGroups"/> groups. Ids cost nothing, groups do (PROTOCOL §1), so an attacker who
/// surrounds a node's id (or a key) does it from few groups, while honest neighbours come from as many groups
/// as there are neighbours. Exempt addresses (loopback, private, link-local) are not counted: a test network
/// on one host must not look eclipsed. The neighbourhood is also suspect when its ids are far closer together
/// than the network's size predicts (<see cref="DenseCluster"/>): Sybils ground next to a key sit within a
/// sliver of the key space that honest ids, which are random, almost never share, whatever groups they use.
/// </summary>
/// <param name="TableGroups">Distinct counted groups among the table's contacts.</param>
/// <param name="NeighbourGroups">Distinct counted groups among the k contacts closest to the own id.</param>
/// <param name="NeighboursCounted">How many of those k contacts have a counted (non-exempt) address.</param>
/// <param name="EclipseSuspected">Whether the neighbourhood is dominated by few groups.</param>
public sealed record NeighbourhoodDiversity(int TableGroups, int NeighbourGroups, int NeighboursCounted, bool EclipseSuspected)
{
    /// <summary>The number of groups whose domination of the neighbourhood is suspicious (S/Kademlia-style clusters).</summary>
    public const int FewGroups = 4;

    /// <summary>
    /// How many more leading bits than the k-th closest neighbour shares with the own id the ids of a dense
    /// cluster share with one another: 8 bits, a sliver 256 times narrower than the neighbourhood.
    /// </summary>
    public const int ClusterBits = 8;

    /// <summary>
    /// The most neighbours (of the k closest to the own id) whose ids share <see cref="ClusterBits"/> more leading
    /// bits with one another than the farthest of the k shares with the own id; 0 when the own id was not given.
    /// k random ids spread over 256 such slivers leave about k/256 in each, so max(4, k/4) in one is suspect.
    /// </summary>
    public int DenseCluster { get; init; }

    /// <summary>The <see cref="DenseCluster"/> from which an eclipse is suspected: max(4, k/4).</summary>
    public static int SuspectClusterSize(int k) => Math.Max(4, k / 4);

    /// <summary>The diversity of <paramref name="table"/>.</summary>
    public static NeighbourhoodDiversity Of(RoutingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Of(table.Closest(table.OwnId, table.K), table.K, table.Limits.ExemptPrivate, table.CountedGroups, table.OwnId);
    }

    /// <summary>The diversity of a neighbourhood of <paramref name="k"/> closest contacts.</summary>
    /// <param name="closest">The k contacts closest to the own id, closest first.</param>
    /// <param name="k">k (PROTOCOL §1).</param>
    /// <param name="exemptPrivate"><c>diversity-exempt-private</c>.</param>
    /// <param name="tableGroups">Distinct counted groups in the whole table.</param>
    /// <param name="ownId">The own id, for <see cref="DenseCluster"/>; null leaves the density out.</param>
    public static NeighbourhoodDiversity Of(IReadOnlyList<Contact> closest, int k, bool exemptPrivate, int tableGroups, Key? ownId = null)
    {
        ArgumentNullException.ThrowIfNull(closest);
        var counts = closest.Select(c => AddressGroup.Of(c.Address, exemptPrivate)).Where(g => !g.IsExempt)
            .GroupBy(g => g).Select(g => g.Count()).OrderDescending().ToArray();
        var counted = counts.Sum();

        // Only a neighbourhood of at least k/2 counted contacts can tell: a young table proves nothing.
        var suspected = counted >= Math.Max(2, k / 2) && counts.Take(FewGroups).Sum() * 2 > counted && counts.Length <= counted / 2;
        var dense = ownId is { } own && closest.Count >= Math.Max(2, k / 2) ? DenseClusterOf(closest, own) : 0;
        suspected |= dense >= SuspectClusterSize(k);
        return new NeighbourhoodDiversity(tableGroups, counts.Length, counted, suspected) { DenseCluster = dense };
    }

    // The largest run of ids (sorted by value, so that ids sharing a prefix are contiguous) sharing ClusterBits
    // more leading bits than the farthest neighbour shares with the own id. O(k²) over k contacts.
    private static int DenseClusterOf(IReadOnlyList<Contact> closest, Key ownId)
    {
        var farthest = closest.MaxBy(c => c.Id, Comparer<Key>.Create(ownId.CompareDistance))!;
        var prefix = Math.Min(Key.Bits, (farthest.Id ^ ownId).LeadingZeroBits() + ClusterBits);
        var ids = closest.Select(c => c.Id).Order().ToArray();
        var best = 0;
        for (var i = 0; i < ids.Length; i++)
        {
            var j = i;
            while (j + 1 < ids.Length && (ids[i] ^ ids[j + 1]).LeadingZeroBits() >= prefix)
            {
                j++;
            }

            best = Math.Max(best, j - i + 1);
        }

        return best;
    }
}
