using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Diagnostics;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Storage;
using Drogulus.Core.Identity;
using Drogulus.Core.Lookup;
using Drogulus.Core.Routing;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Routing;

/// <summary>
/// Owns the node's <see cref="RoutingTable"/> (PROTOCOL §8) and is the first stop of every inbound request:
/// connection → RoutingTableActor, which refreshes the sender (§6), turns blacklisted requesters away,
/// answers <c>ping</c> and <c>findnode</c> itself (reply → connection), and hands <c>store</c> and
/// <c>findvalue</c> to the data store with what it needs (the <c>nodes</c> answer for a miss), which answers
/// the connection directly. The table object comes through Props, so a restart of this actor, or of the
/// node, keeps every contact. The few requests it sends itself (pings to strangers that fill gaps) go
/// through its parent node to the transport.
/// </summary>
internal sealed partial class RoutingTableActor : ReceiveActor, IWithTimers
{
    private readonly RoutingTable _table;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _dataStore;
    private readonly Random _random;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<Key> _probing = new();
    private readonly InboundRateGate _rateGate;
    private readonly NodeMetrics _metrics;
    private readonly RoundTripEstimator _roundTrips; // the lookup stall time (PROTOCOL §9 rule 2), node-wide
    private DateTimeOffset? _lastAnswer; // issue 12 (health): when a peer last answered a request of this node
    private readonly IActorRef _dialbacks;

    // PROTOCOL §6: while the join of a node that started with an empty table has not completed its lookup,
    // inbound traffic adds no contact (only the node's own requests do), so nobody fills a starting node's
    // table by pinging it. A node with no seeds, or with a saved table, never sets this.
    private bool _joining;

    public RoutingTableActor(RoutingTable table, DrogulusSettings settings, IActorRef dataStore, Random random, RoutingTableFile? file)
    {
        _file = file;
        _table = table;
        _settings = settings;
        _dataStore = dataStore;
        _random = random;
        _rateGate = new InboundRateGate(settings.CreateRequestRateLimiter());
        _metrics = NodeMetrics.For(table.OwnId);
        _roundTrips = settings.CreateRoundTripEstimator();
        _dialbacks = Context.ActorOf(Reachability.DialbackResponderActor.Props(settings, Context.Parent, _metrics), "dialbacks");
        Receive<InboundRequest>(inbound => InternalErrors.Guard(inbound, _log, OnInbound, _metrics));
        Receive<PeerSeen>(seen =>
        {
            _lastAnswer = Now;
            See(seen.Peer);
            if (seen.Seen is { } address)
            {
                // PROTOCOL §10: what peers report of this node's address is the node's (auto mode) to weigh.
                Context.Parent.Tell(new Reachability.ReachabilityActor.AddressReported(seen.Peer, address));
            }
        });
        Receive<AddContact>(add => Add(add.Contact));
        Receive<PeerFailed>(OnFailed);
        Receive<BlacklistPeer>(OnBlacklist);
        Receive<JoinLookup>(join => _joining = !join.Completed && (_joining || _table.Count == 0));
        Receive<ContactsLearned>(OnContactsLearned);
        Receive<IRpcOutcome>(OnProbeOutcome);
        Receive<GetClosest>(OnGetClosest);
        Receive<RoundTripMeasured>(measured => _roundTrips.Add(measured.RoundTrip));
        Receive<StartRepublish>(start => _dataStore.Tell(new DataStoreActor.RunRepublish(Closeness(), start.ReplyTo)));
        Receive<GetLocalItems>(_ => _dataStore.Forward(new DataStoreActor.ListLocalItems(Closeness())));
        Receive<GetRefreshTargets>(OnGetRefreshTargets);
        Receive<GetRoutingStatus>(_ => Sender.Tell(new RoutingStatus(_table.Count, _table.BucketCount, _lastAnswer) { Diversity = NeighbourhoodDiversity.Of(_table) }));
        Receive<SaveRoutingTable>(_ => Sender.Tell(new RoutingTableSaved(RoutingTableSnapshot.Save(_table))));
        ReceiveFileSaves();
    }

    public static Props Props(RoutingTable table, DrogulusSettings settings, IActorRef dataStore, Random random, RoutingTableFile? file = null) =>
        Akka.Actor.Props.Create(() => new RoutingTableActor(table, settings, dataStore, random, file));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    // The gauges of the table's size are read on the metrics collector's thread: publish them after each message.
    protected override bool AroundReceive(Receive receive, object message)
    {
        var handled = base.AroundReceive(receive, message);
        _metrics.Publish(_table);
        return handled;
    }
    private ClosenessProfile Closeness() => ClosenessProfile.Of(_table.OwnId, _table.AllContacts(), _settings.K);

