using Akka.Actor;
using Akka.Event;
using Akka.IO;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// Admission of connections (PROTOCOL §5, budget; issue 9): every connection needs room in the node's
/// <c>max-connections</c> and a slot in the budget shared by all the nodes of the actor system
/// (<see cref="ProcessConnections"/>, one file descriptor each); when either is full the connection idle longest
/// is closed, and when none is idle an accepted connection is aborted at once and a dial fails. Running out of file
/// descriptors anyway (something else in the process holds them) makes Akka.IO's listener retry <c>accept</c> every
/// 10 ms with a warning each time. On the first sign (<see cref="ListenerAlarm"/>, the listener's statistics, or a
/// dial that failed for want of descriptors) the transport closes some of its idle connections and lowers the
/// process's budget below what is open, so the retried accept gets a descriptor and is refused at once (while the
/// budget is lowered, an accepted connection never takes the place of an idle one: that churn would spend the freed
/// descriptors on the next accept): the storm ends, busy connections keep working, and the budget returns to its
/// setting after <c>rebind.max-backoff</c>. Alarms within <c>rebind.min-backoff</c> of an action are the same episode
/// (the accepts queued meanwhile still fail while the refusals free their descriptors) and change nothing.
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

    private readonly ProcessConnections _process;
    private readonly HashSet<IActorRef> _slots = new();
    private readonly Dictionary<IActorRef, string> _acceptedGroups = new(); // accepted connections of non-exempt groups
    private readonly Dictionary<string, int> _acceptedPerGroup = new();
    private bool _acceptPaused;
    private TimeSpan _pauseBackoff;
    private DateTimeOffset _resumedAt;
    private DateTimeOffset _freedAt;
    private long _retriedAccepts;

    private void ReceiveAccepting()
    {
        Receive<ListenerAlarm.OutOfDescriptors>(_ => OnOutOfDescriptors("the process is out of file descriptors"));
        Receive<RestoreBudget>(_ => _process.Restore());
        Receive<ShedIdle>(_ => OnShedIdle());
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
        if (_acceptPaused || (Timers.IsTimerActive("restore-budget") && (_process.Count > _process.Limit || now - _freedAt < _settings.RebindMinBackoff)))
        {
            return; // already giving descriptors back
        }

        var idle = _budget.TakeIdlest(Math.Max(MinFreed, _budget.Count / 8));
        if (idle.Count == 0)
        {
            PauseAccepting(reason + " and no connection is idle");
            return;
        }

        foreach (var connection in idle)
        {
            Evict(connection);
        }

        _freedAt = now;
        var limit = _process.Shrink(idle.Count);
        Timers.StartSingleTimer("restore-budget", RestoreBudget.Instance, _settings.RebindMaxBackoff);
        Warn(DescriptorsWarning, $"{reason}: closed {idle.Count} idle connections and lowered the process's connection budget to {limit} for {_settings.RebindMaxBackoff}; busy connections keep working");
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

    private void OnConnected(Tcp.Connected connected)
    {
        // connection-rate-limit per remote address (issue 10): the excess is dropped before any TLS work.
        _connectionRate ??= _settings.CreateConnectionRateLimiter();
        if (connected.RemoteAddress is System.Net.IPEndPoint remote && !_connectionRate.TryAcquire(remote.Address, Context.System.Scheduler.Now))
        {
            _log.Debug("Dropped a connection from {Address}: over connection-rate-limit", remote.Address);
            Sender.Tell(Tcp.Abort.Instance);
            return;
        }

        // PROTOCOL §5, admission: the connections accepted from one address group are bounded.
        var group = connected.RemoteAddress is System.Net.IPEndPoint from
            ? Core.Limits.AddressGroup.Of(from.Address, _settings.DiversityExemptPrivate)
            : (Core.Limits.AddressGroup?)null;
        if (group is { IsExempt: false } counted && _acceptedPerGroup.GetValueOrDefault(counted.Value) >= _settings.MaxAcceptedPerGroup)
        {
            Sender.Tell(Tcp.Abort.Instance);
            Warn(ConnectionActor.Warnings.Budget, $"refused a connection from {connected.RemoteAddress}: its address group {counted.Value} already has {_settings.MaxAcceptedPerGroup} accepted connections (max-accepted-per-group)");
            return;
        }

        if (!MakeRoom(out var slot, out var full, accepting: true))
        {
            // Closed at once, before any TLS work: the budget is full of connections with requests in flight.
            Sender.Tell(Tcp.Abort.Instance);
            Warn(ConnectionActor.Warnings.Budget, $"refused a connection from {connected.RemoteAddress}: {full}");
            return;
        }

        var connection = Context.ActorOf(ConnectionActor.Inbound(
            Sender, connected.RemoteAddress, _credentials, _identity.Id, _listening, _settings, _handler));
        Context.Watch(connection);
        _routes[connection] = new Route(null, null);
        Opened(connection, busy: false, slot);
        if (group is { IsExempt: false } charged)
        {
            _acceptedGroups[connection] = charged.Value;
            _acceptedPerGroup[charged.Value] = _acceptedPerGroup.GetValueOrDefault(charged.Value) + 1;
        }
    }

    /// <summary>
    /// Whether one more connection fits in <c>max-connections</c> and in the process's budget, closing the connection
    /// idle longest when either is full (PROTOCOL §5). The closing one is forgotten at once, so a request for its peer
    /// opens a new connection; its process slot passes to the new one. <paramref name="slot"/>: the new connection
    /// holds a process slot; <paramref name="full"/>: why nothing fits. While the process is short of descriptors
    /// (<see cref="ProcessConnections.Short"/>), an accepted connection that finds no slot is refused rather than
    /// closing an idle one: each accept would otherwise take a descriptor before the closed one is given back.
    /// </summary>
    private bool MakeRoom(out bool slot, out string full, bool accepting = false)
    {
        slot = _process.TryTake(Self);
        full = "";
        if (!slot && accepting && _process.Short)
        {
            full = $"the process is short of file descriptors and its {_process.Limit} connections (lowered for rebind.max-backoff) are taken";
            return false;
        }
        if (!_budget.TryMakeRoom(processFull: !slot, out var evict))
        {
            if (!slot && _budget.Count < _settings.MaxConnections && _process.TryLend(Self, out var donor))
            {
                // Below its fair share of a full process with nothing idle: a slot lent until the donor closes one.
                donor!.Tell(ShedIdle.Instance);
                slot = true;
                return true;
            }

            full = slot
                ? $"all {_settings.MaxConnections} connections (max-connections) have requests in flight"
                : $"the {_process.Limit} connections of this process (process-max-connections, ulimit -n) are taken and none of this node's is idle";
            if (slot)
            {
                _process.Release(Self);
                slot = false;
            }

            return false;
        }

        if (evict is not null)
        {
            Evict(evict);
            if (!slot && _slots.Remove(evict))
            {
                slot = true;
            }
        }

        return true;
    }

    private void Opened(IActorRef connection, bool busy, bool slot)
    {
        _budget.Opened(connection, busy, Context.System.Scheduler.Now);
        if (slot)
        {
            _slots.Add(connection);
        }
    }

    /// <summary>A connection closed or stopped: its room in both budgets is free.</summary>
    private void Gone(IActorRef connection)
    {
        _budget.Closed(connection);
        _partialFrames.Remove(connection);
        if (_acceptedGroups.Remove(connection, out var group) && --_acceptedPerGroup[group] == 0)
        {
            _acceptedPerGroup.Remove(group);
        }

        if (_slots.Remove(connection))
        {
            _process.Release(Self);
        }
    }

    private void ReleaseAllSlots()
    {
        foreach (var _ in _slots)
        {
            _process.Release(Self);
        }

        _slots.Clear();
    }

    /// <summary>
    /// Another node of the process, below its fair share of the full process budget, was lent a slot: close the
    /// connection idle longest to pay it back (none idle: the loan is repaid when a connection closes).
    /// </summary>
    private void OnShedIdle()
    {
        foreach (var connection in _budget.TakeIdlest(1))
        {
            Evict(connection);
        }
    }

    /// <summary>Closes a connection to stay in budget: forgotten at once, so a request for its peer opens a new one.</summary>
    private void Evict(IActorRef connection)
    {
        Forget(connection);
        connection.Tell(ConnectionActor.Evict.Instance);
    }

    /// <summary>Sent by another transport of the process that was lent a slot (<see cref="ProcessConnections.TryLend"/>).</summary>
    internal sealed record ShedIdle : IDeadLetterSuppression
    {
        public static ShedIdle Instance { get; } = new();
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
