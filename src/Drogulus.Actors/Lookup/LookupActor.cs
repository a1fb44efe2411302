using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Lookup;

/// <summary>
/// One FindNode or FindValue lookup (the paper's node lookup, PROTOCOL §9), short-lived: it asks the
/// routing table for the k closest contacts, drives the pure <see cref="LookupState"/> with up to α RPCs in
/// flight, applies §7 to every reply (wrong type, wrong key or invalid value blacklists the responder;
/// timeouts and connection failures count against the contact), replies once and stops.
/// </summary>
internal sealed class LookupActor : ReceiveActor, IWithTimers
{
    private readonly Request _request;
    private readonly Key _ownId;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _routing;
    private readonly IActorRef _transport;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private LookupState? _state;
    private bool _replied;

    public LookupActor(Request request, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef transport)
    {
        _request = request;
        _ownId = ownId;
        _settings = settings;
        _routing = routing;
        _transport = transport;
        Receive<RoutingTableActor.ClosestContacts>(OnClosest);

        // Rule 7 holds even when the routing table never answers (its actor failed on the query).
        Receive<LookupTimedOut>(_ =>
        {
            _replied = true;
            _request.ReplyTo.Tell(FailedOutside(LookupFailure.Timeout, _settings.LookupTimeout));
            Context.Stop(Self);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Request request, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new LookupActor(request, ownId, settings, routing, transport));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void PreStart()
    {
        Timers.StartSingleTimer("lookup-timeout", LookupTimedOut.Instance, _settings.LookupTimeout);
        _routing.Tell(new RoutingTableActor.GetClosest(_request.Target, _settings.K));
    }

    private void OnClosest(RoutingTableActor.ClosestContacts closest)
    {
        var initial = closest.Contacts.Concat(_request.ExtraContacts).DistinctBy(c => c.Id).ToArray();
        _state = new LookupState(_ownId, _request.Target, _request.Kind, initial, _settings.K, _settings.Alpha, Now);
        Become(Running);
        Pump();
    }

    private void Running()
    {
        Receive<RpcReplied>(OnReplied);
        Receive<RpcFailed>(OnFailed);
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
        switch (replied.Reply)
        {
            case NodesMessage nodes:
                var now = Now;
                var contacts = nodes.Nodes.Take(_settings.K)
                    .Select(n => new Contact(n.Id, n.Address, n.Port, n.Version, now))
                    .ToArray();
                state.OnNodes(responder, contacts, now);
                _routing.Tell(new RoutingTableActor.ContactsLearned(contacts));
                break;
            case ValueMessage value when _request.Kind == LookupKind.FindValue:
                // PROTOCOL §7: a value that only expired on the way is a plain failure, not a blacklisting.
                var validation = value.Item.Key == _request.Target
                    ? value.Item.Validate(SignedItem.UnixSeconds(Now), _settings.MinRsaKeyBits, _settings.MaxRsaKeyBits)
                    : ItemValidation.Fail(ErrorCode.KeyMismatch);
                if (state.OnValue(responder, value.Item, validation, Now).BlacklistResponder)
                {
                    Blacklist(responder, "answered a findvalue with an invalid value or one under another key");
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
        }
    }

    private void Finish(LookupState state)
    {
        if (state.Status == LookupStatus.Succeeded && state.Item is { } item && state.CachingTarget is { } cache)
        {
            // Caching along the search path (§9 step 4); its answer is not awaited.
            _transport.Tell(new SendRequest(PeerAddress.Of(cache), new StoreMessage("", default, 0, "", item), ActorRefs.Nobody));
        }

        _replied = true;
        _request.ReplyTo.Tell(Reply(state));
        Context.Stop(Self);
    }

    // Stopped before it finished (a failure, or its node stopping): the requester still gets one answer.
    protected override void PostStop()
    {
        if (!_replied)
        {
            _replied = true;
            _request.ReplyTo.Tell(FailedOutside(LookupFailure.Aborted, TimeSpan.Zero));
        }
    }

    private object Reply(LookupState state)
    {
        var target = _request.Target;
        var stats = state.Stats;
        var failure = state.FailureReason ?? "lookup failed";
        return _request.Mode switch
        {
            ReplyMode.FindNodes => state.Status == LookupStatus.Succeeded
                ? new NodesFound(target, state.Closest, stats)
                : new FindNodesFailed(target, failure),
            ReplyMode.Get => state switch
            {
                { Status: LookupStatus.Succeeded, Item: { } found } => new ValueFound(found, stats),
                { Failure: LookupFailure.ValueNotFound } => new ValueNotFound(target, stats),
                _ => new GetFailed(target, failure) { Failure = state.Failure },
            },
            _ => new Finished(target, state.Status == LookupStatus.Succeeded, state.Closest, state.Failure, stats),
        };
    }

    // A failure decided outside the state machine: no routing answer before the timeout, or an abort.
    private object FailedOutside(LookupFailure failure, TimeSpan duration)
    {
        var target = _request.Target;
        var reason = LookupFailures.Describe(failure);
        return _request.Mode switch
        {
            ReplyMode.FindNodes => new FindNodesFailed(target, reason),
            ReplyMode.Get => new GetFailed(target, reason) { Failure = failure },
            _ => new Finished(target, false, [], failure, _state?.Stats ?? new LookupStats(0, 0, 0, duration)),
        };
    }

    /// <summary>Who the lookup answers and in which vocabulary.</summary>
    internal enum ReplyMode
    {
        /// <summary>Public <see cref="NodesFound"/> / <see cref="FindNodesFailed"/>.</summary>
        FindNodes,

        /// <summary>Public <see cref="ValueFound"/> / <see cref="ValueNotFound"/> / <see cref="GetFailed"/>.</summary>
        Get,

        /// <summary>Internal <see cref="Finished"/> (put, join, refresh).</summary>
        Internal,
    }

    /// <summary>What to look up and whom to answer; <paramref name="ExtraContacts"/> join the shortlist (a join's seeds).</summary>
    internal sealed record Request(LookupKind Kind, Key Target, ReplyMode Mode, IActorRef ReplyTo, IReadOnlyList<Contact> ExtraContacts);

    /// <summary>The answer in <see cref="ReplyMode.Internal"/>.</summary>
    internal sealed record Finished(Key Target, bool Succeeded, IReadOnlyList<Contact> Closest, LookupFailure Failure, LookupStats Stats)
    {
        /// <summary>The failure in words, or null after success.</summary>
        public string? FailureReason => Succeeded ? null : LookupFailures.Describe(Failure);
    }

    private sealed record LookupTimedOut
    {
        public static LookupTimedOut Instance { get; } = new();
    }
}
