using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Lookup;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Actors.Storage;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;
using Drogulus.Core.Routing;
using Drogulus.Core.Storage;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Node;

/// <summary>
/// A Drogulus node: the supervisor of its routing table, data store, transport and per-request actors,
/// and the address of the public API (<see cref="Join"/>, <see cref="Put"/>, <see cref="Get"/>,
/// <see cref="FindNodes"/>, <see cref="GetNodeStatus"/>). It also runs the periodic bucket refresh and
/// republish pass (PROTOCOL §10), one timer each. The routing table and the item store live here and are
/// handed to the children through Props, so a child that throws is restarted with its state intact.
/// </summary>
public sealed class NodeActor : ReceiveActor, IWithTimers, IWithStash
{
    private readonly DrogulusSettings _settings;
    private readonly NodeIdentity _identity;
    private readonly ITransportFactory _transportFactory;
    private readonly RoutingTable _table;
    private readonly LocalStore _store;
    private readonly Random _random;
    private readonly TimeSpan _firstRepublish;
    private readonly InboundRateGate _rateGate;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _transport = ActorRefs.Nobody;
    private IActorRef _routing = ActorRefs.Nobody;
    private IActorRef _dataStore = ActorRefs.Nobody;
    private string _endpoint = "";

    /// <summary>Use <see cref="Props"/>; the constructor is public only for Akka's activator.</summary>
    public NodeActor(DrogulusSettings settings, NodeIdentity identity, ITransportFactory transport, IItemStore store, int seed, RoutingTable? routingTable)
    {
        _settings = settings;
        _identity = identity;
        _transportFactory = transport;
        _random = new Random(seed);

        // The first pass comes after a random part of the interval, then one every interval: nodes started
        // together must not republish in lockstep, or every holder stores every item again before it sees
        // the others' stores (the "recently updated" skip needs unsynchronised passes).
        _firstRepublish = TimeSpan.FromTicks(Math.Max(1, (long)(settings.ReplicateInterval.Ticks * (1 - _random.NextDouble()))));
        _table = routingTable ?? new RoutingTable(identity.Id, settings.K, settings.AllowedRpcFails, Context.System.Scheduler.Now);
        _store = new LocalStore(store, settings.StoreLimits);
        _rateGate = new InboundRateGate(settings.CreateRequestRateLimiter());
        Receive<TransportReady>(OnTransportReady);
        Receive<TransportFailed>(OnTransportFailed);
        Receive<DataStoreActor.RequestWire>(_ => Sender.Tell(new DataStoreActor.Wire(_routing, Self)));
        ReceiveAny(_ => Stash.Stash());
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
    /// <param name="routingTable">A table restored from a saved snapshot (its own id must be the identity's); a new one when null.</param>
    public static Props Props(DrogulusSettings settings, NodeIdentity identity, ITransportFactory transport, IItemStore? store = null, int? seed = null, RoutingTable? routingTable = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(transport);
        if (routingTable is not null && (routingTable.OwnId != identity.Id || routingTable.K != settings.K))
        {
            throw new ArgumentException("The restored routing table belongs to another node id or k.", nameof(routingTable));
        }

        var items = store ?? new InMemoryItemStore();
        var randomSeed = seed ?? Random.Shared.Next();
        return Akka.Actor.Props.Create(() => new NodeActor(settings, identity, transport, items, randomSeed, routingTable));
    }

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => new NodeSupervisorStrategy(_log);

    /// <inheritdoc />
    protected override void PreStart()
    {
        _transport = Context.ActorOf(_transportFactory.Props(_identity, _settings, Self), "transport");
        _dataStore = Context.ActorOf(DataStoreActor.Props(_store, _settings, _identity.Id, _transport), "data-store");
        _routing = Context.ActorOf(RoutingTableActor.Props(_table, _settings, _dataStore, _transport, _random), "routing-table");
    }

    private void OnTransportReady(TransportReady ready)
    {
        _endpoint = Endpoint(ready);
        _log.Info("Node {NodeId} is reachable at {Endpoint}", _identity.Id.ToShortString(), _endpoint);
        Timers.StartPeriodicTimer("refresh", RefreshTick.Instance, _settings.RefreshInterval);
        Timers.StartPeriodicTimer("republish", RepublishTick.Instance, _firstRepublish, _settings.ReplicateInterval);
        Become(Ready);
        Stash.UnstashAll();
    }

    private void OnTransportFailed(TransportFailed failed)
    {
        _log.Error("Node {NodeId} cannot reach the network: {Reason}", _identity.Id.ToShortString(), failed.Reason);
        Become(() => Unreachable(failed.Reason));
        Stash.UnstashAll();
    }

    // The transport could not start: every request is answered with that failure rather than left waiting.
    private void Unreachable(string reason)
    {
        Receive<Join>(_ => Sender.Tell(new JoinFailed(reason)));
        Receive<Put>(put => Sender.Tell(new PutFailed(put.Item.Key, reason)));
        Receive<Get>(get => Sender.Tell(new GetFailed(get.Key, reason)));
        Receive<FindNodes>(find => Sender.Tell(new FindNodesFailed(find.Target, reason)));
        Receive<GetNodeStatus>(_ => Sender.Tell(new Status.Failure(new InvalidOperationException(reason))));
        Receive<DataStoreActor.RequestWire>(_ => Sender.Tell(new DataStoreActor.Wire(_routing, Self)));
        Receive<SaveRoutingTable>(save => _routing.Forward(save));
    }

    private void Ready()
    {
        // A restarted transport announces itself again; a restarted data store asks for its siblings again.
        Receive<TransportReady>(ready => _endpoint = Endpoint(ready));
        Receive<DataStoreActor.RequestWire>(_ => Sender.Tell(new DataStoreActor.Wire(_routing, Self)));
        Receive<InboundRequest>(inbound =>
        {
            // PROTOCOL §5, rate: the excess is answered Busy and not processed (issue 10).
            if (_rateGate.TryAdmit(inbound, Context.System.Scheduler.Now))
            {
                _routing.Forward(inbound);
            }
        });
        Receive<PeerSeen>(seen => _routing.Forward(seen));
        Receive<PeerFailed>(failed => _routing.Tell(new RoutingTableActor.ContactFailed(failed.Id)));
        Receive<Join>(OnJoin);
        Receive<Put>(put => OnPut(put.Item, put.Duplicate ?? _settings.K));
        Receive<Republish>(republish => StartPut(republish.Item, _settings.K, storeLocally: false));
        Receive<Get>(get => _dataStore.Tell(new DataStoreActor.GetLocal(get.Key), Context.ActorOf(GetActor.Props(get.Key, Sender, Self, _settings.RequestTimeout))));
        Receive<GetActor.LookUp>(lookUp => StartLookup(LookupKind.FindValue, lookUp.Key, LookupActor.ReplyMode.Get, lookUp.ReplyTo));
        Receive<FindNodes>(find => StartLookup(LookupKind.FindNode, find.Target, LookupActor.ReplyMode.FindNodes, Sender));
        Receive<GetNodeStatus>(_ => OnGetNodeStatus());
        Receive<SaveRoutingTable>(save => _routing.Forward(save));
        Receive<RefreshTick>(_ => _routing.Tell(new RoutingTableActor.GetRefreshTargets(BeyondClosestNeighbour: false)));
        Receive<RoutingTableActor.RefreshTargets>(OnRefreshTargets);
        Receive<RepublishTick>(_ => _dataStore.Tell(DataStoreActor.RunRepublish.Instance));
    }

    private static string Endpoint(TransportReady ready) => Contact.FormatEndpoint(ready.Host, ready.Port);

    private void OnJoin(Join join)
    {
        if (join.Seeds is null || join.Seeds.Count == 0)
        {
            Sender.Tell(new JoinFailed("at least one seed is required"));
            return;
        }

        var seeds = new List<PeerAddress>();
        foreach (var seed in join.Seeds)
        {
            if (!JoinActor.TryParseSeed(seed, out var address, out var error))
            {
                Sender.Tell(new JoinFailed(error));
                return;
            }

            seeds.Add(address!);
        }

        Context.ActorOf(JoinActor.Props(seeds, Sender, _identity.Id, _settings, _routing, _transport));
    }

    private void OnPut(SignedItem item, int duplicate)
    {
        if (duplicate < 1)
        {
            Sender.Tell(new PutFailed(item.Key, "duplicate must be at least 1") { Kind = PutFailureKind.InvalidDuplicate });
            return;
        }

        var refusal = PutCheck.Check(item, _settings.MaxItemSize, _settings.MaxFrameSize);
        if (refusal != PutRefusal.None)
        {
            Sender.Tell(PutFailed.Refused(item.Key, refusal));
            return;
        }

        var validation = item.Validate(SignedItem.UnixSeconds(Context.System.Scheduler.Now), _settings.MinRsaKeyBits, _settings.MaxRsaKeyBits);
        if (!validation.IsValid)
        {
            Sender.Tell(new PutFailed(item.Key, "the item is not valid: " + validation) { Kind = PutFailureKind.InvalidItem, ErrorCode = (int?)validation.Error });
            return;
        }

        StartPut(item, duplicate, storeLocally: true);
    }

    // A republished item was verified when it was stored and the pass has just dropped the expired ones,
    // so it goes straight to the put without a second signature check.
    private void StartPut(SignedItem item, int duplicate, bool storeLocally) =>
        Context.ActorOf(PutActor.Props(item, duplicate, storeLocally, Sender, _identity.Id, _settings, _routing, _dataStore, _transport));

    private void StartLookup(LookupKind kind, Key target, LookupActor.ReplyMode mode, IActorRef replyTo)
    {
        var request = new LookupActor.Request(kind, target, mode, replyTo, []);
        Context.ActorOf(LookupActor.Props(request, _identity.Id, _settings, _routing, _transport));
    }

    private void OnRefreshTargets(RoutingTableActor.RefreshTargets refresh)
    {
        if (refresh.Targets.Count > 0)
        {
            _log.Debug("Refreshing {Count} stale buckets", refresh.Targets.Count);
        }

        foreach (var target in refresh.Targets)
        {
            // A refresh is wanted for its side effect on the routing table; its answer goes nowhere.
            StartLookup(LookupKind.FindNode, target, LookupActor.ReplyMode.Internal, ActorRefs.Nobody);
        }
    }

    private void OnGetNodeStatus()
    {
        var timeout = _settings.RequestTimeout;
        var routing = _routing.Ask<RoutingTableActor.RoutingStatus>(RoutingTableActor.GetRoutingStatus.Instance, timeout);
        var items = _dataStore.Ask<int>(DataStoreActor.GetItemCount.Instance, timeout);
        var connections = _transport.Ask<int>(GetConnectionCount.Instance, timeout);
        var id = _identity.Id;
        var endpoint = _endpoint;
        Task.WhenAll(routing, items, connections)
            .ContinueWith(
                _ => (object)new NodeStatus(id, endpoint, routing.Result.Contacts, routing.Result.Buckets, items.Result, connections.Result),
                TaskContinuationOptions.OnlyOnRanToCompletion)
            .PipeTo(Sender);
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
}
