using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;

namespace Drogulus.Actors.Protocol;

/// <summary>Reads the item under <paramref name="Key"/>: the local store first, then a FindValue lookup.</summary>
public sealed record Get(Key Key) : IDrogulusMessage;

/// <summary>A live, valid item was found.</summary>
public sealed record ValueFound(SignedItem Item, LookupStats Stats) : IGetReply;

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
