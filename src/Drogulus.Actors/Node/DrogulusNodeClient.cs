using Akka.Actor;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.Actors.Node;

/// <summary>
/// A thin async facade over <c>Ask</c> for callers that are not actors. Every call is bounded by
/// <see cref="Timeout"/>.
/// </summary>
/// <param name="node">The node actor.</param>
/// <param name="timeout">Bound of each call; choose it above the node's <c>lookup-timeout</c>.</param>
public sealed class DrogulusNodeClient(IActorRef node, TimeSpan timeout)
{
    /// <summary>The node actor.</summary>
    public IActorRef Node { get; } = node;

    /// <summary>Bound of each call.</summary>
    public TimeSpan Timeout { get; } = timeout;

    /// <summary>Joins through <paramref name="seeds"/>.</summary>
    public Task<IJoinReply> JoinAsync(IReadOnlyList<string> seeds, CancellationToken cancel = default) =>
        Node.Ask<IJoinReply>(new Join(seeds), Timeout, cancel);

    /// <summary>Stores <paramref name="item"/> at the closest nodes.</summary>
    public Task<IPutReply> PutAsync(SignedItem item, int? duplicate = null, CancellationToken cancel = default) =>
        Node.Ask<IPutReply>(new Put(item, duplicate), Timeout, cancel);

    /// <summary>Reads the item under <paramref name="key"/>.</summary>
    public Task<IGetReply> GetAsync(Key key, CancellationToken cancel = default) =>
        Node.Ask<IGetReply>(new Get(key), Timeout, cancel);

    /// <summary>Reads the item under <paramref name="key"/>; with <paramref name="latest"/>, the newest copy among the k closest, with read repair.</summary>
    public Task<IGetReply> GetAsync(Key key, bool latest, CancellationToken cancel = default) =>
        Node.Ask<IGetReply>(new Get(key, latest), Timeout, cancel);

    /// <summary>Finds the nodes closest to <paramref name="target"/>.</summary>
    public Task<IFindNodesReply> FindNodesAsync(Key target, CancellationToken cancel = default) =>
        Node.Ask<IFindNodesReply>(new FindNodes(target), Timeout, cancel);

    /// <summary>The node's status.</summary>
    public Task<NodeStatus> StatusAsync(CancellationToken cancel = default) =>
        Node.Ask<NodeStatus>(GetNodeStatus.Instance, Timeout, cancel);

    /// <summary>Asks for the node's <see cref="NodeHealth"/> (may ping contacts first: allow twice <c>request-timeout</c>).</summary>
    public Task<NodeHealth> HealthAsync(CancellationToken cancel = default) =>
        Node.Ask<NodeHealth>(GetNodeHealth.Instance, Timeout, cancel);
}
