using Drogulus.Core.Identity;

namespace Drogulus.Core.Routing;

/// <summary>
/// The few contacts the hand-over rule (PROTOCOL §10, "handing over to newcomers") needs, so that the
/// routing table never copies itself to the data store per newcomer. The rule hands over an item when the
/// node is closer to its key than every other known node and the newcomer is among the k closest known.
/// Levels count the leading bits an id shares with the own id; for a key, let x be its distance to the own
/// id. A contact at level L is closer to the key than the node exactly when x has a 1 at bit L (XOR
/// distances agree above that bit), so:
/// <list type="bullet">
/// <item>one contact per non-empty level decides whether the node is the closest;</item>
/// <item>when the node is the closest and x has a 0 at the newcomer's level, every deeper contact is closer
/// to the key than the newcomer, so any k of them decide that the newcomer is not among the k closest;</item>
/// <item>when x has a 1 there, the newcomer is closer than every deeper contact, and only contacts at its own
/// level can be closer than it (and such a contact is closer than the node, so the node is not the
/// closest).</item>
/// </list>
/// The newcomer, the contacts at its level, the deeper contacts (at most k of them) and one contact per
/// non-empty level therefore give, for every key, the same hand-over decision as the whole table: at most
/// 2k + 512 contacts, about k + log2(n) in practice.
/// </summary>
public static class HandOverNeighbourhood
{
    /// <summary>
    /// The contacts that decide the hand-over to <paramref name="newcomer"/> (itself included when it is in a
    /// bucket; a newcomer heard of only into a replacement cache is in none); empty when nothing can be
    /// handed over.
    /// </summary>
    public static IReadOnlyList<Contact> For(RoutingTable table, Key newcomer)
    {
        ArgumentNullException.ThrowIfNull(table);
        var own = table.OwnId;
        if (newcomer == own)
        {
            return [];
        }

        var newcomerLevel = (newcomer ^ own).LeadingZeroBits();
        Contact? self = null;
        var sameLevel = new List<Contact>();
        var deeper = new List<Contact>();
        var representatives = new Dictionary<int, Contact>();
        foreach (var contact in table.AllContacts())
        {
            var level = (contact.Id ^ own).LeadingZeroBits();
            representatives.TryAdd(level, contact);
            if (contact.Id == newcomer)
            {
                self = contact;
            }
            else if (level == newcomerLevel)
            {
                sameLevel.Add(contact);
            }
            else if (level > newcomerLevel)
            {
                deeper.Add(contact);
            }
        }

        // k deeper contacts keep the newcomer out of every key with a 0 at its level, and a contact at its
        // level keeps the node from being the closest for every key with a 1 there.
        if (deeper.Count >= table.K && sameLevel.Count > 0)
        {
            return [];
        }

        var result = new HashSet<Contact>(ReferenceEqualityComparer.Instance);
        if (self is not null)
        {
            result.Add(self);
        }

        result.UnionWith(sameLevel);
        result.UnionWith(deeper.Take(table.K));
        result.UnionWith(representatives.Values);
        return result.ToArray();
    }
}
