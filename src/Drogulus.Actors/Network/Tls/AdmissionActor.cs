using Akka.Actor;
using Akka.Event;
using Drogulus.Core.Limits;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The one admission of an actor system (PROTOCOL §5, budget and admission): owns the pure
/// <see cref="Admission{TNode, TConnection}"/> and answers its questions by message. A transport joins with its
/// settings, asks before it accepts or dials (<see cref="Admit"/>) and says when a connection is gone; a connection
/// asks for a turn before it starts its handshake (<see cref="AskTurn"/>) and says when the handshake ended. One
/// message per connection to admission, never one per request: which connection is idle is the transport's own
/// knowledge, named in its question. Created once per actor system by <see cref="AdmissionExtension"/>.
/// </summary>
internal sealed class AdmissionActor : ReceiveActor, IWithTimers
{
    private readonly Admission<IActorRef, IActorRef> _admission = new();
    private DateTimeOffset? _wakeAt;

    public AdmissionActor()
    {
        Receive<Join>(join =>
        {
            _admission.Join(Sender, join.Limits);
            Context.Watch(Sender);
            Sender.Tell(new Joined(_admission.AcceptBacklog));
        });
        Receive<ReleaseAll>(_ => _admission.ReleaseAll(Sender));
        Receive<Leave>(_ => OnLeave(Sender));
        Receive<Terminated>(terminated => OnLeave(terminated.ActorRef));
        Receive<Admit>(OnAdmit);
        Receive<Closed>(closed => _admission.Closed(closed.Id));
        Receive<Evicting>(evicting =>
        {
            foreach (var id in evicting.Ids)
            {
                _admission.Evicting(id);
            }
        });
        Receive<Shrink>(shrink => Sender.Tell(new Shrunk(_admission.Shrink(shrink.Freeing), shrink.Freeing, shrink.Reason)));
        Receive<Restore>(_ => _admission.Restore());
        Receive<AskTurn>(ask => TellTurns(_admission.AskTurn(Sender, ask.Dial, ask.Owner, ask.Rated, Now)));
        Receive<HandshakeEnded>(_ => TellTurns(_admission.EndTurn(Sender, Now)));
        Receive<Wake>(_ =>
        {
            _wakeAt = null;
            TellTurns(_admission.Wake(Now));
        });
        Receive<GetState>(_ => Sender.Tell(new State(
            _admission.Count, _admission.Limit, _admission.Running(dial: false), _admission.Running(dial: true), _admission.Waiting(dial: false), _admission.Waiting(dial: true))));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    public static Props Props() => Akka.Actor.Props.Create(() => new AdmissionActor()).WithDeploy(Deploy.Local);

    /// <summary>
    /// A restart starts from an empty admission: without this, every transport's next question would be refused as not
    /// joined, for good. The transports are told to join again; the connections they hold are no longer counted until
    /// they close (their ids are unknown to the new state, and closing an unknown id is harmless).
    /// </summary>
    protected override void PreRestart(Exception reason, object message)
    {
        foreach (var transport in _admission.Nodes)
        {
            transport.Tell(Rejoin.Instance);
        }

        base.PreRestart(reason, message);
    }

    // Tells each connection its turn, then wakes when the next token of the accepted-handshake rate accrues, if an
    // accept waits for one (one timer, moved earlier when a sooner wake is due).
    private void TellTurns(IReadOnlyList<IActorRef> granted)
    {
        foreach (var connection in granted)
        {
            connection.Tell(Granted.Instance);
        }

        // One reading of the clock: read twice, it moves, and a negative delay would throw and restart this actor.
        var now = Now;
        if (_admission.NextWake(now) is { } at && (_wakeAt is not { } pending || at < pending))
        {
            _wakeAt = at;
            Timers.StartSingleTimer(nameof(Wake), Wake.Instance, at > now ? at - now : TimeSpan.Zero);
        }
    }

    private void OnAdmit(Admit admit)
    {
        var decision = _admission.Admit(Sender, admit.Dial, admit.Group, admit.Idle);
        if (!decision.Admitted)
        {
            Sender.Tell(new Refused(admit.Ticket, decision.Refusal!));
            return;
        }

        decision.Donor?.Tell(ShedIdle.Instance);
        Sender.Tell(new Admitted(admit.Ticket, decision.Id, decision.Evict));
    }

    private void OnLeave(IActorRef transport)
    {
        _admission.Leave(transport);
        Context.Unwatch(transport);
    }

    /// <summary>A transport uses admission with these limits; answered <see cref="Joined"/>. Sent again after a restart.</summary>
    internal sealed record Join(AdmissionLimits Limits);

    /// <summary>The answer to <see cref="Join"/>: the listen backlog for the transport's listener.</summary>
    internal sealed record Joined(int AcceptBacklog);

    /// <summary>Told to every transport when admission restarts: send <see cref="Join"/> again.</summary>
    internal sealed record Rejoin : IDeadLetterSuppression
    {
        public static Rejoin Instance { get; } = new();
    }

    /// <summary>The transport restarted: every connection it had is gone.</summary>
    internal sealed record ReleaseAll
    {
        public static ReleaseAll Instance { get; } = new();
    }

    /// <summary>The transport stopped.</summary>
    internal sealed record Leave
    {
        public static Leave Instance { get; } = new();
    }

    /// <summary>
    /// May the transport open one more connection: a dial, or an accept from <paramref name="Group"/> (null when the
    /// group limits do not count it)? <paramref name="Idle"/>: its connection idle longest, to close if room is needed.
    /// Answered <see cref="Admitted"/> or <see cref="Refused"/> with the same <paramref name="Ticket"/>.
    /// </summary>
    internal sealed record Admit(long Ticket, bool Dial, string? Group, long? Idle);

    /// <summary>The connection may open as <paramref name="Id"/>; <paramref name="Evict"/>: the idle connection to close for room.</summary>
    internal sealed record Admitted(long Ticket, long Id, long? Evict) : IDeadLetterSuppression;

    /// <summary>The connection may not open: an accept is closed at once, a dial fails (charged to nobody).</summary>
    internal sealed record Refused(long Ticket, string Reason) : IDeadLetterSuppression;

    /// <summary>A connection admitted as <paramref name="Id"/> is gone.</summary>
    internal sealed record Closed(long Id);

    /// <summary>The transport closes these connections on its own to give room or descriptors back: they no longer count for it.</summary>
    internal sealed record Evicting(IReadOnlyList<long> Ids);

    /// <summary>The process ran out of descriptors and the transport is closing <paramref name="Freeing"/> idle connections.</summary>
    internal sealed record Shrink(int Freeing, string Reason);

    /// <summary>The answer to <see cref="Shrink"/>: the process limit is now <paramref name="Limit"/>.</summary>
    internal sealed record Shrunk(int Limit, int Freeing, string Reason) : IDeadLetterSuppression;

    /// <summary>The shortage of descriptors is over.</summary>
    internal sealed record Restore
    {
        public static Restore Instance { get; } = new();
    }

    /// <summary>
    /// Told to a transport holding more than its fair share of a full process: a node below its share was lent a slot,
    /// so close the connection idle longest to pay it back.
    /// </summary>
    internal sealed record ShedIdle : IDeadLetterSuppression
    {
        public static ShedIdle Instance { get; } = new();
    }

    /// <summary>
    /// A connection asks for its turn to handshake: a dial in its node's line (<paramref name="Owner"/>: the transport),
    /// an accept in its address group's; <paramref name="Rated"/>: an accept from an address the rate limits count,
    /// which also waits for the accepted-handshake rate. Answered <see cref="Granted"/> now or when its turn comes.
    /// </summary>
    internal sealed record AskTurn(bool Dial, object Owner, bool Rated = false);

    /// <summary>The connection's turn to handshake has come.</summary>
    internal sealed record Granted : IDeadLetterSuppression
    {
        public static Granted Instance { get; } = new();
    }

    /// <summary>The connection's handshake ended (or it stopped, or gave up waiting): its turn or its place is given up.</summary>
    internal sealed record HandshakeEnded
    {
        public static HandshakeEnded Instance { get; } = new();
    }

    /// <summary>A token of the accepted-handshake rate has accrued.</summary>
    private sealed record Wake
    {
        public static Wake Instance { get; } = new();
    }

    /// <summary>Asks for a <see cref="State"/> (specs and diagnostics).</summary>
    internal sealed record GetState
    {
        public static GetState Instance { get; } = new();
    }

    /// <summary>Process slots taken, the process limit, and handshakes running and waiting in each direction.</summary>
    internal sealed record State(int Count, int Limit, int RunningAccepts, int RunningDials, int WaitingAccepts, int WaitingDials);
}
