using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;

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
    /// <summary>How many nodes stored the item.</summary>
    public int StoredCount => Outcomes.Count(o => o.Result == StoreResult.Stored);

    /// <summary>RPCs the put sent: the lookup's plus one <c>store</c> per remote node.</summary>
    public int RpcsSent(Key ownId) => (Lookup?.RpcsSent ?? 0) + Outcomes.Count(o => o.NodeId != ownId);
}

/// <summary>The put could not run (invalid item, duplicate &lt; 1, no contacts, lookup failure).</summary>
public sealed record PutFailed(Key Key, string Reason) : IPutReply;

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
public sealed record StoreOutcome(Key NodeId, StoreResult Result, int? ErrorCode = null, string? Detail = null);
