using Akka.Actor;
using Drogulus.Actors.Diagnostics;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network;

/// <summary>
/// The requests a transport has sent and still waits on (PROTOCOL §5): each is keyed by its uuid and bounded
/// by its own <c>request-timeout</c> timer on the owning actor's <see cref="ITimerScheduler"/>, which tells
/// the actor a <see cref="TimedOut"/> to hand back to <see cref="OnTimedOut"/>. A request ends once: replied,
/// failed or timed out. A failure blames the peer (<see cref="PeerFailed"/>) only when the request named the
/// id it expected there. Each request is counted in <see cref="DrogulusMetrics.RpcSent"/> when it ends, with its
/// outcome. Used from the owning actor's thread only.
/// </summary>
internal sealed class PendingRequests
{
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly ITimerScheduler _timers;
    private readonly IActorRef _inbound;
    private readonly TimeSpan _requestTimeout;
    private readonly NodeMetrics? _metrics;

    public PendingRequests(ITimerScheduler timers, IActorRef inbound, TimeSpan requestTimeout, NodeMetrics? metrics = null)
    {
        _timers = timers;
        _inbound = inbound;
        _requestTimeout = requestTimeout;
        _metrics = metrics;
    }

    /// <summary>How many requests wait on a reply.</summary>
    public int Count => _pending.Count;

    /// <summary>Whether the request <paramref name="uuid"/> still waits on a reply.</summary>
    public bool Contains(string uuid) => _pending.ContainsKey(uuid);

    /// <summary>Waits on a reply to <paramref name="uuid"/>, a request of wire name <paramref name="type"/>, for <c>request-timeout</c>.</summary>
    public void Add(string uuid, PeerAddress to, IActorRef replyTo, string type = "")
    {
        _pending[uuid] = new Pending(to, replyTo, type);
        _timers.StartSingleTimer(uuid, new TimedOut(uuid), _requestTimeout);
    }

    /// <summary>Hands <paramref name="reply"/> to its requester; false when no request waits on its uuid.</summary>
    public bool Complete(Message reply, PeerInfo peer)
    {
        if (!_pending.Remove(reply.Uuid, out var pending))
        {
            return false;
        }

        _timers.Cancel(reply.Uuid);
        _metrics?.RpcSent(pending.Type, reply is ErrorMessage ? "error" : "ok");
        _inbound.Tell(new PeerSeen(peer));
        pending.ReplyTo.Tell(new RpcReplied(pending.To, peer, reply));
        return true;
    }

    /// <summary>Fails the request <paramref name="uuid"/>, if it still waits.</summary>
    public void Fail(string uuid, RpcFailure failure, string reason)
    {
        if (!_pending.Remove(uuid, out var pending))
        {
            return;
        }

        _timers.Cancel(uuid);
        FailUntracked(pending.To, pending.ReplyTo, failure, reason, pending.Type);
    }

    /// <summary>Fails the request whose timer fired, unless it ended meanwhile.</summary>
    public void OnTimedOut(TimedOut timeout) => Fail(timeout.Uuid, RpcFailure.Timeout, "no reply within request-timeout");

    /// <summary>
    /// Fails the request whose timer fired, unless it ended meanwhile, without blaming the peer: it timed out for a
    /// reason of this node's own (its connection still waited for a turn to handshake).
    /// </summary>
    public void OnTimedOutBlameless(TimedOut timeout, string reason)
    {
        if (_pending.Remove(timeout.Uuid, out var pending))
        {
            _metrics?.RpcSent(pending.Type, "timeout");
            pending.ReplyTo.Tell(new RpcFailed(pending.To, RpcFailure.Timeout, reason));
        }
    }

    /// <summary>The connection the requests went over failed: each fails, blaming its peer.</summary>
    public void FailAll(string reason)
    {
        foreach (var uuid in _pending.Keys.ToList())
        {
            Fail(uuid, RpcFailure.ConnectionFailed, reason);
        }
    }

    /// <summary>This transport itself stops: each requester hears of it, and no peer is blamed.</summary>
    public void AbandonAll(string reason)
    {
        foreach (var (uuid, pending) in _pending)
        {
            _timers.Cancel(uuid);
            _metrics?.RpcSent(pending.Type, "connection_failed");
            pending.ReplyTo.Tell(new RpcFailed(pending.To, RpcFailure.ConnectionFailed, reason));
        }

        _pending.Clear();
    }

    /// <summary>Fails a request of wire name <paramref name="type"/> that was never sent, so never waited on.</summary>
    public void FailUntracked(PeerAddress to, IActorRef replyTo, RpcFailure failure, string reason, string type = "")
    {
        _metrics?.RpcSent(type, failure == RpcFailure.Timeout ? "timeout" : "connection_failed");
        if (to.ExpectedId is { } id)
        {
            _inbound.Tell(new PeerFailed(id, to));
        }

        replyTo.Tell(new RpcFailed(to, failure, reason));
    }

    /// <summary>The owning actor's timer message: no reply to <paramref name="Uuid"/> within <c>request-timeout</c>.</summary>
    internal sealed record TimedOut(string Uuid);

    private sealed record Pending(PeerAddress To, IActorRef ReplyTo, string Type);
}
