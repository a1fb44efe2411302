using Drogulus.Core.Routing;
using Drogulus.Core.Storage;

namespace Drogulus.Actors.Node;

/// <summary>
/// What a node must not lose when one of its actors, the node itself included, is restarted: the routing
/// table, the item store and the endpoint it announced. One object per <see cref="NodeActor.Props"/>,
/// captured by the Props, so every incarnation of the node and of its children works on the same state.
/// Touched only from the node's actors, one message at a time each (the table by the routing table actor,
/// the store by the data store actor). Opaque outside the library: only <see cref="NodeActor.Props"/> makes one.
/// </summary>
public sealed class NodeState
{
    internal NodeState(LocalStore store, RoutingTable? table, int seed, Routing.RoutingTableFile? tableFile = null)
    {
        Store = store;
        Table = table;
        Seed = seed;
        TableFile = tableFile;
    }

    /// <summary>The items.</summary>
    internal LocalStore Store { get; }

    /// <summary>The routing table; made by the first incarnation of the node when none was restored.</summary>
    internal RoutingTable? Table { get; set; }

    /// <summary>Where the routing table is saved (<c>drogulus.routing-table.file</c>); null when it is kept in memory only.</summary>
    internal Routing.RoutingTableFile? TableFile { get; }

    /// <summary>Seed of the node's randomness (refresh ids, republish stagger).</summary>
    internal int Seed { get; }

    /// <summary>Whether the node was ever asked to join: a node with no contacts that never was is alone, not lost.</summary>
    internal bool JoinRequested { get; set; }

    /// <summary>The endpoint the transport announced; null until it is reachable.</summary>
    internal string? Endpoint { get; set; }

    /// <summary>What the node's reachability actor last reported (PROTOCOL §10); null before its first report.</summary>
    internal Reachability.ReachabilityActor.ReachabilityReport? Reachability { get; set; }
}
