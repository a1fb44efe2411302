using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.Core.Lookup;

/// <summary>Newest mode of <see cref="LookupState"/> (PROTOCOL §9, "Newest mode"; §10 get).</summary>
public sealed partial class LookupState
{
    /// <summary>Whether this is a newest-mode <c>findvalue</c> lookup.</summary>
    public bool Newest => _copies is not null;

    /// <summary>
    /// On success in newest mode: the read-repair targets, closest first. Every node among the k closest
    /// that answered with <c>nodes</c> or with an item older than <see cref="Item"/>; each is to be sent a
    /// <c>store</c> of <see cref="Item"/>. Empty otherwise.
    /// </summary>
    public IReadOnlyList<Contact> RepairTargets { get; private set; } = [];

    /// <summary>Newest mode: valid copies seen so far, the local item included (replies beyond the k closest too).</summary>
    public int CopiesSeen => _copies?.Seen ?? 0;

    /// <summary>Newest mode: copies seen so far that are strictly older than the newest one seen.</summary>
    public int StaleCopies => _copies?.Stale ?? 0;

    /// <summary>Newest mode: whether the local item is strictly older than the newest copy seen.</summary>
    public bool LocalCopyStale => _copies?.LocalIsStale ?? false;

    // Step 4 in newest mode: the copy is kept and the responder has answered, as with nodes.
    private void KeepCopy(Shortlist.Member member, SignedItem item, DateTimeOffset now)
    {
        member.State = Shortlist.PeerState.Answered;
        member.Copy = item;
        _copies!.Add(item);
        CheckComplete(now);
    }

    // Newest mode, rule 6 reached (or nobody to ask but a local item): the newest copy is the result and
    // the k closest members that answered with nodes or an older copy are to be repaired.
    private void SucceedWithNewest(Shortlist.Member[] closest, DateTimeOffset now)
    {
        var copies = _copies!;
        Item = copies.Newest;
        Closest = closest.Select(m => m.Contact).ToArray();
        RepairTargets = copies.RepairTargets(closest);
        Finish(LookupStatus.Succeeded, now);
    }
}
