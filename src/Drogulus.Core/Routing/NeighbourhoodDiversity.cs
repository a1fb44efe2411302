using Drogulus.Core.Identity;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Routing;

/// <summary>
/// How many address groups a node's table and its own neighbourhood (the k contacts closest to its own id)
/// are spread over, and whether that neighbourhood looks eclipsed: more than half of its counted contacts in
/// at most <see cref="FewGroups"/> groups. Ids cost nothing, groups do (PROTOCOL §1), so an attacker who
/// surrounds a node's id (or a key) does it from few groups, while honest neighbours come from as many groups
/// as there are neighbours. Exempt addresses (loopback, private, link-local) are not counted: a test network
/// on one host must not look eclipsed.
/// </summary>
/// <param name="TableGroups">Distinct counted groups among the table's contacts.</param>
/// <param name="NeighbourGroups">Distinct counted groups among the k contacts closest to the own id.</param>
/// <param name="NeighboursCounted">How many of those k contacts have a counted (non-exempt) address.</param>
/// <param name="EclipseSuspected">Whether the neighbourhood is dominated by few groups.</param>
public sealed record NeighbourhoodDiversity(int TableGroups, int NeighbourGroups, int NeighboursCounted, bool EclipseSuspected)
{
    /// <summary>The number of groups whose domination of the neighbourhood is suspicious (S/Kademlia-style clusters).</summary>
    public const int FewGroups = 4;

    /// <summary>The diversity of <paramref name="table"/>.</summary>
    public static NeighbourhoodDiversity Of(RoutingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Of(table.Closest(table.OwnId, table.K), table.K, table.Limits.ExemptPrivate, table.CountedGroups);
    }

    /// <summary>The diversity of a neighbourhood of <paramref name="k"/> closest contacts.</summary>
    public static NeighbourhoodDiversity Of(IReadOnlyList<Contact> closest, int k, bool exemptPrivate, int tableGroups)
    {
        ArgumentNullException.ThrowIfNull(closest);
        var counts = closest.Select(c => AddressGroup.Of(c.Address, exemptPrivate)).Where(g => !g.IsExempt)
            .GroupBy(g => g).Select(g => g.Count()).OrderDescending().ToArray();
        var counted = counts.Sum();

        // Only a neighbourhood of at least k/2 counted contacts can tell: a young table proves nothing.
        var suspected = counted >= Math.Max(2, k / 2) && counts.Take(FewGroups).Sum() * 2 > counted && counts.Length <= counted / 2;
        return new NeighbourhoodDiversity(tableGroups, counts.Length, counted, suspected);
    }
}
