using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Diagnostics;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Lookup;

/// <summary>
/// One FindNode or FindValue lookup (the paper's node lookup, PROTOCOL §9), short-lived and always the child
/// of the per-request actor that needs it (GetActor, FindNodesActor, PutActor, JoinActor): it asks the
/// routing table for the k closest contacts (and the stall time, from the round trips it measured), drives the pure <see cref="DisjointLookup"/> (d paths of
/// <see cref="LookupState"/>) with up to α RPCs in flight, filters every <c>nodes</c> reply by address group, applies §7 to every reply (wrong type, wrong key or invalid value blacklists the responder;
/// timeouts and connection failures count against the contact), answers its parent once with a
/// <see cref="Result"/> and stops. Its parent turns the result into the public reply.
/// </summary>
internal sealed class LookupActor : ReceiveActor, IWithTimers
{
    private readonly Request _request;
    private readonly Key _ownId;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _routing;
    private readonly IActorRef _transport;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NodeMetrics _metrics;
    private Activity? _activity;
    private DisjointLookup? _state;
    private bool _replied;
    private (Key Id, double Timestamp)? _source;

    public LookupActor(Request request, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef transport)
    {
        _request = request;
        _ownId = ownId;
        _settings = settings;
        _routing = routing;
        _transport = transport;
        _metrics = NodeMetrics.For(ownId);
        Receive<RoutingTableActor.ClosestContacts>(OnClosest);

        // Rule 7 holds even when the routing table never answers (its actor failed on the query).
        Receive<LookupTimedOut>(_ => Answer(FailedOutside(LookupFailure.Timeout, _settings.LookupTimeout)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Request request, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new LookupActor(request, ownId, settings, routing, transport));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void PreStart()
    {
        Timers.StartSingleTimer("lookup-timeout", LookupTimedOut.Instance, _settings.LookupTimeout);
        _activity = DrogulusActivity.Start(DrogulusActivity.Lookup, ActivityKind.Internal, _metrics, _request.Parent).WithKey(_request.Target)?.SetTag("drogulus.kind", _request.Kind == LookupKind.FindNode ? "findnode" : "findvalue");
        _routing.Tell(new RoutingTableActor.GetClosest(_request.Target, _settings.K));
    }

    private void OnClosest(RoutingTableActor.ClosestContacts closest)
    {
        var initial = closest.Contacts.Concat(_request.ExtraContacts).DistinctBy(c => c.Id).ToArray();
        // PROTOCOL §9: d = disjoint-paths node-disjoint paths (one path when d = 1).
        _state = new DisjointLookup(_ownId, _request.Target, _request.Kind, initial, _settings.K, _settings.Alpha, _settings.DisjointPaths, Now, _request.Newest, _request.LocalItem, closest.StallAfter, _settings.MaxPerGroupInBucket, _settings.DiversityExemptPrivate);
        Become(Running);
        Pump();
    }

    private void Running()
    {
        Receive<RpcReplied>(OnReplied);
        Receive<RpcFailed>(OnFailed);
        Receive<StallCheck>(_ =>
        {
            _state!.OnStallCheck(Now);
            Pump();
        });
        Receive<LookupTimedOut>(_ =>
        {
            _state!.OnLookupTimeout(Now);
            Pump();
        });
    }

    private void OnReplied(RpcReplied replied)
    {
        var state = _state!;
        var responder = replied.To.ExpectedId ?? replied.Peer.Id;
        var sentAt = state.SentAt(responder);
        switch (replied.Reply)
        {
            case NodesMessage nodes:
                var now = Now;

                // PROTOCOL §9 step 3: a group listed more than max-per-group-in-reply times loses all its contacts.
                var contacts = ReplyFilter.Apply(
                    nodes.Nodes.Take(_settings.K).Select(n => new Contact(n.Id, n.Address, n.Port, n.Version, now)).ToArray(),
                    _settings.MaxPerGroupInReply,
                    _settings.DiversityExemptPrivate);
                state.OnNodes(responder, contacts, now);
                _routing.Tell(new RoutingTableActor.ContactsLearned(contacts));
                break;
            case ValueMessage value when _request.Kind == LookupKind.FindValue && !ItemSize.ValueFits(value.Item, _settings.MaxItemSize):
                // PROTOCOL §7: a value above max-item-size is a plain failure of that RPC; it is never returned,
                // cached or read-repaired (no node of this edition could have stored it).
                _log.Warning("Lookup {LookupId}: {PeerId} answered a value above max-item-size", Self.Path.Name, responder.ToShortString());
                state.OnFailure(responder, Now);
                break;
            case ValueMessage value when _request.Kind == LookupKind.FindValue:
                // PROTOCOL §7: a value that only expired on the way is a plain failure, not a blacklisting.
                var validation = value.Item.Key == _request.Target
                    ? value.Item.Validate(SignedItem.UnixSeconds(Now), _settings.ItemLifetime, _settings.MinRsaKeyBits, _settings.MaxRsaKeyBits)
                    : ItemValidation.Fail(ErrorCode.KeyMismatch);
                var outcome = state.OnValue(responder, value.Item, validation, Now);
                if (outcome.BlacklistResponder)
                {
                    Blacklist(responder, "answered a findvalue with an invalid value or one under another key");
                }
                else if (outcome.Applied && validation.IsValid && !(value.Item.Timestamp <= _source?.Timestamp))
                {
                    // ValueFound.AnsweredBy: the first responder with the newest copy seen.
                    _source = (responder, value.Item.Timestamp);
                }

                break;
            case ErrorMessage error:
                _log.Debug("Lookup {LookupId}: {PeerId} answered error {Code}", Self.Path.Name, responder.ToShortString(), (int)error.Code);
                state.OnFailure(responder, Now);
                break;
            default:
                Blacklist(responder, $"answered a {(_request.Kind == LookupKind.FindNode ? "findnode" : "findvalue")} with {replied.Reply.WireName}");
                state.OnFailure(responder, Now);
                break;
        }

        // Any reply to a request still out is a round trip for the stall time (lookup-stall).
        if (sentAt is { } sent)
        {
            _routing.Tell(new RoutingTableActor.RoundTripMeasured(Now - sent));
        }

        Pump();
    }

    private void OnFailed(RpcFailed failed)
    {
        if (failed.To.ExpectedId is not { } id)
        {
            return;
        }

        _state!.OnFailure(id, Now);
        Pump();
    }

    private void Blacklist(Key peer, string reason)
    {
        _log.Warning("Lookup {LookupId}: blacklisting {PeerId}, which {Reason}", Self.Path.Name, peer.ToShortString(), reason);
        _routing.Tell(new RoutingTableActor.BlacklistPeer(peer, reason));
    }

    private void Pump()
    {
        var state = _state!;
        if (state.Status == LookupStatus.Running)
        {
            foreach (var contact in state.NextRequests(Now))
            {
                Message body = _request.Kind == LookupKind.FindNode
                    ? new FindNodeMessage("", default, 0, "", _request.Target)
                    : new FindValueMessage("", default, 0, "", _request.Target);
                _transport.Tell(new SendRequest(PeerAddress.Of(contact), body, Self));
            }
        }

        if (state.Status != LookupStatus.Running)
        {
            Finish(state);
            return;
        }

        // The stall check is a scheduled message, like every timeout: at the moment the oldest RPC still
        // holding an alpha slot reaches the stall time.
        if (state.NextStallAt is { } stallAt)
        {
            var delay = stallAt - Now;
            Timers.StartSingleTimer("stall", StallCheck.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        }
        else
        {
            Timers.Cancel("stall");
        }
    }

    private void Finish(DisjointLookup state)
    {
        var repairs = 0;
        if (state.Status == LookupStatus.Succeeded && state.Item is { } item)
        {
            // Plain mode: caching along the search path (§9 step 4). Newest mode: read repair of every node
            // among the k closest that answered nodes or an older copy. Their answers are not awaited.
            var targets = state.Newest ? state.RepairTargets : state.CachingTarget is { } cache ? [cache] : [];
            foreach (var target in targets)
            {
                _transport.Tell(new SendRequest(PeerAddress.Of(target), new StoreMessage("", default, 0, "", item), ActorRefs.Nobody));
            }

            repairs = state.Newest ? targets.Count : 0;
        }

        var succeeded = state.Status == LookupStatus.Succeeded;
        Answer(new Result(_request.Target, succeeded, state.Closest, succeeded ? state.Item : null, state.Failure, state.Stats)
        {
            CopiesSeen = state.Newest ? state.CopiesSeen : succeeded && state.Item is not null ? 1 : 0,
            StaleCopies = state.StaleCopies,
            RepairStores = repairs,
            LocalCopyStale = state.LocalCopyStale,
            AnsweredBy = succeeded && state.Item is { } found ? (_source is { } source && source.Timestamp == found.Timestamp ? source.Id : _ownId) : null,
            CachedAt = succeeded && !state.Newest ? state.CachingTarget?.Id : null,
        });
    }

    private void Answer(Result result)
    {
        _metrics.LookupFinished(_request.Kind, result);
        DrogulusActivity.Stop(ref _activity, NodeMetrics.Outcome(result), failed: !result.Succeeded && result.Failure != LookupFailure.ValueNotFound);
        _replied = true;
        Context.Parent.Tell(result);
        Context.Stop(Self);
    }

    // Stopped before it finished (a failure, or its parent stopping): the parent still gets one answer.
    protected override void PostStop()
    {
        if (!_replied)
        {
            _replied = true;
            DrogulusActivity.Stop(ref _activity, "aborted", failed: true);
            Context.Parent.Tell(FailedOutside(LookupFailure.Aborted, TimeSpan.Zero));
        }
    }

    // A failure decided outside the state machine: no routing answer before the timeout, or an abort.
    private Result FailedOutside(LookupFailure failure, TimeSpan duration) =>
        new(_request.Target, false, [], null, failure, _state?.Stats ?? new LookupStats(0, 0, 0, duration));

    /// <summary>
    /// What to look up; <paramref name="ExtraContacts"/> join the shortlist (a join's seeds). A FindValue
    /// lookup in <paramref name="Newest"/> mode counts <paramref name="LocalItem"/> (the node's own live copy)
    /// as one answer (PROTOCOL §9, §10 get).
    /// </summary>
    internal sealed record Request(LookupKind Kind, Key Target, IReadOnlyList<Contact> ExtraContacts, bool Newest = false, SignedItem? LocalItem = null)
    {
        /// <summary>The activity of the get or put this lookup serves, if it is traced.</summary>
        public ActivityContext Parent { get; init; }
    }

    /// <summary>
    /// The one answer of a lookup, to its parent: the k closest that answered (FindNode), the item found
    /// (FindValue), or the failure, with the lookup's statistics.
    /// </summary>
    internal sealed record Result(Key Target, bool Succeeded, IReadOnlyList<Contact> Closest, SignedItem? Item, LookupFailure Failure, LookupStats Stats)
    {
        /// <summary>Copies of the value seen (newest mode: every valid copy, the local one included).</summary>
        public int CopiesSeen { get; init; }

        /// <summary>Copies older than <see cref="Item"/> (newest mode).</summary>
        public int StaleCopies { get; init; }

        /// <summary>Read-repair stores sent (newest mode).</summary>
        public int RepairStores { get; init; }

        /// <summary>The node's own copy is older than <see cref="Item"/> (newest mode).</summary>
        public bool LocalCopyStale { get; init; }

        /// <summary>The node whose copy is <see cref="Item"/> (this node when its own copy was the newest).</summary>
        public Key? AnsweredBy { get; init; }

        /// <summary>The node the caching store of a plain FindValue went to (PROTOCOL §9 step 4), if any.</summary>
        public Key? CachedAt { get; init; }

        /// <summary>The failure in words, or null after success.</summary>
        public string? FailureReason => Succeeded ? null : LookupFailures.Describe(Failure);
    }

    private sealed record LookupTimedOut
    {
        public static LookupTimedOut Instance { get; } = new();
    }

    private sealed record StallCheck
    {
        public static StallCheck Instance { get; } = new();
    }
}
