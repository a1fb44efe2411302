using Drogulus.Core.Identity;

namespace Drogulus.Actors.Protocol;

/// <summary>
/// Runs the node's bucket refresh now (PROTOCOL §10 refresh) instead of waiting for <c>refresh-interval</c>:
/// one FindNode lookup for a random id in each bucket untouched for <c>refresh-timeout</c>, or in every bucket
/// with <paramref name="AllBuckets"/>. The requester gets <see cref="RefreshStarted"/> with the targets, then
/// one <see cref="IFindNodesReply"/> per target as each lookup ends. Meant for tests and operators; the
/// periodic refresh goes on as before.
/// </summary>
public sealed record TriggerRefresh(bool AllBuckets = false) : IDrogulusMessage;

/// <summary>
/// Answer to <see cref="TriggerRefresh"/>: the ids looked up, one per bucket refreshed (empty when no bucket was
/// due); a <see cref="NodesFound"/> or <see cref="FindNodesFailed"/> follows for each.
/// </summary>
public sealed record RefreshStarted(IReadOnlyList<Key> Targets) : IDrogulusMessage;

/// <summary>
/// Runs the node's republish pass now (PROTOCOL §10 republish) instead of waiting for
/// <c>replicate-interval</c>: expired items and stale cached copies are deleted, and every item the node is
/// among the k closest to, not updated within the interval, is stored again at the k closest nodes. The
/// requester gets one <see cref="RepublishCompleted"/> when the pass's last put has answered. The pass is
/// throttled to <c>republish.items-per-second</c> on the actor system's scheduler, so under a virtual-time
/// scheduler it moves on only as the clock does. A pass already running is stopped.
/// </summary>
public sealed record TriggerRepublish : IDrogulusMessage
{
    /// <summary>The only instance.</summary>
    public static TriggerRepublish Instance { get; } = new();

    private TriggerRepublish()
    {
    }
}

/// <summary>A republish pass has ended.</summary>
/// <param name="Republished">Items the pass stored again at their k closest nodes (each put answered, or its wait ran out).</param>
/// <param name="Skipped">Items left alone: updated within the interval, or cached copies still in use.</param>
/// <param name="Deleted">Items deleted: expired, or cached copies unused for the interval.</param>
public sealed record RepublishCompleted(int Republished, int Skipped, int Deleted) : IDrogulusMessage;

/// <summary>Asks a node for every live item in its local store; answered with <see cref="LocalItems"/>.</summary>
public sealed record GetLocalItems : IDrogulusMessage
{
    /// <summary>The only instance.</summary>
    public static GetLocalItems Instance { get; } = new();

    private GetLocalItems()
    {
    }
}

/// <summary>The live items a node holds, ordered by key. Reading them does not count as an access.</summary>
/// <param name="NodeId">The node's id.</param>
/// <param name="Copies">Every live item with its standing.</param>
public sealed record LocalItems(Key NodeId, IReadOnlyList<LocalCopy> Copies) : IDrogulusMessage
{
    /// <summary>The items the node keeps as one of the k closest it knows (it republishes them).</summary>
    public IEnumerable<LocalCopy> Close => Copies.Where(c => c.IsClose);

    /// <summary>The cached copies (caching along a lookup's path, PROTOCOL §9; dropped when unused).</summary>
    public IEnumerable<LocalCopy> Cached => Copies.Where(c => !c.IsClose);

    /// <summary>Whether a live item is held under <paramref name="key"/>.</summary>
    public bool Holds(Key key) => Copies.Any(c => c.Item.Key == key);
}

/// <summary>One item in a node's local store.</summary>
/// <param name="Item">The item.</param>
/// <param name="IsClose">
/// The node is among the k closest it knows to the item's key (by its routing table when asked, the rule of a
/// republish pass); otherwise the item is a cached copy.
/// </param>
public sealed record LocalCopy(Core.Items.SignedItem Item, bool IsClose);
