using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;

namespace Drogulus.Actors.Protocol;

/// <summary>
/// Reads the item under <paramref name="Key"/>: the local store first, then a FindValue lookup that ends at
/// the first valid copy. With <paramref name="Latest"/>, the lookup always runs in newest mode (PROTOCOL §9):
/// it ends only when the k closest have answered, returns the copy with the greatest timestamp (the local
/// copy counts as one answer) and stores it at every node among the k closest that answered with
/// <c>nodes</c> or an older copy (read repair).
/// </summary>
public sealed record Get(Key Key, bool Latest = false) : IDrogulusMessage;

/// <summary>
/// A live, valid item was found. <paramref name="CopiesSeen"/> counts the copies the get saw (1 for a plain
/// get), <paramref name="StaleCopies"/> those older than <paramref name="Item"/>, and
/// <paramref name="RepairStores"/> the stores the read repair sent (newest mode only).
/// <paramref name="AnsweredBy"/> is the node whose copy this is (the reading node itself when its local store
/// answered or its own copy was the newest); <paramref name="CachedAt"/> is the node a plain get's caching
/// store went to (PROTOCOL §9 step 4: the closest node that answered the lookup without the value), null when
/// none was sent (a local answer, newest mode, or no such node).
/// </summary>
public sealed record ValueFound(SignedItem Item, LookupStats Stats, int CopiesSeen = 1, int StaleCopies = 0, int RepairStores = 0, Key? AnsweredBy = null, Key? CachedAt = null) : IGetReply;

/// <summary>The lookup completed without finding the item.</summary>
public sealed record ValueNotFound(Key Key, LookupStats Stats) : IGetReply;

/// <summary>The lookup could not run or timed out; <see cref="Failure"/> says why in a form code can act on.</summary>
public sealed record GetFailed(Key Key, string Reason) : IGetReply
{
    /// <summary>Why the lookup failed, when it was a lookup failure (<see cref="LookupFailure.None"/> otherwise).</summary>
    public LookupFailure Failure { get; init; } = LookupFailure.None;

    /// <summary>The protocol error code behind the failure, when there is one.</summary>
    public int? ErrorCode { get; init; }

    /// <summary>The error's details, when there are any (empty otherwise).</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = NoDetails.Instance;

    /// <inheritdoc />
    public bool Equals(GetFailed? other) =>
        other is not null && Key == other.Key && Reason == other.Reason && Failure == other.Failure
        && ErrorCode == other.ErrorCode && NoDetails.SameContent(Details, other.Details);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, Reason, Failure, ErrorCode, Details.Count);
}
