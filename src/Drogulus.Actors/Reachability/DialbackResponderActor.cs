using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Diagnostics;
using Drogulus.Actors.Network;
using Drogulus.Core.Limits;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Reachability;

/// <summary>
/// Answers <c>dialback</c> requests (PROTOCOL §6): it opens a new connection to the requester's IP address as
/// the request's connection saw it (never an address the requester names), at the port it asks for, expecting the
/// requester's id, and pings it with the nonce. The answer is <c>pong</c> when the ping was answered and error 12
/// (Unreachable) with a reason otherwise, within <c>request-timeout</c>. It never amplifies: one dial-back per
/// requesting address group at a time and <c>dialback-max-in-flight</c> in all (the rest get error 10), one
/// small ping per dial, and the TLS handshake fails at once against anyone but the requester.
/// </summary>
internal sealed class DialbackResponderActor : ReceiveActor, IWithTimers
{
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _node;
    private readonly DialbackGate _gate;
    private readonly NodeMetrics _metrics;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<AddressGroup, InboundRequest> _running = new();

    public DialbackResponderActor(DrogulusSettings settings, IActorRef node, NodeMetrics metrics)
    {
        _settings = settings;
        _node = node;
        _metrics = metrics;
        _gate = new DialbackGate(settings.DialbackMaxInFlight);
        Receive<InboundRequest>(inbound => InternalErrors.Guard(inbound, _log, OnDialback, _metrics));
        Receive<RpcReplied>(replied => Finish(replied.To, replied.Reply is PongMessage ? null : Describe(replied.Reply)));
        Receive<RpcFailed>(failed => Finish(failed.To, failed.Reason));
        Receive<Deadline>(deadline => Finish(deadline.Group, "no answer within request-timeout"));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the responder; <paramref name="node"/> relays its pings to the transport.</summary>
    public static Props Props(DrogulusSettings settings, IActorRef node, NodeMetrics metrics) =>
        Akka.Actor.Props.Create(() => new DialbackResponderActor(settings, node, metrics));

    private void OnDialback(InboundRequest inbound)
    {
        var dialback = (DialbackMessage)inbound.Request;
        var group = AddressGroup.Of(inbound.From.Address, _settings.DiversityExemptPrivate);
        if (!_gate.TryBegin(group))
        {
            var busy = ErrorReply.For(dialback, ErrorCode.Busy, BusyDetails, default, 0);
            _metrics.Answered(dialback, busy);
            inbound.Connection.Tell(new SendReply(inbound.From, dialback.Uuid, busy));
            return;
        }

        _running[group] = inbound;
        Timers.StartSingleTimer(group, new Deadline(group), _settings.RequestTimeout);
        var to = new PeerAddress(inbound.From.Address, dialback.Port, inbound.From.Id);
        _node.Tell(new SendRequest(to, new PingMessage("", default, 0, "") { Nonce = dialback.Nonce }, Self, FreshConnection: true));
    }

    // Exactly one answer per dial-back: whichever of the outcome and the deadline comes first, then the group is free.
    // An outcome that comes after its deadline answered finds the group free, or running another dial-back
    // (to another port or id), and is dropped.
    private void Finish(PeerAddress to, string? failure)
    {
        var group = AddressGroup.Of(to.Host, _settings.DiversityExemptPrivate);
        if (_running.TryGetValue(group, out var inbound)
            && inbound.Request is DialbackMessage d && d.Port == to.Port && to.ExpectedId == inbound.From.Id)
        {
            Finish(group, failure);
        }
    }

    private void Finish(AddressGroup group, string? failure)
    {
        if (!_running.Remove(group, out var inbound))
        {
            return;
        }

        Timers.Cancel(group);
        _gate.End(group);
        var reply = failure is null
            ? (Message)new PongMessage("", default, 0, "")
            : ErrorReply.For(inbound.Request, ErrorCode.Unreachable, ErrorReply.Details("reason", failure), default, 0);
        _metrics.Answered(inbound.Request, reply);
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, reply));
    }

    private static string Describe(Message reply) => reply is ErrorMessage error
        ? $"the ping was answered with error {(int)error.Code}"
        : $"the ping was answered with {reply.WireName}";

    /// <summary>The details of error 10 for a dial-back past the limits.</summary>
    internal static readonly IReadOnlyDictionary<string, string> BusyDetails =
        ErrorReply.Details("context", "A dial-back for your address group is under way, or too many are; try later.");

    private sealed record Deadline(AddressGroup Group);
}