    private void OnInbound(InboundRequest inbound)
    {
        using var activity = DrogulusActivity.StartInbound(DrogulusActivity.Inbound, inbound, _metrics);

        // PROTOCOL §5, rate: the excess is answered Busy and not processed.
        if (!_rateGate.TryAdmit(inbound, Now))
        {
            _metrics.Answered(inbound.Request, ErrorCode.Busy);
            return;
        }

        var request = inbound.Request;
        if (_table.IsBlacklisted(inbound.From.Id))
        {
            _log.Warning("Turned away {MessageType} from blacklisted {PeerId}", request.WireName, inbound.From.Id.ToShortString());
            var error = ErrorReply.For(request, ErrorCode.BadRequest, ErrorReply.Blacklisted, default, 0);
            _metrics.Answered(request, error);
            inbound.Connection.Tell(new SendReply(inbound.From, request.Uuid, error, CloseAfter: true));
            return;
        }

        if (!_joining)
        {
            See(inbound.From);
        }

        switch (request)
        {
            case PingMessage ping:
                // A dial-back's ping (PROTOCOL §10) proves something only on a connection the peer dialled, and only
                // to the node that issued its nonce; any other nonce is a plain ping and changes nothing.
                if (ping.Nonce is { } nonce && inbound.FromAcceptedConnection)
                {
                    Context.Parent.Tell(new Reachability.ReachabilityActor.NonceArrived(nonce));
                }

                Reply(inbound, new PongMessage("", default, 0, ""));
                break;
            case DialbackMessage:
                _dialbacks.Tell(inbound);
                break;
            case FindNodeMessage find:
                Reply(inbound, NodesReply(find.Target, inbound.From.Id));
                break;
            case FindValueMessage find:
                _dataStore.Tell(new DataStoreActor.FindValueRequest(inbound, NodesReply(find.Key, inbound.From.Id), DrogulusActivity.ContextOf(activity)));
                break;
            case StoreMessage store:
                _dataStore.Tell(new DataStoreActor.StoreRequest(inbound, IsAmongClosest(store.Item.Key), DrogulusActivity.ContextOf(activity)));
                break;
            default:
                _log.Warning("Rejected unexpected {MessageType} from {PeerId}", request.WireName, inbound.From.Id.ToShortString());
                var error = ErrorReply.For(request, ErrorCode.UnknownRequest, ErrorReply.Details("message", "not a request"), default, 0);
                Reply(inbound, error);
                break;
        }
    }

    // PROTOCOL §6: close or cached is decided when a copy is stored, from the table at that moment: the node is
    // among the k closest it knows to the key when fewer than k known contacts are closer to it than itself.
    private bool IsAmongClosest(Key key) =>
        _table.Closest(key, _settings.K).Count(c => key.CompareDistance(c.Id, _table.OwnId) < 0) < _settings.K;

    private NodesMessage NodesReply(Key target, Key requester) =>
        new("", default, 0, "", _table.Closest(target, _settings.K, [requester]).Select(NodeInfo.From).ToArray());

