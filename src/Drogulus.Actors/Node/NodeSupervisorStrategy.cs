using Akka.Actor;
using Akka.Event;

namespace Drogulus.Actors.Node;

/// <summary>
/// How a node treats a failing child. The long-lived children (transport, routing table, data store)
/// are restarted; their state lives in objects handed to them through Props, so nothing is lost. A
/// per-request actor (put, join, get, find-nodes) is stopped instead of restarted, because a restart would
/// repeat its requests and could answer twice; its <c>PostStop</c> answers the requester with a failure,
/// so no request hangs.
/// </summary>
internal sealed class NodeSupervisorStrategy : OneForOneStrategy
{
    private static readonly HashSet<string> LongLived = new(StringComparer.Ordinal) { "transport", "routing-table", "data-store", "reachability" };

    /// <summary>Whether <paramref name="child"/> is one of the node's long-lived children.</summary>
    public static bool IsLongLived(IActorRef child) => LongLived.Contains(child.Path.Name);
    private readonly ILoggingAdapter _log;

    public NodeSupervisorStrategy(ILoggingAdapter log)
        : base(-1, Timeout.InfiniteTimeSpan, _ => Directive.Restart)
    {
        _log = log;
    }

    protected override Directive Handle(IActorRef child, Exception exception)
    {
        var restart = LongLived.Contains(child.Path.Name);
        _log.Error(exception, "Child {Child} of the node failed; it is {Action}", child.Path.Name, restart ? "restarted with its state" : "stopped");
        return restart ? Directive.Restart : Directive.Stop;
    }
}
