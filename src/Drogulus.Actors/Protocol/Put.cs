using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;
using Drogulus.Core.Storage;

namespace Drogulus.Actors.Protocol;

/// <summary>
/// Stores <paramref name="Item"/> at the <paramref name="Duplicate"/> closest nodes to its key (k when
/// null), the node itself included when it is among them (PROTOCOL §10).
/// </summary>
public sealed record Put(SignedItem Item, int? Duplicate = null) : IDrogulusMessage;

/// <summary>
/// The put ran; <paramref name="Outcomes"/> names each node's answer, closest to the key first, and
/// <paramref name="Lookup"/> reports the FindNode lookup that chose them.
/// </summary>
public sealed record PutCompleted(Key Key, IReadOnlyList<StoreOutcome> Outcomes, LookupStats? Lookup = null) : IPutReply
{
    /// <summary>The node that ran the put (the one whose own outcome, if any, is the local store).</summary>
    public Key NodeId { get; init; }

    /// <summary>How many nodes stored the item.</summary>
    public int StoredCount => Outcomes.Count(o => o.Result == StoreResult.Stored);

    /// <summary>How many nodes other than <see cref="NodeId"/> stored the item.</summary>
    public int StoredRemotely => Outcomes.Count(o => o.Result == StoreResult.Stored && o.NodeId != NodeId);

    /// <summary>
    /// The item is held by this node alone: no peer stored it (none was known, or none answered). It is not lost,
    /// but it lives and dies with this node until a republish pass (PROTOCOL §10) reaches a peer: the node marks the
    /// copy, and every pass (every <c>replicate-interval</c>) stores it again until a peer stores it, whatever the
    /// node's closeness to the key (docs/PROTOCOL.md, §10, the note on puts that reached no peer).
    /// </summary>
    public bool StoredOnlyLocally => StoredRemotely == 0 && Outcomes.Any(o => o.Result == StoreResult.Stored && o.NodeId == NodeId);

    /// <summary>RPCs the put sent: the lookup's plus one <c>store</c> per remote node.</summary>
    public int RpcsSent(Key ownId) => (Lookup?.RpcsSent ?? 0) + Outcomes.Count(o => o.NodeId != ownId);
}

/// <summary>
/// The put could not run (invalid or oversized item, duplicate &lt; 1, no contacts, lookup failure).
/// <see cref="Kind"/>, <see cref="ErrorCode"/> and <see cref="Details"/> say why in a form code can act on;
/// <paramref name="Reason"/> says it for people.
/// </summary>
public sealed record PutFailed(Key Key, string Reason) : IPutReply
{
    /// <summary>Why the put failed.</summary>
    public PutFailureKind Kind { get; init; } = PutFailureKind.Other;

    /// <summary>The protocol error code behind the failure, when there is one (4 for an oversized item, 6/7/9 for an invalid one).</summary>
    public int? ErrorCode { get; init; }

    /// <summary>The error's details, when there are any (empty otherwise).</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = NoDetails.Instance;

    /// <inheritdoc />
    public bool Equals(PutFailed? other) =>
        other is not null && Key == other.Key && Reason == other.Reason && Kind == other.Kind
        && ErrorCode == other.ErrorCode && NoDetails.SameContent(Details, other.Details);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, Reason, Kind, ErrorCode, Details.Count);

    /// <summary>A put refused by its size before anything was sent (PROTOCOL §10, put; error 4).</summary>
    public static PutFailed Refused(Key key, PutRefusal refusal) => new(key, PutCheck.Describe(refusal))
    {
        Kind = refusal == PutRefusal.ValueTooLarge ? PutFailureKind.ValueTooLarge : PutFailureKind.FrameTooLarge,
        ErrorCode = (int)Core.Wire.ErrorCode.RequestTooBig,
        Details = refusal == PutRefusal.ValueTooLarge
            ? Core.Wire.ErrorReply.Details("value", "larger than max-item-size")
            : NoDetails.Instance,
    };
}

/// <summary>Why a put failed.</summary>
public enum PutFailureKind
{
    /// <summary>Any other reason (see <see cref="PutFailed.Reason"/>).</summary>
    Other,

    /// <summary>The item failed validation (see <see cref="PutFailed.ErrorCode"/>: 6, 7 or 9).</summary>
    InvalidItem,

    /// <summary>The value is larger than <c>max-item-size</c>.</summary>
    ValueTooLarge,

    /// <summary>The store message would be larger than <c>max-frame-size</c>.</summary>
    FrameTooLarge,

    /// <summary><c>duplicate</c> was below 1.</summary>
    InvalidDuplicate,

    /// <summary>The lookup for the closest nodes failed.</summary>
    LookupFailed,

    /// <summary>The put was stopped before it finished.</summary>
    Aborted,
}

/// <summary>The shared empty details map of typed failures.</summary>
internal static class NoDetails
{
    public static IReadOnlyDictionary<string, string> Instance { get; } =
        System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Whether two details maps hold the same entries (records compare them by content, so copies through Hyperion stay equal).</summary>
    public static bool SameContent(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        ReferenceEquals(a, b)
        || (a is not null && b is not null && a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value));
}

/// <summary>What one node answered to a put's <c>store</c>.</summary>
public enum StoreResult
{
    /// <summary>The node answered <c>pong</c>: it holds the item.</summary>
    Stored,

    /// <summary>The node answered with an error (see <see cref="StoreOutcome.ErrorCode"/>).</summary>
    Refused,

    /// <summary>No answer within <c>request-timeout</c>.</summary>
    TimedOut,

    /// <summary>The connection to the node failed.</summary>
    ConnectionFailed,
}

/// <summary>One node's answer to a put.</summary>
/// <param name="NodeId">The node asked to store.</param>
/// <param name="Result">What it answered.</param>
/// <param name="ErrorCode">The protocol error code when <see cref="StoreResult.Refused"/>.</param>
/// <param name="Detail">Error title or failure reason, for people.</param>
public sealed record StoreOutcome(Key NodeId, StoreResult Result, int? ErrorCode = null, string? Detail = null)
{
    /// <summary>The error's details when <see cref="StoreResult.Refused"/> (e.g. <c>new_timestamp</c> with error 8); empty otherwise.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = NoDetails.Instance;

    /// <inheritdoc />
    public bool Equals(StoreOutcome? other) =>
        other is not null && NodeId == other.NodeId && Result == other.Result && ErrorCode == other.ErrorCode
        && Detail == other.Detail && NoDetails.SameContent(Details, other.Details);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(NodeId, Result, ErrorCode, Detail, Details.Count);

    /// <summary>The held timestamp (whole seconds) a refusal with error 8 named, if any.</summary>
    public long? NewTimestamp =>
        Details.TryGetValue("new_timestamp", out var text)
        && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : null;
}
