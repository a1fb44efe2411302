using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Routing;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Storage;

/// <summary>
/// Owns the node's signed items: answers <c>store</c> and <c>findvalue</c> (PROTOCOL §6) that the routing
/// table hands on (the reply goes straight to the connection; a sender to blacklist is told back to the
/// routing table), serves local reads and writes of the node's own Get and Put, hands items over to
/// newcomers and runs the republish pass (§10) through <see cref="RepublishPass"/>. Each message carries
/// what it needs (the <c>nodes</c> answer for a miss, the contacts that decide a hand-over, the closeness
/// profile for a republish pass), so this actor knows no sibling. The requests it makes (hand-over stores,
/// republish puts) go to its parent node. The store comes through Props, so a restart of this actor, or of
/// the node, loses no item.
/// </summary>
internal sealed class DataStoreActor : ReceiveActor
{
    private readonly LocalStore _store;
    private readonly DrogulusSettings _settings;
    private readonly Key _ownId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private RepublishPass? _republish;
    private IMaterializer? _materializer;

    public DataStoreActor(LocalStore store, DrogulusSettings settings, Key ownId)
    {
        _store = store;
        _settings = settings;
        _ownId = ownId;
        Receive<StoreRequest>(request => InternalErrors.Guard(request.Inbound, _log, _ => OnStoreRequest(request)));
        Receive<FindValueRequest>(request => InternalErrors.Guard(request.Inbound, _log, _ => OnFindValueRequest(request)));
        Receive<GetLocal>(get => Sender.Tell(new LocalItem(get.Key, _store.Get(get.Key, Now))));
        Receive<StoreLocal>(store => Sender.Tell(new LocalStored(store.Item.Key, _store.Store(store.Item, Now))));
        Receive<Newcomer>(OnNewcomer);
        Receive<RunRepublish>(OnRunRepublish);
        Receive<GetItemCount>(_ => Sender.Tell(_store.Count));
        Receive<ListLocalItems>(list => Sender.Tell(ListLocal(list.Closeness)));
    }

    public static Props Props(LocalStore store, DrogulusSettings settings, Key ownId) =>
        Akka.Actor.Props.Create(() => new DataStoreActor(store, settings, ownId));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    private double NowSeconds => SignedItem.UnixSeconds(Now);

    protected override void PostStop()
    {
        _republish?.Stop();

        // Access and update times are kept in memory and written in batches (issue 10); write the rest.
        _store.FlushTimes();
    }

    private void OnStoreRequest(StoreRequest request)
    {
        var inbound = request.Inbound;
        var item = ((StoreMessage)inbound.Request).Item;
        if (_store.RefreshIfIdentical(item, Now))
        {
            // Byte-identical to a held, validated item: pong without verifying or writing again (issue 10).
            Reply(inbound, new PongMessage("", default, 0, ""));
            return;
        }

        var validation = item.Validate(NowSeconds, _settings.MinRsaKeyBits, _settings.MaxRsaKeyBits);
        if (validation.Error is ErrorCode.UnverifiableProvenance or ErrorCode.KeyMismatch)
        {
            var code = validation.Error.Value;
            _log.Warning("Refused store of {Key} from {PeerId}: {Error}; the peer is blacklisted", item.Key.ToShortString(), inbound.From.Id.ToShortString(), ErrorCodes.Title(code));
            Sender.Tell(new RoutingTableActor.BlacklistPeer(inbound.From.Id, ErrorCodes.Title(code)));
            Reply(inbound, ErrorReply.For(inbound.Request, code, ErrorReply.Blacklisted, default, 0));
            return;
        }

        if (validation.Error is { } error)
        {
            _log.Warning("Refused store of {Key} from {PeerId}: {Error}", item.Key.ToShortString(), inbound.From.Id.ToShortString(), ErrorCodes.Title(error));
            Reply(inbound, ErrorReply.For(inbound.Request, error, ErrorReply.Details("key", item.Key.ToString()), default, 0));
            return;
        }

        var decision = _store.Store(item, Now);
        Reply(inbound, decision.IsStored
            ? new PongMessage("", default, 0, "")
            : ErrorReply.For(inbound.Request, decision.Error!.Value, decision.Details, default, 0));
    }

    private void OnFindValueRequest(FindValueRequest request)
    {
        var find = (FindValueMessage)request.Inbound.Request;
        Message reply = _store.Get(find.Key, Now) is { } item
            ? new ValueMessage("", default, 0, "", item)
            : request.NodesIfAbsent;
        Reply(request.Inbound, reply);
    }

