using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Diagnostics;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Reachability;
using Drogulus.Actors.Routing;
using Drogulus.Actors.Storage;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Routing;
using Drogulus.Core.Storage;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Node;

/// <summary>
/// A Drogulus node: the supervisor of its routing table, data store and transport, and the address of the
/// public API. Each client operation (<see cref="Join"/>, <see cref="Put"/>, <see cref="Get"/>,
/// <see cref="FindNodes"/>) becomes one per-request child (JoinActor, PutActor, GetActor, FindNodesActor)
/// that owns its lookup, answers the requester itself and stops; nothing comes back through the node.
/// Inbound requests never pass through here: connection → RoutingTableActor (→ DataStoreActor) → connection.
/// The node also runs the periodic bucket refresh and republish tick (PROTOCOL §10), one timer each, and
/// relays to the transport the few requests its children make for upkeep (probes, hand-over, republish).
/// The routing table, the items and the endpoint live in a <see cref="NodeState"/> captured by the Props,
/// so a restart of any child or of the node itself loses none of them; a restart of the node keeps its
/// long-lived children (and so the transport's port) and stops the per-request ones, which answer their
/// requesters with a failure.
/// </summary>
public sealed partial class NodeActor : ReceiveActor, IWithTimers, IWithStash
{
    private const string TransportName = "transport";
    private const string RoutingName = "routing-table";
    private const string DataStoreName = "data-store";
    private const string ReachabilityName = "reachability";

    private readonly DrogulusSettings _settings;
    private readonly NodeIdentity _identity;
    private readonly ITransportFactory _transportFactory;
    private readonly NodeState _state;
    private readonly Random _random;
    private readonly TimeSpan _firstRepublish;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _transport = ActorRefs.Nobody;
    private IActorRef _routing = ActorRefs.Nobody;
    private IActorRef _dataStore = ActorRefs.Nobody;
    private IActorRef _reachability = ActorRefs.Nobody;
    private TimeSpan _rebindBackoff;

