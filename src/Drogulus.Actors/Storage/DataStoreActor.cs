using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using System.Diagnostics;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Diagnostics;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Limits;
using Drogulus.Core.Routing;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Storage;

/// <summary>
/// Owns the node's signed items: answers <c>store</c> and <c>findvalue</c> (PROTOCOL §6) that the routing
/// table hands on (the reply goes straight to the connection; a sender to blacklist is told back to the
/// routing table), serves local reads and writes of the node's own Get and Put, hands items over to
/// newcomers through a paced <see cref="HandOverQueue{T}"/> and runs the republish pass (§10) through
/// <see cref="RepublishPass"/>; both read each value only when its store is sent. It runs on
/// <see cref="StoreDispatcher"/>, so that SQLite never blocks a thread of the default dispatcher. Each message carries
/// what it needs (the <c>nodes</c> answer for a miss, the contacts that decide a hand-over, the closeness
/// profile for a republish pass), so this actor knows no sibling. The requests it makes (hand-over stores,
/// republish puts) go to its parent node. The store comes through Props, so a restart of this actor, or of
/// the node, loses no item.
/// </summary>
internal sealed partial class DataStoreActor : ReceiveActor, IWithTimers
{
    private const string HandOverTimer = "hand-over";

    private readonly LocalStore _store;
    private readonly DrogulusSettings _settings;
    private readonly Key _ownId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HandOverQueue<Newcomer> _handOver;
    private readonly NodeMetrics _metrics;
    private RepublishPass? _republish;
    private IMaterializer? _materializer;

    public DataStoreActor(LocalStore store, DrogulusSettings settings, Key ownId)
    {
        _store = store;
        _settings = settings;
        _ownId = ownId;
        _handOver = new HandOverQueue<Newcomer>(settings.HandOverLimits, Now);
        _metrics = NodeMetrics.For(ownId);
        Receive<StoreRequest>(request => InternalErrors.Guard(request.Inbound, _log, _ => OnStoreRequest(request), _metrics));
        Receive<FindValueRequest>(request => InternalErrors.Guard(request.Inbound, _log, _ => OnFindValueRequest(request), _metrics));
        Receive<GetLocal>(get => Sender.Tell(new LocalItem(get.Key, _store.Get(get.Key, Now))));
        Receive<StoreLocal>(store => Sender.Tell(new LocalStored(store.Item.Key, _store.Store(store.Item, Now))));
        Receive<PutReached>(OnPutReached);
        Receive<Newcomer>(OnNewcomer);
        Receive<HandOverTick>(_ => PumpHandOver());
        Receive<IRpcOutcome>(_ =>
        {
            _handOver.Completed();
            PumpHandOver();
        });
        Receive<PeekItem>(peek => Sender.Tell(new PeekedItem(peek.Key, _store.Peek(peek.Key, Now))));
        Receive<GetHandOverStats>(_ => Sender.Tell(new HandOverStats(_handOver.Waiting, _handOver.InFlight, _handOver.KeysChosen, _handOver.KeysSent, _handOver.Dropped)));
        Receive<RunRepublish>(OnRunRepublish);
        Receive<GetItemCount>(_ => Sender.Tell(_store.Count));
        Receive<GetStoreHealth>(_ => Sender.Tell(CheckHealth()));
        Receive<ListLocalItems>(list => Sender.Tell(ListLocal(list.Closeness)));
    }

    public static Props Props(LocalStore store, DrogulusSettings settings, Key ownId) =>
        Akka.Actor.Props.Create(() => new DataStoreActor(store, settings, ownId));

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    private double NowSeconds => SignedItem.UnixSeconds(Now);

    // The gauges of what is held are read on the metrics collector's thread: publish them after each message.
    protected override bool AroundReceive(Receive receive, object message)
    {
        var handled = base.AroundReceive(receive, message);
        _metrics.Publish(_store);
        return handled;
    }

    protected override void PostStop()
    {
        _republish?.Stop();

        // Access and update times are kept in memory and written in batches (issue 10); write the rest.
        _store.FlushTimes();
    }

    private void OnStoreRequest(StoreRequest request)
    {
        var inbound = request.Inbound;
        using var activity = DrogulusActivity.StartInbound(DrogulusActivity.InboundData, inbound, _metrics, request.Trace);
        var item = ((StoreMessage)inbound.Request).Item;
        if (_store.RefreshIfIdentical(item, Now))
        {
            // Byte-identical to a held, validated item: pong without verifying or writing again (issue 10).
            Reply(inbound, new PongMessage("", default, 0, ""));
            return;
        }

        var validation = item.Validate(NowSeconds, _settings.ItemLifetime, _settings.MinRsaKeyBits, _settings.MaxRsaKeyBits);
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
            var details = validation.IsInTheFuture
                ? ErrorReply.Details("timestamp", ItemValidation.InTheFutureDetail)
                : ErrorReply.Details("key", item.Key.ToString());
            Reply(inbound, ErrorReply.For(inbound.Request, error, details, default, 0));
            return;
        }

