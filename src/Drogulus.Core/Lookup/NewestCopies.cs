using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.Core.Lookup;

/// <summary>
/// The copies a newest-mode lookup has collected (PROTOCOL §9, "Newest mode"): the valid item with the
/// greatest <c>timestamp</c> so far, how many copies were seen, and from them the read-repair targets.
/// </summary>
internal sealed class NewestCopies
{
    private readonly List<double> _timestamps = [];
    private readonly double? _localTimestamp;

    /// <summary>Starts with the node's own live copy, if it holds one (PROTOCOL §10 get: one answer).</summary>
    public NewestCopies(SignedItem? localItem)
    {
        if (localItem is not null)
        {
            _localTimestamp = localItem.Timestamp;
            Add(localItem);
        }
    }

    /// <summary>The newest valid item seen; on equal timestamps the first one seen stays.</summary>
    public SignedItem? Newest { get; private set; }

    /// <summary>Valid copies seen, the local one included.</summary>
    public int Seen => _timestamps.Count;

    /// <summary>Copies seen that are strictly older than <see cref="Newest"/>.</summary>
    public int Stale => Newest is null ? 0 : _timestamps.Count(t => t < Newest.Timestamp);

    /// <summary>Whether the local copy is strictly older than <see cref="Newest"/>.</summary>
    public bool LocalIsStale => _localTimestamp is { } local && Newest is not null && local < Newest.Timestamp;

    /// <summary>Records a valid copy.</summary>
    public void Add(SignedItem item)
    {
        _timestamps.Add(item.Timestamp);
        if (Newest is null || item.Timestamp > Newest.Timestamp)
        {
            Newest = item;
        }
    }

    /// <summary>
    /// The read-repair targets among <paramref name="closest"/> (the k closest members, all answered):
    /// those that answered with <c>nodes</c> or with a copy strictly older than <see cref="Newest"/>,
    /// closest first. Empty when no copy was seen.
    /// </summary>
    public IReadOnlyList<Contact> RepairTargets(IEnumerable<Shortlist.Member> closest)
    {
        if (Newest is not { } newest)
        {
            return [];
        }

        return closest
            .Where(m => m.Copy is null || m.Copy.Timestamp < newest.Timestamp)
            .Select(m => m.Contact)
            .ToArray();
    }
}
