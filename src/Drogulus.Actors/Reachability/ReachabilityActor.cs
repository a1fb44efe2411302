using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;
using Drogulus.Core.Limits;
using Drogulus.Core.Reachability;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Reachability;

/// <summary>
/// The node's reachability (PROTOCOL §10), one per node. <c>server</c> and <c>client</c> fix what the transport
/// sends as <c>reply_port</c>; <c>auto</c> starts as a client and runs dial-back tests, at join and every
/// <c>refresh-interval</c> while a client: it sends <c>dialback</c> requests with its listening port and a fresh
/// nonce to contacts of distinct address groups, and counts one a success when the ping with that nonce arrived
/// on a connection the peer dialled and the <c>dialback</c> was answered <c>pong</c>. The pure
/// <see cref="ReachabilityState"/> decides; this actor tells the transport to advertise its port or not, and
/// tells the node what it believes (for status and health).
/// </summary>
internal sealed class ReachabilityActor : ReceiveActor, IWithTimers
{
    private readonly DrogulusSettings _settings;
    private readonly Key _ownId;
    private readonly IActorRef _routing;
    private readonly IActorRef _transport;
    private readonly ReachabilityState _state;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Key, Probe> _probes = new();
    private int _listeningPort;
    private ReachabilityReport? _reported;
    private DateTimeOffset _tickDue;