        // PROTOCOL §6: the copy is charged to the group of the connection's address, never one the peer claims.
        var group = AddressGroup.Of(inbound.From.Address, _settings.DiversityExemptPrivate);
        var decision = _store.Store(item, Now, group, request.AmongClosest);
        Reply(inbound, decision.IsStored
            ? new PongMessage("", default, 0, "")
            : ErrorReply.For(inbound.Request, decision.Error!.Value, decision.Details, default, 0));
    }

    private void OnFindValueRequest(FindValueRequest request)
    {
        using var activity = DrogulusActivity.StartInbound(DrogulusActivity.InboundData, request.Inbound, _metrics, request.Trace);
        var find = (FindValueMessage)request.Inbound.Request;
        Message reply = _store.Get(find.Key, Now) is { } item
            ? new ValueMessage("", default, 0, "", item)
            : request.NodesIfAbsent;
        Reply(request.Inbound, reply);
    }

    private void Reply(InboundRequest inbound, Message body)
    {
        _metrics.Answered(inbound.Request, body);
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, body));
    }

    private void OnNewcomer(Newcomer newcomer)
    {
        if (_store.Count == 0)
        {
            return;
        }

        if (!_handOver.Offer(newcomer))
        {
            _log.Debug("No hand-over to newcomer {PeerId}: {Waiting} newcomers wait already", newcomer.Contact.Id.ToShortString(), _handOver.Waiting);
            return;
        }

        PumpHandOver();
    }

    // Starts the hand-over stores the throttle allows now; the rest wait for a store to complete or for the
    // timer. Each value is read only here, as its store is sent.
    private void PumpHandOver()
    {
        DateTimeOffset? retryAt;
        while (_handOver.Next(Now, ChooseKeys, out retryAt) is { } next)
        {
            if (_store.Peek(next.Key, Now) is not { } item)
            {
                _handOver.Completed();
                continue;
            }

            _log.Debug("Handing {Key} over to newcomer {PeerId}", next.Key.ToShortString(), next.Newcomer.Contact.Id.ToShortString());
            _metrics.HandingOver(1);
            Context.Parent.Tell(new SendRequest(PeerAddress.Of(next.Newcomer.Contact), new StoreMessage("", default, 0, "", item), Self));
        }

        if (retryAt is { } at && !Timers.IsTimerActive(HandOverTimer))
        {
            // The clock moves on while the loop runs, so a token due "now" may already lie in the past: the
            // scheduler refuses a negative delay (it crashed the actor in the 200-node TLS storm benchmark).
            var delay = at - Now;
            Timers.StartSingleTimer(HandOverTimer, HandOverTick.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        }
    }

    private IReadOnlyList<Key> ChooseKeys(Newcomer newcomer)
    {
        var known = newcomer.Neighbourhood.Select(c => c.Id).ToArray();
        return _store.HandOverKeys(newcomer.Contact.Id, key => Closest(known, key, _settings.K), _settings.K, _ownId, Now);
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

    private void OnPutReached(PutReached reached)
    {
        if (reached.ReachedPeer)
        {
            if (_store.MarkPublished(reached.Key, reached.Timestamp))
            {
                _log.Info("{Key} reached a peer: no longer held here only ({Unpublished} items still are)", reached.Key.ToShortString(), _store.UnpublishedCount);
            }
        }
        else if (_store.MarkUnpublished(reached.Key, reached.Timestamp))
        {
            _log.Info(
                "The put of {Key} reached no peer: it is held here only, and every republish pass stores it again until a peer stores it ({Unpublished} items held here only)",
                reached.Key.ToShortString(),
                _store.UnpublishedCount);
        }
    }

    private void OnRunRepublish(RunRepublish run)
    {
        var plan = _store.PlanRepublish(Now, _settings.ReplicateInterval, run.Closeness.IsAmongClosest);
        var deleted = _store.ApplyDeletions(plan);
        _log.Info(
            "Republish pass: {Republish} to store again ({Unpublished} of them held here only), {Skipped} recently updated, {Deleted} deleted",
            plan.Republish.Count,
            _store.UnpublishedCount,
            plan.Skipped,
            deleted);
        _metrics.Republished(plan.Republish.Count);
        if (plan.Republish.Count == 0)
        {
            run.ReplyTo?.Tell(new RepublishCompleted(0, plan.Skipped, deleted));
            return;
        }

        _republish?.Stop();
        _materializer ??= Context.Materializer();
        _republish = RepublishPass.Start(_materializer, plan.Republish, Self, Context.Parent, _settings);
        if (run.ReplyTo is { } replyTo)
        {
            _republish.Completion.PipeTo(replyTo, success: count => new RepublishCompleted(count, plan.Skipped, deleted));
        }
    }

    // Issue 12 (health): a write statement that changes nothing, and room for one more largest item.
    private StoreHealth CheckHealth()
    {
        string? writeError = null;
        try
        {
            _store.ProbeWrite(Now);
        }
        catch (Exception e)
        {
            writeError = e.Message;
        }

        return new StoreHealth(writeError, _store.HasRoomFor(_settings.MaxItemSize), _store.TotalBytes, _settings.MaxStoreBytes);
    }

    // TriggerRepublish's sibling for tests and operators: every live item, with the rule a republish pass applies.
    private LocalItems ListLocal(ClosenessProfile closeness) =>
        new(_ownId, _store.AllKeys().Order().Select(key => _store.Peek(key, Now) is { } item ? new LocalCopy(item, closeness.IsAmongClosest(key)) : null).OfType<LocalCopy>().ToArray());

    private sealed record HandOverTick
    {
        public static HandOverTick Instance { get; } = new();
    }
}
