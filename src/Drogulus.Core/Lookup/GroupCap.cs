using Drogulus.Core.Identity;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Lookup;

/// <summary>
/// The k closest of a lookup under its group cap (PROTOCOL §9 step 6): the closest contacts, taking at most
/// <c>max-per-group-in-bucket</c> of one address group (exempt addresses not capped), as a bucket takes them.
/// </summary>
internal static class GroupCap
{
    /// <summary>Up to <paramref name="k"/> of <paramref name="byDistance"/> (closest first), at most <paramref name="maxPerGroup"/> of one group.</summary>
    public static Contact[] Take(IEnumerable<Contact> byDistance, int k, int maxPerGroup, bool exemptPrivate)
    {
        if (maxPerGroup == int.MaxValue)
        {
            return byDistance.Take(k).ToArray();
        }

        var counts = new Dictionary<AddressGroup, int>();
        var kept = new List<Contact>(k);
        foreach (var contact in byDistance)
        {
            if (kept.Count == k)
            {
                break;
            }

            var group = AddressGroup.Of(contact.Address, exemptPrivate);
            if (!group.IsExempt)
            {
                var inGroup = counts.GetValueOrDefault(group);
                if (inGroup >= maxPerGroup)
                {
                    continue;
                }

                counts[group] = inGroup + 1;
            }

            kept.Add(contact);
        }

        return [.. kept];
    }
}
