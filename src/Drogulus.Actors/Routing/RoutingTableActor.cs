using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Storage;
using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Routing;

/// <summary>
/// Owns the node's <see cref="RoutingTable"/> (PROTOCOL §8) and answers the requests that need only it:
/// every inbound message refreshes its sender (§6), blacklisted requesters are turned away, <c>ping</c> and
/// <c>findnode</c> are answered here, <c>store</c> and <c>findvalue</c> go on to the data store. The table
/// object comes through Props, so a restart of this actor keeps every contact.
/// </summary>
internal sealed class RoutingTableActor : ReceiveActor
{
    private readonly RoutingTable _table;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _dataStore;
    private readonly Random _random;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<Key> _probing = new();
    private readonly IActorRef _transport;

    public RoutingTableActor(RoutingTable table, DrogulusSettings settings, IActorRef dataStore, IActorRef transport, Random random)
    {
        _transport = transport;
        _table = table;
        _settings = settings;
        _dataStore = dataStore;
        _random = random;
        Receive<InboundRequest>(inbound => InternalErrors.Guard(inbound, _log, OnInbound));
        Receive<PeerSeen>(seen => See(seen.Peer));
        Receive<AddContact>(add => Add(add.Contact));
        Receive<ContactFailed>(failed => OnFailed(failed.Id));
        Receive<BlacklistPeer>(OnBlacklist);
        Receive<ContactsLearned>(OnContactsLearned);
        Receive<IRpcOutcome>(OnProbeOutcome);
        Receive<GetClosest>(OnGetClosest);
        Receive<ClassifyKeys>(OnClassify);
        Receive<GetRefreshTargets>(OnGetRefreshTargets);
        Receive<GetRoutingStatus>(_ => Sender.Tell(new RoutingStatus(_table.Count, _table.BucketCount)));
        Receive<SaveRoutingTable>(_ => Sender.Tell(new RoutingTableSaved(RoutingTableSnapshot.Save(_table))));
    }

    public static Props Props(RoutingTable table, DrogulusSettings settings, IActorRef dataStore, IActorRef transport, Random random) =>
        Akka.Actor.Props.Create(() => new RoutingTableActor(table, settings, dataStore, transport, random));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    private void OnInbound(InboundRequest inbound)
    {
        var request = inbound.Request;
        if (_table.IsBlacklisted(inbound.From.Id))
        {
            _log.Warning("Turned away {MessageType} from blacklisted {PeerId}", request.WireName, inbound.From.Id.ToShortString());
            var error = ErrorReply.For(request, ErrorCode.BadRequest, ErrorReply.Blacklisted, default, 0);
            inbound.Connection.Tell(new SendReply(inbound.From, request.Uuid, error, CloseAfter: true));
            return;
        }

        See(inbound.From);
        switch (request)
        {
            case PingMessage:
                Reply(inbound, new PongMessage("", default, 0, ""));
                break;
            case FindNodeMessage find:
                Reply(inbound, NodesReply(find.Target, inbound.From.Id));
                break;
            case FindValueMessage find:
                _dataStore.Tell(new DataStoreActor.FindValueRequest(inbound, NodesReply(find.Key, inbound.From.Id)));
                break;
            case StoreMessage:
                _dataStore.Tell(new DataStoreActor.StoreRequest(inbound));
                break;
            default:
                _log.Warning("Rejected unexpected {MessageType} from {PeerId}", request.WireName, inbound.From.Id.ToShortString());
                var error = ErrorReply.For(request, ErrorCode.UnknownRequest, ErrorReply.Details("message", "not a request"), default, 0);
                Reply(inbound, error);
                break;
        }
    }

    private NodesMessage NodesReply(Key target, Key requester) =>
        new("", default, 0, "", _table.Closest(target, _settings.K, [requester]).Select(NodeInfo.From).ToArray());