    private static void Reply(InboundRequest inbound, Message body) =>
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, body));

    private void OnNewcomer(Newcomer newcomer)
    {
        if (_store.Count == 0)
        {
            return;
        }

        var known = newcomer.Neighbourhood.Select(c => c.Id).ToArray();
        var items = _store.HandOverTo(newcomer.Contact.Id, key => Closest(known, key, _settings.K), _settings.K, _ownId, Now);
        foreach (var item in items)
        {
            _log.Debug("Handing {Key} over to newcomer {PeerId}", item.Key.ToShortString(), newcomer.Contact.Id.ToShortString());
            Context.Parent.Tell(new SendRequest(PeerAddress.Of(newcomer.Contact), new StoreMessage("", default, 0, "", item), ActorRefs.Nobody));
        }
    }

    // The `count` ids closest to `target`, by insertion into a short sorted list: one pass, no full sort,
    // since a newcomer is checked against every held item.
    private static IReadOnlyList<Key> Closest(Key[] ids, Key target, int count)
    {
        var best = new List<Key>(count + 1);
        foreach (var id in ids)
        {
            if (best.Count == count && target.CompareDistance(id, best[^1]) >= 0)
            {
                continue;
            }

            var at = best.Count;
            while (at > 0 && target.CompareDistance(id, best[at - 1]) < 0)
            {
                at--;
            }

            best.Insert(at, id);
            if (best.Count > count)
            {
                best.RemoveAt(count);
            }
        }

        return best;
    }

    private void OnRunRepublish(RunRepublish run)
    {
        var plan = _store.PlanRepublish(Now, _settings.ReplicateInterval, run.Closeness.IsAmongClosest);
        var deleted = _store.ApplyDeletions(plan);
        _log.Info("Republish pass: {Republish} to store again, {Skipped} recently updated, {Deleted} deleted", plan.Republish.Count, plan.Skipped, deleted);
        if (plan.Republish.Count == 0)
        {
            run.ReplyTo?.Tell(new RepublishCompleted(0, plan.Skipped, deleted));
            return;
        }

        _republish?.Stop();
        _materializer ??= Context.Materializer();
        _republish = RepublishPass.Start(_materializer, plan.Republish, Context.Parent, _settings);
        if (run.ReplyTo is { } replyTo)
        {
            _republish.Completion.PipeTo(replyTo, success: count => new RepublishCompleted(count, plan.Skipped, deleted));
        }
    }

    // TriggerRepublish's sibling for tests and operators: every live item, with the rule a republish pass applies.
    private LocalItems ListLocal(ClosenessProfile closeness) =>
        new(_ownId, _store.AllKeys().Order().Select(key => _store.Peek(key, Now) is { } item ? new LocalCopy(item, closeness.IsAmongClosest(key)) : null).OfType<LocalCopy>().ToArray());

    /// <summary>An inbound <c>store</c> (already past the blacklist check); a sender to blacklist is told back to the sender of this message.</summary>
    internal sealed record StoreRequest(InboundRequest Inbound);

    /// <summary>An inbound <c>findvalue</c>, with the <c>nodes</c> answer to give when the item is not held.</summary>
    internal sealed record FindValueRequest(InboundRequest Inbound, NodesMessage NodesIfAbsent);

    /// <summary>Reads a live local item (counts as an access).</summary>
    internal sealed record GetLocal(Key Key);

    /// <summary>Answer to <see cref="GetLocal"/>.</summary>
    internal sealed record LocalItem(Key Key, SignedItem? Item);

    /// <summary>Stores an already validated item locally (the node's own Put).</summary>
    internal sealed record StoreLocal(SignedItem Item);

    /// <summary>Answer to <see cref="StoreLocal"/>.</summary>
    internal sealed record LocalStored(Key Key, StoreDecision Decision);

    /// <summary>
    /// A contact entered the routing table for the first time; <paramref name="Neighbourhood"/> is the part of
    /// the table that decides the hand-over (see <see cref="HandOverNeighbourhood"/>), the newcomer included.
    /// </summary>
    internal sealed record Newcomer(Contact Contact, IReadOnlyList<Contact> Neighbourhood);

    /// <summary>Runs the republish pass with the routing table's closeness profile; <paramref name="ReplyTo"/> (a <see cref="TriggerRepublish"/>) gets <see cref="RepublishCompleted"/>.</summary>
    internal sealed record RunRepublish(ClosenessProfile Closeness, IActorRef? ReplyTo = null);

    /// <summary>Lists the live items (<see cref="GetLocalItems"/>) with the routing table's closeness profile; answered with <see cref="LocalItems"/>.</summary>
    internal sealed record ListLocalItems(ClosenessProfile Closeness);

    /// <summary>Asks for the number of items held; answered with an <see cref="int"/>.</summary>
    internal sealed record GetItemCount
    {
        public static GetItemCount Instance { get; } = new();
    }
}