    /// <summary>Use <see cref="Props"/>; the constructor is public only for Akka's activator.</summary>
    public NodeActor(DrogulusSettings settings, NodeIdentity identity, ITransportFactory transport, NodeState state)
    {
        _settings = settings;
        _identity = identity;
        _transportFactory = transport;
        _state = state;
        _random = new Random(state.Seed);

        // The first pass comes after a random part of the interval, then one every interval: nodes started
        // together must not republish in lockstep, or every holder stores every item again before it sees
        // the others' stores (the "recently updated" skip needs unsynchronised passes).
        _firstRepublish = TimeSpan.FromTicks(Math.Max(1, (long)(settings.ReplicateInterval.Ticks * (1 - _random.NextDouble()))));
        _state.Table ??= RestoreTable() ?? new RoutingTable(identity.Id, settings.K, settings.AllowedRpcFails, Context.System.Scheduler.Now, settings.RoutingLimits);
        Starting();
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    public IStash Stash { get; set; } = null!;

    /// <summary>
    /// Props of a node.
    /// </summary>
    /// <param name="settings">Validated settings (see <see cref="DrogulusSettings.Create"/>).</param>
    /// <param name="identity">The node's TLS identity; its id is the node id.</param>
    /// <param name="transport">How the node reaches peers (a <see cref="MemoryNetwork"/>, or TLS).</param>
    /// <param name="store">Where items are kept; an <see cref="InMemoryItemStore"/> when null.</param>
    /// <param name="seed">Seed of the node's randomness (refresh ids), so that tests are repeatable.</param>
    /// <param name="routingTable">A table restored from a saved snapshot (its own id must be the identity's); when null, the
    /// one saved in <c>drogulus.routing-table.file</c> if there is one, else a new one.</param>
    public static Props Props(DrogulusSettings settings, NodeIdentity identity, ITransportFactory transport, IItemStore? store = null, int? seed = null, RoutingTable? routingTable = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(transport);
        if (routingTable is not null && (routingTable.OwnId != identity.Id || routingTable.K != settings.K))
        {
            throw new ArgumentException("The restored routing table belongs to another node id or k.", nameof(routingTable));
        }

        var tableFile = settings.RoutingTableFile.Length > 0 ? new RoutingTableFile(settings.RoutingTableFile) : null;
        var state = new NodeState(new LocalStore(store ?? new InMemoryItemStore(), settings.StoreLimits), routingTable, seed ?? Random.Shared.Next(), tableFile);
        return Akka.Actor.Props.Create(() => new NodeActor(settings, identity, transport, state));
    }

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => new NodeSupervisorStrategy(_log);

    /// <inheritdoc />
    protected override void PreStart()
    {
        // The data store and the routing table know no sibling that is created after them; the transport
        // sends inbound traffic straight to the routing table. The node's gauges are reported until PostStop.
        NodeMetrics.Acquire(_identity.Id);
        _dataStore = Context.ActorOf(DataStoreActor.Props(_state.Store, _settings, _identity.Id).WithDispatcher(StoreDispatcher.Ensure(Context.System)), DataStoreName);
        _routing = Context.ActorOf(RoutingTableActor.Props(_state.Table!, _settings, _dataStore, _random, _state.TableFile), RoutingName);
        _transport = Context.ActorOf(_transportFactory.Props(_identity, _settings, Self, _routing), TransportName);
        _reachability = Context.ActorOf(ReachabilityActor.Props(_settings, _identity.Id, _routing, _transport), ReachabilityName);
    }

    /// <inheritdoc />
    protected override void PostStop() => NodeMetrics.Release(_identity.Id);

    /// <inheritdoc />
    /// <remarks>
    /// The long-lived children are kept (Akka restarts them after this node, with their state objects); the
    /// per-request ones are stopped so that none of them is restarted into sending its requests again.
    /// </remarks>
    protected override void PreRestart(Exception reason, object message)
    {
        foreach (var child in Context.GetChildren())
        {
            if (!NodeSupervisorStrategy.IsLongLived(child))
            {
                Context.Stop(child);
            }
        }
    }

    /// <inheritdoc />
    protected override void PostRestart(Exception reason)
    {
        _dataStore = Context.Child(DataStoreName);
        _routing = Context.Child(RoutingName);
        _transport = Context.Child(TransportName);
        _reachability = Context.Child(ReachabilityName);
        if (_transport.IsNobody() || _routing.IsNobody() || _dataStore.IsNobody() || _reachability.IsNobody())
        {
            // A child stopped for good earlier: start from scratch with the same state.
            foreach (var child in Context.GetChildren())
            {
                Context.Stop(child);
            }

            throw new InvalidOperationException("a long-lived child of the node is missing");
        }

        if (_state.Endpoint is not null)
        {
            BecomeReady();
        }
    }

    // The table saved in drogulus.routing-table.file (PROTOCOL §8: a restarted node rejoins through it). A file
    // that cannot be read is reported and set aside: the node starts empty rather than not at all.
    private RoutingTable? RestoreTable()
    {
        if (_state.TableFile is not { } file)
        {
            return null;
        }

        try
        {
            var table = file.Load(_identity.Id, _settings.K, _settings.AllowedRpcFails, Context.System.Scheduler.Now, _settings.RoutingLimits);
            if (table is not null)
            {
                _log.Info("Node {NodeId} restored {Contacts} contacts from {Path}", _identity.Id.ToShortString(), table.Count, file.Path);
            }

            return table;
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            _log.Warning("Node {NodeId} ignores the unreadable routing table {Path}: {Reason}", _identity.Id.ToShortString(), file.Path, e.Message);
            return null;
        }
    }

    private void Starting()
    {
        Receive<TransportReady>(OnTransportReady);
        Receive<TransportFailed>(failed =>
        {
            // The transport could not start (the port is in use, say): every request is answered with that
            // failure rather than left waiting. Only a node that was reachable retries.
            _log.Error("Node {NodeId} cannot reach the network: {Reason}", _identity.Id.ToShortString(), failed.Reason);
            Become(() => Unreachable(failed.Reason, retry: false));
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void OnTransportReady(TransportReady ready)
    {
        _state.Endpoint = Contact.FormatEndpoint(ready.Host, ready.Port);
        _reachability.Tell(new ReachabilityActor.ListeningOn(ready.Port));
        _log.Info("Node {NodeId} is reachable at {Endpoint}", _identity.Id.ToShortString(), _state.Endpoint);
        BecomeReady();
        Stash.UnstashAll();
    }

    private void BecomeReady()
    {
        _rebindBackoff = TimeSpan.Zero;
        Timers.Cancel("rebind");
        Timers.StartPeriodicTimer("refresh", RefreshTick.Instance, _settings.RefreshInterval);
        if (!Timers.IsTimerActive("republish"))
        {
            Timers.StartPeriodicTimer("republish", RepublishTick.Instance, _firstRepublish, _settings.ReplicateInterval);
        }

        Become(Ready);
    }

    private void Ready()
    {
        // A restarted transport announces itself again.
        Receive<TransportReady>(ready =>
        {
            _state.Endpoint = Contact.FormatEndpoint(ready.Host, ready.Port);
            _reachability.Tell(new ReachabilityActor.ListeningOn(ready.Port));
        });
        Receive<TransportFailed>(failed =>
        {
            _log.Error("Node {NodeId} lost its listener: {Reason}; it retries with backoff", _identity.Id.ToShortString(), failed.Reason);
            ScheduleRebind();
            Become(() => Unreachable(failed.Reason, retry: true));
        });
        Receive<Join>(OnJoin);
        Receive<Put>(put => OnPut(put, Sender));
        Receive<Get>(get => Context.ActorOf(GetActor.Props(get.Key, get.Latest, Sender, _identity.Id, _settings, _routing, _dataStore, _transport)));
        Receive<FindNodes>(find => Context.ActorOf(FindNodesActor.Props(find.Target, Sender, _identity.Id, _settings, _routing, _transport)));
        Receive<GetNodeStatus>(_ => OnGetNodeStatus());
        Receive<GetNodeHealth>(_ => Context.ActorOf(NodeHealthActor.Props(Sender, _identity.Id, _settings, _routing, _dataStore, _transport, transportProblem: null, _state.JoinRequested, ReachabilityNote())));
        ReceiveRelays();
        Receive<RefreshTick>(_ => _routing.Tell(new RoutingTableActor.GetRefreshTargets(BeyondClosestNeighbour: false)));
        Receive<RoutingTableActor.RefreshTargets>(OnRefreshTargets);
        Receive<RepublishTick>(_ => _routing.Tell(RoutingTableActor.StartRepublish.Instance));
        Receive<TriggerRefresh>(trigger => _routing.Tell(new RoutingTableActor.GetRefreshTargets(BeyondClosestNeighbour: false, trigger.AllBuckets, Sender)));
        Receive<TriggerRepublish>(_ => _routing.Tell(new RoutingTableActor.StartRepublish(Sender)));
        Receive<Republish>(republish => StartPut(republish.Item, _settings.K, storeLocally: false, Sender));
    }

    // Unreachable: every client request gets the failure at once; a node that was reachable asks its
    // transport to bind again (the same port) with exponential backoff.
    private void Unreachable(string reason, bool retry)
    {
        var failure = "the node cannot reach the network: " + reason;
        Receive<Join>(_ => Sender.Tell(new JoinFailed(failure)));
        Receive<Put>(put => Sender.Tell(new PutFailed(put.Item?.Key ?? default, failure)));
        Receive<Get>(get => Sender.Tell(new GetFailed(get.Key, failure)));
        Receive<FindNodes>(find => Sender.Tell(new FindNodesFailed(find.Target, failure)));
        Receive<GetNodeStatus>(_ => Sender.Tell(new Status.Failure(new InvalidOperationException(failure))));
        Receive<GetNodeHealth>(_ => Context.ActorOf(NodeHealthActor.Props(Sender, _identity.Id, _settings, _routing, _dataStore, _transport, reason, _state.JoinRequested, ReachabilityNote())));
        ReceiveRelays();
        Receive<Republish>(republish => Sender.Tell(new PutFailed(republish.Item.Key, failure)));
        Receive<RefreshTick>(_ => { });
        Receive<RepublishTick>(_ => { });
        Receive<TriggerRefresh>(_ => Sender.Tell(new Status.Failure(new InvalidOperationException(failure))));
        Receive<TriggerRepublish>(_ => Sender.Tell(new Status.Failure(new InvalidOperationException(failure))));
        Receive<TransportReady>(OnTransportReady);
        Receive<RebindTick>(_ => _transport.Tell(TransportProtocol.Rebind.Instance));
        Receive<TransportFailed>(failed =>
        {
            if (retry)
            {
                ScheduleRebind();
                _log.Warning("Node {NodeId} still cannot listen: {Reason}; next try in {Backoff}", _identity.Id.ToShortString(), failed.Reason, _rebindBackoff);
            }
        });
    }

    // PROTOCOL §10: an auto node that is a client says why, in words (it still works: gets, puts, republish).
    private string? ReachabilityNote() =>
        _settings.Reachability == ReachabilityMode.Auto && _state.Reachability is { IsServer: false } report
            ? $"client: not reachable from outside ({report.ClientReason})"
            : null;

    private void ScheduleRebind()
    {
        _rebindBackoff = _rebindBackoff == TimeSpan.Zero
            ? _settings.RebindMinBackoff
            : TimeSpan.FromTicks(Math.Min(_rebindBackoff.Ticks * 2, _settings.RebindMaxBackoff.Ticks));
        Timers.StartSingleTimer("rebind", RebindTick.Instance, _rebindBackoff);
    }

    // In every state once started: saving the table, and the upkeep requests of the routing table and the
    // data store (probes, hand-over stores), which go out here.
    private void ReceiveRelays()
    {
        Receive<SaveRoutingTable>(save => _routing.Forward(save));
        Receive<GetLocalItems>(get => _routing.Forward(get));

        // The children hold no transport reference, so that no child needs to learn a sibling after it started.
        Receive<SendRequest>(request => _transport.Forward(request));

        // Reachability (PROTOCOL §10): what the routing table and the join learn goes to the reachability actor;
        // what it concludes is kept for status and health.
        Receive<ReachabilityActor.AddressReported>(reported => _reachability.Forward(reported));
        Receive<ReachabilityActor.NonceArrived>(arrived => _reachability.Forward(arrived));
        Receive<ReachabilityActor.JoinCompleted>(joined => _reachability.Forward(joined));
        Receive<ReachabilityActor.ReachabilityReport>(report => _state.Reachability = report);
    }

    /// <summary>Stores an item again at the k closest nodes without storing it locally (the republish pass).</summary>
    internal sealed record Republish(SignedItem Item);

    private sealed record RefreshTick
    {
        public static RefreshTick Instance { get; } = new();
    }

    private sealed record RepublishTick
    {
        public static RepublishTick Instance { get; } = new();
    }

    private sealed record RebindTick
    {
        public static RebindTick Instance { get; } = new();
    }
}
