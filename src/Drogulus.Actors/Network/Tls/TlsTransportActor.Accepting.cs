using Akka.Actor;
using Akka.Event;
using Akka.IO;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// Running out of file descriptors (PROTOCOL §5, budget; issue 9). Admission (TlsTransportActor.Admission.cs,
/// <see cref="AdmissionActor"/>) keeps each connection within the node's <c>max-connections</c> and the budget shared
/// by all the nodes of the actor system (one file descriptor each). Running out of file
/// descriptors anyway (something else in the process holds them) makes Akka.IO's listener retry <c>accept</c> every
/// 10 ms with a warning each time. On the first sign (<see cref="ListenerAlarm"/>, the listener's statistics, or a
/// dial that failed for want of descriptors) the transport closes some of its idle connections and lowers the
/// process's budget below what is open, so the retried accept gets a descriptor and is refused at once (while the
/// budget is lowered, an accepted connection never takes the place of an idle one: that churn would spend the freed
/// descriptors on the next accept): the storm ends, busy connections keep working, and the budget returns to its
/// setting after <c>rebind.max-backoff</c>. Alarms within <c>rebind.min-backoff</c> of an action, or while the connections
/// it closed are still open, are the same episode (the accepts queued meanwhile still fail while the refusals free their
/// descriptors) and change nothing.
/// Only when no connection of the node is idle does it unbind its listener (Akka.IO then closes the accepted
/// connections with it, which are the listener's children) and bind the same port again after
/// <c>rebind.min-backoff</c>, doubling up to <c>rebind.max-backoff</c> while it keeps happening.
/// </summary>
internal sealed partial class TlsTransportActor
{
    /// <summary>Accept retries within one statistics report (10 s) that are a storm rather than a stray ECONNABORTED.</summary>
    private const long StormRetries = 50;

    private const string DescriptorsWarning = "descriptors";

    /// <summary>Connections closed at least when the process is out of descriptors, so that accepts get one again.</summary>
    private const int MinFreed = 16;

    private readonly HashSet<IActorRef> _shedding = new(); // closed to give descriptors back, not yet gone
    private int _acceptBacklog = 16;
    private bool _acceptPaused;
    private TimeSpan _pauseBackoff;
    private DateTimeOffset _resumedAt;
    private DateTimeOffset _freedAt;
    private long _retriedAccepts;

    private void ReceiveAccepting()
    {
        Receive<ListenerAlarm.OutOfDescriptors>(_ => OnOutOfDescriptors("the process is out of file descriptors"));
        Receive<RestoreBudget>(_ => _admission.Tell(AdmissionActor.Restore.Instance));
        Receive<AdmissionActor.Shrunk>(shrunk => Warn(
            DescriptorsWarning,
            $"{shrunk.Reason}: closed {shrunk.Freeing} idle connections and lowered the process's connection budget to {shrunk.Limit} for {_settings.RebindMaxBackoff}; busy connections keep working"));
        Receive<Tcp.TcpListenerStatistics>(OnListenerStatistics);
        Receive<ResumeAccepting>(_ => Bind(BoundPort));
        Receive<Tcp.Bound>(_ =>
        {
            OnListenerBound(Sender);
            _acceptPaused = false;
            _resumedAt = Context.System.Scheduler.Now;
            _log.Info("Node {NodeId} accepts connections on {Host}:{Port} again", _identity.Id.ToShortString(), _settings.ListenHost, BoundPort);
        });
        Receive<Tcp.CommandFailed>(failed =>
        {
            if (failed.Cmd is Tcp.Bind && _acceptPaused)
            {
                Warn(DescriptorsWarning, $"cannot listen on {_settings.ListenHost}:{BoundPort} again ({failed.CauseString}); trying again in {_pauseBackoff}");
                Timers.StartSingleTimer("resume-accepting", ResumeAccepting.Instance, _pauseBackoff);
            }
        });
        Receive<Tcp.Unbound>(_ => { });
    }

    /// <summary>A listener is bound (first bind, restart or resume): watch it, and hear when it runs out of descriptors.</summary>
    private void OnListenerBound(IActorRef listener)
    {
        _listening.Listener = listener;
        Context.Watch(listener);
        _retriedAccepts = 0;
        ListenerAlarm.Get(Context.System).Register(listener, Self);
        listener.Tell(new Tcp.SubscribeToTcpListenerStats(Self));
    }

    // The fallback when warnings are not published: Akka.IO reports its listener's accept retries every 10 s.
    private void OnListenerStatistics(Tcp.TcpListenerStatistics statistics)
    {
        if (!Sender.Equals(_listening.Listener))
        {
            return;
        }

        var retried = statistics.RetriedIncomingConnections - _retriedAccepts;
        _retriedAccepts = statistics.RetriedIncomingConnections;
        if (retried >= StormRetries)
        {
            OnOutOfDescriptors($"Akka.IO's listener retried accept {retried} times (out of file descriptors)");
        }
    }

    /// <summary>
    /// Gives descriptors back: closes up to an eighth (at least <see cref="MinFreed"/>) of this node's connections, the
    /// idle ones, idle longest first, and lowers the process budget by as many. With none idle, stops accepting.
    /// </summary>
    private void OnOutOfDescriptors(string reason)
    {
        var now = Context.System.Scheduler.Now;
        if (_acceptPaused || (Timers.IsTimerActive("restore-budget") && (_shedding.Count > 0 || now - _freedAt < _settings.RebindMinBackoff)))
        {
            return; // already giving descriptors back
        }

        var idle = ShedIdle(Math.Max(MinFreed, _idle.Count / 8));
        if (idle.Count == 0)
        {
            PauseAccepting(reason + " and no connection is idle");
            return;
        }

        _shedding.UnionWith(idle);
        _freedAt = now;
        _admission.Tell(new AdmissionActor.Shrink(idle.Count, reason));
        Timers.StartSingleTimer("restore-budget", RestoreBudget.Instance, _settings.RebindMaxBackoff);
    }

    /// <summary>Stops accepting: the listener is unbound (its socket closed), so no accept is tried until it binds again.</summary>
    private void PauseAccepting(string reason)
    {
        if (_acceptPaused || _listening.Listener is not { } listener)
        {
            return;
        }

        Context.Unwatch(listener);
        listener.Tell(Tcp.Unbind.Instance);
        _listening.Listener = null;
        _acceptPaused = true;
        var now = Context.System.Scheduler.Now;
        _pauseBackoff = _pauseBackoff == TimeSpan.Zero || now - _resumedAt > _settings.RebindMaxBackoff
            ? _settings.RebindMinBackoff
            : TimeSpan.FromTicks(Math.Min(_pauseBackoff.Ticks * 2, _settings.RebindMaxBackoff.Ticks));
        Timers.StartSingleTimer("resume-accepting", ResumeAccepting.Instance, _pauseBackoff);
        Warn(DescriptorsWarning, $"{reason}: stopped accepting on {_settings.ListenHost}:{BoundPort} for {_pauseBackoff}; the {_routes.Count} open connections keep working");
    }

    private sealed record RestoreBudget
    {
        public static RestoreBudget Instance { get; } = new();
    }

    /// <summary>The pause's timer: bind the listener again (tests send it early).</summary>
    internal sealed record ResumeAccepting
    {
        public static ResumeAccepting Instance { get; } = new();
    }
}
