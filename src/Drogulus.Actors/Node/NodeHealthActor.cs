using System.Globalization;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Actors.Storage;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Node;

/// <summary>
/// One <see cref="GetNodeHealth"/> request (issue 12): gathers the checks from the node's children (the
/// routing table's last answer, the data store's probe write and room), pings up to <c>alpha</c> contacts
/// when none answered within <c>refresh-interval</c>, answers one <see cref="NodeHealth"/> and stops.
/// Health here means "this node can reach the network", not "the process is up".
/// </summary>
internal sealed class NodeHealthActor : ReceiveActor, IWithTimers
{
    private readonly IActorRef _replyTo;
    private readonly Key _ownId;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _routing;
    private readonly IActorRef _dataStore;
    private readonly IActorRef _transport;
    private readonly string? _transportProblem;
    private readonly bool _joinRequested;
    private bool _alone;
    private readonly string? _reachabilityNote;
    private readonly List<string> _reasons = new();
    private RoutingTableActor.RoutingStatus? _routingStatus;
    private DataStoreActor.StoreHealth? _store;
    private bool? _answered;
    private DateTimeOffset? _lastAnswer;
    private int _pingsOut;
    private int _pinged;
    private bool _replied;

    public NodeHealthActor(IActorRef replyTo, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef dataStore, IActorRef transport, string? transportProblem, bool joinRequested, string? reachabilityNote = null)
    {
        _joinRequested = joinRequested;
        _reachabilityNote = reachabilityNote;
        _replyTo = replyTo;
        _ownId = ownId;
        _settings = settings;
        _routing = routing;
        _dataStore = dataStore;
        _transport = transport;
        _transportProblem = transportProblem;
        Receive<RoutingTableActor.RoutingStatus>(OnRoutingStatus);
        Receive<RoutingTableActor.ClosestContacts>(OnClosest);
        Receive<RpcReplied>(_ => OnPingAnswered());
        Receive<RpcFailed>(_ => OnPingFailed());
        Receive<DataStoreActor.StoreHealth>(store =>
        {
            _store = store;
            TryAnswer();
        });
        Receive<Deadline>(_ => Answer());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="replyTo">Who gets the <see cref="NodeHealth"/>.</param>
    /// <param name="ownId">The node's id (the target of the contacts to ping: its neighbours).</param>
    /// <param name="settings">The node's settings (<c>refresh-interval</c>, <c>alpha</c>, <c>request-timeout</c>).</param>
    /// <param name="routing">The routing table actor.</param>
    /// <param name="dataStore">The data store actor.</param>
    /// <param name="transport">The transport the pings go through.</param>
    /// <param name="transportProblem">Why the transport is not bound; null when it is.</param>
    /// <param name="joinRequested">Whether the node was ever asked to join (an empty table without it is a first node, alone).</param>
    /// <param name="reachabilityNote">Why an <c>auto</c> node is a client (PROTOCOL §10), in words; null otherwise.</param>
    public static Props Props(IActorRef replyTo, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef dataStore, IActorRef transport, string? transportProblem, bool joinRequested = false, string? reachabilityNote = null) =>
        Akka.Actor.Props.Create(() => new NodeHealthActor(replyTo, ownId, settings, routing, dataStore, transport, transportProblem, joinRequested, reachabilityNote));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void PreStart()
    {
        _routing.Tell(RoutingTableActor.GetRoutingStatus.Instance);
        _dataStore.Tell(DataStoreActor.GetStoreHealth.Instance);

        // Gathering plus one round of pings, each bounded by request-timeout; whatever is missing then fails.
        Timers.StartSingleTimer("deadline", Deadline.Instance, _settings.RequestTimeout + _settings.RequestTimeout);
    }

    private void OnRoutingStatus(RoutingTableActor.RoutingStatus status)
    {
        _routingStatus = status;
        _lastAnswer = status.LastAnswer;
        if (status.LastAnswer is { } last && Now - last <= _settings.RefreshInterval)
        {
            _answered = true;
        }
        else if (status.Contacts == 0 || _transportProblem is not null)
        {
            _answered = false;
            _alone = status.Contacts == 0 && !_joinRequested && _transportProblem is null;
        }
        else
        {
            // No answer lately, perhaps only because the node was idle: ask its neighbours now.
            _routing.Tell(new RoutingTableActor.GetClosest(_ownId, _settings.Alpha));
            return;
        }

        TryAnswer();
    }

    private void OnClosest(RoutingTableActor.ClosestContacts closest)
    {
        foreach (var contact in closest.Contacts)
        {
            _transport.Tell(new SendRequest(PeerAddress.Of(contact), new PingMessage("", default, 0, ""), Self));
        }

        _pinged = _pingsOut = closest.Contacts.Count;
        if (_pingsOut == 0)
        {
            _answered = false;
            TryAnswer();
        }
    }

    private void OnPingAnswered()
    {
        if (_answered is null)
        {
            _answered = true;
            _lastAnswer = Now;
            TryAnswer();
        }
    }

    private void OnPingFailed()
    {
        if (_answered is null && --_pingsOut == 0)
        {
            _answered = false;
            TryAnswer();
        }
    }

    private void TryAnswer()
    {
        if (_answered is not null && _store is not null)
        {
            Answer();
        }
    }

    private void Answer()
    {
        if (_replied)
        {
            return;
        }

        if (_transportProblem is not null)
        {
            _reasons.Add("the transport is not bound: " + _transportProblem);
        }

        var contacts = _routingStatus?.Contacts ?? 0;
        if (_answered != true && !_alone)
        {
            _reasons.Add(_routingStatus is null ? "the routing table did not answer in time"
                : contacts == 0 ? "the routing table is empty: the node has not joined a network"
                : _pinged > 0 ? $"no contact answered within refresh-interval ({Words(_settings.RefreshInterval)}), and none of the {_pinged} contacts pinged now answered"
                : $"no contact answered within refresh-interval ({Words(_settings.RefreshInterval)})");
        }

        var diversity = _routingStatus?.Diversity;
        if (diversity is { EclipseSuspected: true })
        {
            _reasons.Add(diversity.DenseCluster >= Core.Routing.NeighbourhoodDiversity.SuspectClusterSize(_settings.K)
                ? $"eclipse suspected: {diversity.DenseCluster} of the contacts closest to the node's own id have ids far closer together than the network's size predicts ({Core.Routing.NeighbourhoodDiversity.ClusterBits} more shared bits than the neighbourhood's)"
                : $"eclipse suspected: {diversity.NeighboursCounted} of the contacts closest to the node's own id come from only {diversity.NeighbourGroups} address groups, most of them from {Core.Routing.NeighbourhoodDiversity.FewGroups} or fewer");
        }

        if (_store is null)
        {
            _reasons.Add("the item store did not answer in time");
        }
        else
        {
            if (_store.WriteError is { } error)
            {
                _reasons.Add("the item store cannot be written: " + error);
            }

            if (!_store.HasRoom)
            {
                _reasons.Add($"the item store is full: close copies fill max-store-bytes ({_store.Bytes} of {_store.MaxBytes} bytes)");
            }
        }

        if (_reachabilityNote is not null)
        {
            _reasons.Add(_reachabilityNote);
        }

        _replied = true;
        _replyTo.Tell(new NodeHealth(
            _transportProblem is null,
            _answered == true,
            _lastAnswer,
            _store is { WriteError: null },
            _store is { HasRoom: true },
            _store?.Bytes ?? 0,
            _store?.MaxBytes ?? _settings.MaxStoreBytes,
            contacts,
            _reasons.ToArray())
        {
            Alone = _alone,
            AddressGroups = diversity?.TableGroups ?? 0,
            NeighbourGroups = diversity?.NeighbourGroups ?? 0,
            EclipseSuspected = diversity?.EclipseSuspected ?? false,
        });
        Context.Stop(Self);
    }

    private static string Words(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    // Stopped before it answered (its node stopping or restarting): the requester still gets one answer.
    protected override void PostStop()
    {
        if (!_replied)
        {
            _replied = true;
            _replyTo.Tell(new NodeHealth(false, false, _lastAnswer, false, false, 0, _settings.MaxStoreBytes, 0, ["the health check was aborted: the node is stopping or restarting"]));
        }
    }

    private sealed record Deadline
    {
        public static Deadline Instance { get; } = new();
    }
}
