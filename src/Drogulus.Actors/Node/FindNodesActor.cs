using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Lookup;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Lookup;

namespace Drogulus.Actors.Node;

/// <summary>
/// One <see cref="FindNodes"/> request, or one bucket-refresh lookup (PROTOCOL §10 refresh; the paper's
/// §2.3 refresh is a node lookup for a random id in the bucket): a FindNode lookup run by its own
/// <see cref="LookupActor"/> child, answered to the requester (nobody for a refresh, which is wanted for its
/// effect on the routing table) once, then it stops.
/// </summary>
internal sealed class FindNodesActor : ReceiveActor
{
    private readonly Key _target;
    private readonly IActorRef _replyTo;
    private readonly Key _ownId;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _routing;
    private readonly IActorRef _transport;
    private bool _replied;

    public FindNodesActor(Key target, IActorRef replyTo, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef transport)
    {
        _target = target;
        _replyTo = replyTo;
        _ownId = ownId;
        _settings = settings;
        _routing = routing;
        _transport = transport;
        Receive<LookupActor.Result>(result => Answer(result.Succeeded
            ? new NodesFound(_target, result.Closest, result.Stats)
            : new FindNodesFailed(_target, result.FailureReason ?? "lookup failed")));
    }

    public static Props Props(Key target, IActorRef replyTo, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new FindNodesActor(target, replyTo, ownId, settings, routing, transport));

    // A failing lookup child is stopped, never restarted (a restart would send its RPCs again and answer twice).
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    protected override void PreStart() =>
        Context.ActorOf(LookupActor.Props(new LookupActor.Request(LookupKind.FindNode, _target, []), _ownId, _settings, _routing, _transport), "lookup");

    private void Answer(IFindNodesReply reply)
    {
        _replied = true;
        _replyTo.Tell(reply);
        Context.Stop(Self);
    }

    // Stopped before it answered (its node stopping or restarting): the requester still gets one answer.
    protected override void PostStop()
    {
        if (!_replied)
        {
            _replied = true;
            _replyTo.Tell(new FindNodesFailed(_target, "the lookup was aborted"));
        }
    }
}
