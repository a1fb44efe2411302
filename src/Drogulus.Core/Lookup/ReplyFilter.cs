using Drogulus.Core.Identity;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Lookup;

/// <summary>
/// The filter on <c>nodes</c> replies of PROTOCOL §9 step 3: a reply that lists more than
/// <c>max-per-group-in-reply</c> contacts of one address group loses every contact of that group (by the
/// addresses it gives; exempt addresses not counted). A Sybil cluster answers with its own ids, which cost
/// nothing, at addresses in few groups, which do; an honest node's closest contacts rarely share a group.
/// </summary>
public static class ReplyFilter
{
    /// <summary>The contacts of <paramref name="contacts"/> whose group is listed at most <paramref name="maxPerGroup"/> times, in their order.</summary>
    /// <param name="contacts">The reply's contacts as given.</param>
    /// <param name="maxPerGroup"><c>max-per-group-in-reply</c>; <see cref="int.MaxValue"/> turns the filter off.</param>
    /// <param name="exemptPrivate"><c>diversity-exempt-private</c>.</param>
    public static IReadOnlyList<Contact> Apply(IReadOnlyList<Contact> contacts, int maxPerGroup, bool exemptPrivate)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerGroup, 1);
        if (contacts.Count <= maxPerGroup)
        {
            return contacts;
        }

        var groups = new AddressGroup[contacts.Count];
        var counts = new Dictionary<AddressGroup, int>();
        for (var i = 0; i < contacts.Count; i++)
        {
            groups[i] = AddressGroup.Of(contacts[i].Address, exemptPrivate);
            if (!groups[i].IsExempt)
            {
                counts[groups[i]] = counts.GetValueOrDefault(groups[i]) + 1;
            }
        }

        if (counts.Values.All(c => c <= maxPerGroup))
        {
            return contacts;
        }

        var kept = new List<Contact>(contacts.Count);
        for (var i = 0; i < contacts.Count; i++)
        {
            if (groups[i].IsExempt || counts[groups[i]] <= maxPerGroup)
            {
                kept.Add(contacts[i]);
            }
        }

        return kept;
    }
}