    private static void Reply(InboundRequest inbound, Message body) =>
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, body));

    private void See(PeerInfo peer)
    {
        if (peer.ToContact(Now) is { } contact)
        {
            Add(contact);
        }
    }

    private void Add(Contact contact)
    {
        var result = _table.Add(contact);
        if (result.IsNew)
        {
            AnnounceNewcomer(result.Contact ?? contact);
        }
    }

    private void OnFailed(Key id)
    {
        var result = _table.Remove(id, forced: false);
        if (result.Outcome == RemoveOutcome.Removed)
        {
            _log.Debug("Dropped contact {PeerId} after failed RPCs", id.ToShortString());
        }

        if (result.Replacement is { } replacement)
        {
            AnnounceNewcomer(replacement);
        }
    }

    // Contacts named in `nodes` replies are not trusted until they answer, but one that would fill a gap in
    // the table is pinged: its pong adds it (and our ping makes it add us). Without this, a part of the key
    // space that never messages the node stays unknown to it, and lookups from there can miss the nodes
    // closest to a key, which the paper's "every node knows someone in every subtree" assumes away.
    private void OnContactsLearned(ContactsLearned learned)
    {
        foreach (var contact in learned.Contacts)
        {
            if (_probing.Count < MaxProbes && _table.HasRoomFor(contact.Id) && _probing.Add(contact.Id))
            {
                _transport.Tell(new SendRequest(PeerAddress.Of(contact), new PingMessage("", default, 0, ""), Self));
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
    }

    private void AnnounceNewcomer(Contact contact) =>
        _dataStore.Tell(new DataStoreActor.Newcomer(contact, _table.AllContacts()));

    private void OnGetClosest(GetClosest get)
    {
        if (get.Target != _table.OwnId)
        {
            _table.Touch(get.Target, Now);
        }

        Sender.Tell(new ClosestContacts(get.Target, _table.Closest(get.Target, get.Count)));
    }

    private void OnClassify(ClassifyKeys classify)
    {
        var among = new HashSet<Key>();
        foreach (var key in classify.Keys)
        {
            var closest = _table.Closest(key, _settings.K);
            var closer = closest.Count(c => key.CompareDistance(c.Id, _table.OwnId) < 0);
            if (closer < _settings.K)
            {
                among.Add(key);
            }
        }

        Sender.Tell(new KeysClassified(among));
    }

    private void OnGetRefreshTargets(GetRefreshTargets get)
    {
        var targets = get.BeyondClosestNeighbour
            ? _table.RefreshTargetsBeyondClosestNeighbour(_random)
            : _table.RefreshTargets(Now, _settings.RefreshTimeout, _random);
        Sender.Tell(new RefreshTargets(targets));
    }

    /// <summary>Most pings to strangers in flight at once, so that a flood of <c>nodes</c> replies stays cheap.</summary>
    private const int MaxProbes = 64;

    /// <summary>Contacts a <c>nodes</c> reply named; strangers the table has room for are pinged.</summary>
    internal sealed record ContactsLearned(IReadOnlyList<Contact> Contacts);

    /// <summary>Adds or refreshes a contact learnt outside an inbound message (a seed's answer).</summary>
    internal sealed record AddContact(Contact Contact);

    /// <summary>An RPC to <paramref name="Id"/> timed out or its connection failed (PROTOCOL §7).</summary>
    internal sealed record ContactFailed(Key Id);

    /// <summary>The peer broke a rule that blacklists it (PROTOCOL §6, §7).</summary>
    internal sealed record BlacklistPeer(Key Id, string Reason);

    /// <summary>Asks for the <paramref name="Count"/> closest contacts; touches the target's bucket.</summary>
    internal sealed record GetClosest(Key Target, int Count);

    /// <summary>Answer to <see cref="GetClosest"/>, closest first.</summary>
    internal sealed record ClosestContacts(Key Target, IReadOnlyList<Contact> Contacts);

    /// <summary>Asks which keys the node is among the k closest known nodes to.</summary>
    internal sealed record ClassifyKeys(IReadOnlyList<Key> Keys);

    /// <summary>Answer to <see cref="ClassifyKeys"/>.</summary>
    internal sealed record KeysClassified(IReadOnlySet<Key> AmongClosest);

    /// <summary>Asks for refresh lookup targets: stale buckets, or (after a join) buckets beyond the closest neighbour.</summary>
    internal sealed record GetRefreshTargets(bool BeyondClosestNeighbour);

    /// <summary>Answer to <see cref="GetRefreshTargets"/>.</summary>
    internal sealed record RefreshTargets(IReadOnlyList<Key> Targets);

    /// <summary>Asks for the table's size.</summary>
    internal sealed record GetRoutingStatus
    {
        public static GetRoutingStatus Instance { get; } = new();
    }

    /// <summary>Answer to <see cref="GetRoutingStatus"/>.</summary>
    internal sealed record RoutingStatus(int Contacts, int Buckets);
}
