using Akka.Actor;
using Drogulus.Actors.Diagnostics;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network;

/// <summary>
/// The requests a transport has sent and still waits on (PROTOCOL §5): each is keyed by its uuid and bounded by its
/// own deadline, <c>request-timeout</c> after it was sent. One timer on the owning actor's <see cref="ITimerScheduler"/>
/// runs to the earliest deadline and tells the actor a <see cref="TimedOut"/> to hand back to <see cref="OnTimedOut"/>,
/// which fails every request past its deadline and sets the timer to the next (issue 13: a timer per request cost a
/// scheduler registration, a cancellation source and a cancel per RPC). The requests wait in the order they were sent,
/// which is the order of their deadlines, in a list that drops a request in O(1) when it ends. A request ends once:
/// replied, failed or timed out. A failure blames the peer (<see cref="PeerFailed"/>) only when the request named the
/// id it expected there. Each request is counted in <see cref="DrogulusMetrics.RpcSent"/> when it ends, with its
/// outcome. Used from the owning actor's thread only.
/// </summary>
internal sealed class PendingRequests
{
    private const string TimerKey = "request-timeouts";

    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly ITimerScheduler _timers;
    private readonly ITimeProvider _clock;
    private readonly IActorRef _inbound;
    private readonly TimeSpan _requestTimeout;
    private readonly NodeMetrics? _metrics;
    private Pending? _oldest;
    private Pending? _newest;

    public PendingRequests(ITimerScheduler timers, ITimeProvider clock, IActorRef inbound, TimeSpan requestTimeout, NodeMetrics? metrics = null)
    {
        _timers = timers;
        _clock = clock;
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
        if (_pending.Remove(uuid, out var replaced))
        {
            Unlink(replaced);
        }

        var pending = new Pending(uuid, to, replyTo, type, _clock.Now + _requestTimeout) { Older = _newest };
        _pending.Add(uuid, pending);

        if (_newest is null)
        {
            _oldest = pending;
        }
        else
        {
            _newest.Newer = pending;
        }

        _newest = pending;
        if (!_timers.IsTimerActive(TimerKey))
        {
            _timers.StartSingleTimer(TimerKey, TimedOut.Instance, _requestTimeout);
        }
    }

    /// <summary>Hands <paramref name="reply"/> to its requester; false when no request waits on its uuid.</summary>
    public bool Complete(Message reply, PeerInfo peer)
    {
        if (!_pending.Remove(reply.Uuid, out var pending))
        {
            return false;
        }

        Unlink(pending);
        _metrics?.RpcSent(pending.Type, reply is ErrorMessage ? "error" : "ok");
        _inbound.Tell(new PeerSeen(peer, reply.Seen));
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

        Unlink(pending);
        FailUntracked(pending.To, pending.ReplyTo, failure, reason, pending.Type);
    }

    /// <summary>The timer ran to the earliest deadline: fails every request past its deadline and sets the timer to the next.</summary>
    public void OnTimedOut(TimedOut timeout) => Expire(null);

    /// <summary>
    /// As <see cref="OnTimedOut"/>, but the requests past their deadline fail without blaming the peer: they timed out
    /// for a reason of this node's own (their connection still waited for a turn to handshake).
    /// </summary>
    public void OnTimedOutBlameless(TimedOut timeout, string reason) => Expire(reason);

    private void Expire(string? blamelessReason)
    {
        var now = _clock.Now;

        // A deadline further than request-timeout ahead means the clock was set back since: the request is overdue too.
        while (_oldest is { } oldest && (oldest.Deadline <= now || oldest.Deadline - now > _requestTimeout))
        {
            Unlink(oldest);
            if (!_pending.Remove(oldest.Uuid))
            {
                continue;
            }

            if (blamelessReason is null)
            {
                FailUntracked(oldest.To, oldest.ReplyTo, RpcFailure.Timeout, "no reply within request-timeout", oldest.Type);
            }
            else
            {
                _metrics?.RpcSent(oldest.Type, "timeout");
                oldest.ReplyTo.Tell(new RpcFailed(oldest.To, RpcFailure.Timeout, blamelessReason));
            }
        }

        if (_oldest is { } next)
        {
            _timers.StartSingleTimer(TimerKey, TimedOut.Instance, next.Deadline - now);
        }
        else
        {
            _timers.Cancel(TimerKey);
        }
    }

    /// <summary>The connection the requests went over failed: each fails, blaming its peer.</summary>
    public void FailAll(string reason)
    {
        foreach (var uuid in _pending.Keys.ToList())
        {
            Fail(uuid, RpcFailure.ConnectionFailed, reason);
        }

        _timers.Cancel(TimerKey);
    }

    /// <summary>This transport itself stops: each requester hears of it, and no peer is blamed.</summary>
    public void AbandonAll(string reason)
    {
        foreach (var (_, pending) in _pending)
        {
            _metrics?.RpcSent(pending.Type, "connection_failed");
            pending.ReplyTo.Tell(new RpcFailed(pending.To, RpcFailure.ConnectionFailed, reason));
        }

        _pending.Clear();
        _oldest = _newest = null;
        _timers.Cancel(TimerKey);
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

    private void Unlink(Pending pending)
    {
        if (pending.Older is { } older)
        {
            older.Newer = pending.Newer;
        }
        else
        {
            _oldest = pending.Newer;
        }

        if (pending.Newer is { } newer)
        {
            newer.Older = pending.Older;
        }
        else
        {
            _newest = pending.Older;
        }

        pending.Older = pending.Newer = null;
    }

    /// <summary>The owning actor's timer message: the earliest <c>request-timeout</c> deadline has come.</summary>
    internal sealed record TimedOut
    {
        public static TimedOut Instance { get; } = new();
    }

    // A node of the list in sending order (oldest first), which is deadline order.
    private sealed class Pending(string uuid, PeerAddress to, IActorRef replyTo, string type, DateTimeOffset deadline)
    {
        public string Uuid { get; } = uuid;

        public PeerAddress To { get; } = to;

        public IActorRef ReplyTo { get; } = replyTo;

        public string Type { get; } = type;

        public DateTimeOffset Deadline { get; } = deadline;

        public Pending? Older { get; set; }

        public Pending? Newer { get; set; }
    }
}