    private void Reply(InboundRequest inbound, Message body)
    {
        _metrics.Answered(inbound.Request, body);
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, body));
    }

    private void See(PeerInfo peer)
    {
        if (peer.ToContact(Now) is { } contact)
        {
            Add(contact);
        }
    }

    private void Add(Contact contact)
    {
        // Hand-over on first sight (PROTOCOL §10 as amended): also a newcomer that only reached the
        // replacement cache of a full bucket, which is how the closest holder usually hears of it.
        var result = _table.Add(contact);
        if (result.IsNew)
        {
            Changed();
        }

        if (result.IsFirstSight)
        {
            AnnounceNewcomer(result.Contact ?? contact);
        }
    }

    private void OnFailed(PeerFailed failed)
    {
        // PROTOCOL §7, fair blame: a failure at an address other than the contact's recorded one (a stale or
        // forged address from someone's nodes reply) is charged to nobody.
        var id = failed.Id;
        if (failed.At is { } at && _table.Find(id) is { } contact && (contact.Address != at.Host || contact.Port != at.Port))
        {
            return;
        }

        var result = _table.Remove(id, forced: false);
        if (result.Outcome == RemoveOutcome.Removed)
        {
            Changed();
            _log.Debug("Dropped contact {PeerId} after failed RPCs", id.ToShortString());
        }

        // A replacement was announced when it was first seen (into the cache), so it is not handed items again.
    }

    // Contacts named in `nodes` replies are not trusted until they answer, but one that would fill a gap in
    // the table is pinged: its pong adds it (and our ping makes it add us). Without this, a part of the key
    // space that never messages the node stays unknown to it, and lookups from there can miss the nodes
    // closest to a key, which the paper's "every node knows someone in every subtree" assumes away.
    private void OnContactsLearned(ContactsLearned learned)
    {
        foreach (var contact in learned.Contacts)
        {
            if (_probing.Count < MaxProbes && _table.HasRoomFor(contact) && _probing.Add(contact.Id))
            {
                Context.Parent.Tell(new SendRequest(PeerAddress.Of(contact), new PingMessage("", default, 0, ""), Self));
            }
        }
    }

    private void OnProbeOutcome(IRpcOutcome outcome)
    {
        if (outcome.To.ExpectedId is { } id)
        {
            _probing.Remove(id);
        }
    }

    private void OnBlacklist(BlacklistPeer blacklist)
    {
        _log.Warning("Blacklisted {PeerId}: {Reason}", blacklist.Id.ToShortString(), blacklist.Reason);
        _table.Blacklist(blacklist.Id);
        Changed();
    }

    // The data store gets only the contacts that can decide the hand-over (not a copy of the table), and
    // nothing when the newcomer is farther than k others from every key this node is the closest to.
    private void AnnounceNewcomer(Contact contact)
    {
        var neighbourhood = HandOverNeighbourhood.For(_table, contact.Id);
        if (neighbourhood.Count > 0)
        {
            _dataStore.Tell(new DataStoreActor.Newcomer(contact, neighbourhood));
        }
    }

    private void OnGetClosest(GetClosest get)
    {
        if (get.Target != _table.OwnId)
        {
            _table.Touch(get.Target, Now);
        }

        Sender.Tell(new ClosestContacts(get.Target, _table.Closest(get.Target, get.Count))
        {
            StallAfter = _settings.LookupStallEnabled ? _roundTrips.StallTime : null,
        });
    }

    private void OnGetRefreshTargets(GetRefreshTargets get)
    {
        var targets = get.BeyondClosestNeighbour
            ? _table.RefreshTargetsBeyondClosestNeighbour(_random)
            : _table.RefreshTargets(Now, get.AllBuckets ? TimeSpan.Zero : _settings.RefreshTimeout, _random);
        Sender.Tell(new RefreshTargets(targets, get.ReplyTo));
    }

    /// <summary>Most pings to strangers in flight at once, so that a flood of <c>nodes</c> replies stays cheap.</summary>
    private const int MaxProbes = 64;

    /// <summary>Contacts a <c>nodes</c> reply named; strangers the table has room for are pinged.</summary>
    internal sealed record ContactsLearned(IReadOnlyList<Contact> Contacts);

    /// <summary>Adds or refreshes a contact learnt outside an inbound message (a seed's answer).</summary>
    internal sealed record AddContact(Contact Contact);

    /// <summary>
    /// A join started (<paramref name="Completed"/> false) or its lookup of the own id completed, or the join
    /// ended (true). A join into an empty table suspends adding contacts from inbound traffic until then (PROTOCOL §6).
    /// </summary>
    internal sealed record JoinLookup(bool Completed);

    /// <summary>The peer broke a rule that blacklists it (PROTOCOL §6, §7).</summary>
    internal sealed record BlacklistPeer(Key Id, string Reason);

    /// <summary>Asks for the <paramref name="Count"/> closest contacts; touches the target's bucket.</summary>
    internal sealed record GetClosest(Key Target, int Count);

    /// <summary>Answer to <see cref="GetClosest"/>, closest first.</summary>
    internal sealed record ClosestContacts(Key Target, IReadOnlyList<Contact> Contacts)
    {
        /// <summary>The stall time for a lookup started now (lookup-stall); null when stalls are off.</summary>
        public TimeSpan? StallAfter { get; init; }
    }

    /// <summary>A lookup RPC answered after <paramref name="RoundTrip"/>; feeds the lookup stall time.</summary>
    internal sealed record RoundTripMeasured(TimeSpan RoundTrip);

    /// <summary>The node's republish tick (or a <see cref="TriggerRepublish"/> from <paramref name="ReplyTo"/>): the data store gets the table's closeness profile and runs the pass.</summary>
    internal sealed record StartRepublish(IActorRef? ReplyTo = null)
    {
        public static StartRepublish Instance { get; } = new();
    }

    /// <summary>
    /// Asks for refresh lookup targets: stale buckets (every bucket with <paramref name="AllBuckets"/>), or (after a
    /// join) buckets beyond the closest neighbour. <paramref name="ReplyTo"/> is handed back in the answer.
    /// </summary>
    internal sealed record GetRefreshTargets(bool BeyondClosestNeighbour, bool AllBuckets = false, IActorRef? ReplyTo = null);

    /// <summary>Answer to <see cref="GetRefreshTargets"/>; <paramref name="ReplyTo"/> asked for the refresh (a <see cref="TriggerRefresh"/>).</summary>
    internal sealed record RefreshTargets(IReadOnlyList<Key> Targets, IActorRef? ReplyTo = null);

    /// <summary>Asks for the table's size.</summary>
    internal sealed record GetRoutingStatus
    {
        public static GetRoutingStatus Instance { get; } = new();
    }

    /// <summary>Answer to <see cref="GetRoutingStatus"/>; <paramref name="LastAnswer"/> is when a peer last answered a request of this node.</summary>
    internal sealed record RoutingStatus(int Contacts, int Buckets, DateTimeOffset? LastAnswer = null)
    {
        /// <summary>The address groups of the table and of the node's own neighbourhood (PROTOCOL §1, §8).</summary>
        public NeighbourhoodDiversity? Diversity { get; init; }
    }
}