    public ReachabilityActor(DrogulusSettings settings, Key ownId, IActorRef routing, IActorRef transport)
    {
        _settings = settings;
        _ownId = ownId;
        _routing = routing;
        _transport = transport;
        _state = new ReachabilityState(settings.ReachabilityRules);
        Receive<AddressReported>(OnAddressReported);
        Receive<ListeningOn>(listening => _listeningPort = listening.Port);
        Receive<JoinCompleted>(_ => StartTest());
        Receive<TestTick>(_ => OnTick());
        Receive<RoutingTableActor.ClosestContacts>(OnCandidates);
        Receive<NonceArrived>(OnNonce);
        Receive<PingOverdue>(OnPingOverdue);
        Receive<RpcReplied>(replied => OnOutcome(replied.To, replied.Reply is PongMessage ? null : Describe(replied.Reply)));
        Receive<RpcFailed>(failed => OnOutcome(failed.To, WireText.ForLog(failed.Reason)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the node's reachability; <paramref name="transport"/> is told whether to advertise its port.</summary>
    public static Props Props(DrogulusSettings settings, Key ownId, IActorRef routing, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new ReachabilityActor(settings, ownId, routing, transport));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    private bool IsAuto => _settings.Reachability == ReachabilityMode.Auto;

    private bool IsServer => _settings.Reachability switch
    {
        ReachabilityMode.Server => true,
        ReachabilityMode.Client => false,
        _ => _state.IsServer,
    };

    protected override void PreStart()
    {
        // A restart starts again as a client (the safe side) and says so to the transport, whose flag outlives it.
        _transport.Tell(new AdvertisePort(IsServer));
        if (IsAuto)
        {
            _tickDue = Now + _settings.RefreshInterval;
            Timers.StartPeriodicTimer("test", TestTick.Instance, _settings.RefreshInterval);
        }

        Report();
    }

    private void OnAddressReported(AddressReported reported)
    {
        var changed = _state.OnSeen(reported.Peer.Id, AddressGroup.Of(reported.Peer.Address, _settings.DiversityExemptPrivate), reported.Seen.Address, Now);
        if (changed && IsAuto)
        {
            _log.Info("Node {NodeId} is a client again: {Reason}", _ownId.ToShortString(), _state.ClientReason);
            Advertise();
            StartTest();
        }

        Report();
    }

    private void OnTick()
    {
        // A periodic timer that fires far later than due means the host slept (PROTOCOL §10).
        var due = _tickDue;
        _tickDue = Now + _settings.RefreshInterval;
        if (_state.OnTimer(due, Now))
        {
            _log.Info("Node {NodeId} is a client again: {Reason}", _ownId.ToShortString(), _state.ClientReason);
            Advertise();
        }

        if (!_state.IsServer)
        {
            StartTest();
        }

        Report();
    }

    private void StartTest()
    {
        if (!IsAuto || _state.IsServer || _probes.Count > 0 || _listeningPort == 0)
        {
            return;
        }

        _routing.Tell(new RoutingTableActor.GetClosest(_ownId, _settings.K));
    }

    // One dial-back per address group, so that one network cannot vote many times (PROTOCOL §10).
    private void OnCandidates(RoutingTableActor.ClosestContacts closest)
    {
        if (_probes.Count > 0)
        {
            return;
        }

        var groups = new HashSet<Core.Limits.AddressGroup>();
        foreach (var contact in closest.Contacts)
        {
            if (_probes.Count >= _settings.ReachabilityDialbacksPerTest)
            {
                break;
            }

            var group = AddressGroup.Of(contact.Address, _settings.DiversityExemptPrivate);
            if (!groups.Add(group))
            {
                continue;
            }

            var nonce = DialbackNonce.NewRandom();
            _probes[contact.Id] = new Probe(nonce, group);
            Context.Parent.Tell(new SendRequest(PeerAddress.Of(contact), new DialbackMessage("", default, 0, "", _listeningPort, nonce), Self));
        }

        if (_probes.Count == 0)
        {
            _log.Debug("Node {NodeId} has no contact to test its reachability with yet", _ownId.ToShortString());
        }
    }

    private void OnNonce(NonceArrived arrived)
    {
        foreach (var (id, probe) in _probes)
        {
            if (probe.Nonce == arrived.Nonce)
            {
                // The ping and the pong travel different paths, so either may come first.
                if (probe.Answered)
                {
                    _probes.Remove(id);
                    Timers.Cancel(id);
                    Conclude(probe, failure: null);
                    return;
                }

                _probes[id] = probe with { Arrived = true };
                return;
            }
        }

        // A nonce this node did not issue (or no longer waits for): a plain ping, nothing changes.
    }

    private void OnOutcome(PeerAddress to, string? failure)
    {
        if (to.ExpectedId is not { } id || !_probes.TryGetValue(id, out var probe) || probe.Answered)
        {
            return;
        }

        if (failure is null && !probe.Arrived)
        {
            // Answered pong before its ping was seen here: wait for the ping, at most request-timeout.
            _probes[id] = probe with { Answered = true };
            Timers.StartSingleTimer(id, new PingOverdue(id), _settings.RequestTimeout);
            return;
        }

        _probes.Remove(id);
        Conclude(probe, failure);
    }

    private void OnPingOverdue(PingOverdue overdue)
    {
        if (_probes.Remove(overdue.Id, out var probe))
        {
            Conclude(probe, "the pong came without the dial-back's ping on a new connection");
        }
    }

    private void Conclude(Probe probe, string? failure)
    {
        bool changed;
        if (failure is null)
        {
            changed = _state.OnDialbackSucceeded(probe.Group, Now);
            if (changed)
            {
                _log.Info("Node {NodeId} is a server: {Count} dial-backs from distinct address groups reached it", _ownId.ToShortString(), _state.Successes);
            }
        }
        else
        {
            changed = _state.OnDialbackFailed(failure, Now);
            if (changed)
            {
                _log.Info("Node {NodeId} is a client again: {Reason}", _ownId.ToShortString(), _state.ClientReason);
            }
        }

        if (changed)
        {
            Advertise();
        }

        Report();
    }

    private void Advertise() => _transport.Tell(new AdvertisePort(IsServer));

    private void Report()
    {
        var report = new ReachabilityReport(
        _settings.Reachability.ToString().ToLowerInvariant(),
        IsServer,
        _state.BelievedAddress,
        _state.LastOutcome,
        IsServer ? null : _settings.Reachability == ReachabilityMode.Client ? "configured as a client" : _state.ClientReason);

        // Most reports (one per reply's `seen`) change nothing: the node hears only of changes.
        if (report != _reported)
        {
            _reported = report;
            Diagnostics.NodeMetrics.For(_ownId).PublishReachability(IsServer);
            Context.Parent.Tell(report);
        }
    }

    private static string Describe(Message reply) => reply is ErrorMessage error
        ? error.Details.TryGetValue("reason", out var reason)
            ? $"error {(int)error.Code}: {WireText.ForLog(reason)}"
            : $"error {(int)error.Code}"
        : "answered with " + reply.WireName;

    /// <summary>A reply's <c>seen</c>: <paramref name="Peer"/> saw this node at <paramref name="Seen"/>.</summary>
    internal sealed record AddressReported(PeerInfo Peer, SeenAddress Seen);

    /// <summary>A ping with <paramref name="Nonce"/> arrived on a connection the peer dialled.</summary>
    internal sealed record NonceArrived(DialbackNonce Nonce);

    /// <summary>The port the node listens on (what a dial-back dials).</summary>
    internal sealed record ListeningOn(int Port);

    /// <summary>The node's join completed: an <c>auto</c> node tests now.</summary>
    internal sealed record JoinCompleted
    {
        public static JoinCompleted Instance { get; } = new();
    }

    /// <summary>What the node is and believes, for <c>NodeStatus</c> and the health check.</summary>
    internal sealed record ReachabilityReport(string Setting, bool IsServer, string? ExternalAddress, string? LastTest, string? ClientReason);

    private sealed record Probe(DialbackNonce Nonce, Core.Limits.AddressGroup Group, bool Arrived = false, bool Answered = false);

    private sealed record PingOverdue(Key Id);

    private sealed record TestTick
    {
        public static TestTick Instance { get; } = new();
    }
}
