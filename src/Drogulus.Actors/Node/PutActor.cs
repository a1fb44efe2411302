using System.Diagnostics;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Diagnostics;
using Drogulus.Actors.Lookup;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Actors.Storage;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Node;

/// <summary>
/// One put (PROTOCOL §10, the paper's STORE after a node lookup): a FindNode lookup on the item's key, then
/// a <c>store</c> to each of the <c>duplicate</c> closest nodes found, the node itself included when it is
/// among them. Replies once with every node's outcome and stops; every wait is bounded. Its lookup is its
/// own <see cref="LookupActor"/> child, stopped (never restarted) if it fails. Local stores go to the data
/// store, remote ones through the transport; replies come back here.
/// </summary>
internal sealed class PutActor : ReceiveActor, IWithTimers
{
    private readonly SignedItem _item;
    private readonly int _duplicate;
    private readonly bool _storeLocally;
    private readonly IActorRef _replyTo;
    private readonly Key _ownId;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _routing;
    private readonly IActorRef _dataStore;
    private readonly IActorRef _transport;
    private readonly Dictionary<Key, StoreOutcome> _outcomes = new();
    private readonly HashSet<Key> _waiting = new();
    private LookupStats? _lookupStats;
    private Activity? _activity;
    private bool _replied;

    public PutActor(SignedItem item, int duplicate, bool storeLocally, IActorRef replyTo, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef dataStore, IActorRef transport)
    {
        _item = item;
        _duplicate = duplicate;
        _storeLocally = storeLocally;
        _replyTo = replyTo;
        _ownId = ownId;
        _settings = settings;
        _routing = routing;
        _dataStore = dataStore;
        _transport = transport;
        Receive<LookupActor.Result>(OnLookupFinished);
        Receive<DeadlinePassed>(_ => Fail("the lookup did not finish in time", PutFailureKind.LookupFailed));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SignedItem item, int duplicate, bool storeLocally, IActorRef replyTo, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef dataStore, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new PutActor(item, duplicate, storeLocally, replyTo, ownId, settings, routing, dataStore, transport));

    // A failing lookup child is stopped, never restarted (a restart would send its RPCs again and answer twice).
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    protected override void PreStart()
    {
        // The lookup and the stores each have their own bound; this one only guarantees a single reply.
        var deadline = _settings.LookupTimeout + _settings.RequestTimeout + _settings.RequestTimeout;
        Timers.StartSingleTimer("deadline", DeadlinePassed.Instance, deadline);
        _activity = DrogulusActivity.Start(DrogulusActivity.Put, ActivityKind.Internal, NodeMetrics.For(_ownId)).WithKey(_item.Key)?.SetTag("drogulus.kind", _storeLocally ? "put" : "republish");
        var request = new LookupActor.Request(LookupKind.FindNode, _item.Key, []) { Parent = DrogulusActivity.ContextOf(_activity) };
        Context.ActorOf(LookupActor.Props(request, _ownId, _settings, _routing, _transport), "lookup");
    }

    private void OnLookupFinished(LookupActor.Result finished)
    {
        _lookupStats = finished.Stats;
        // With no reachable peer (an empty table, or every contact failed) the node itself is the closest
        // node it can reach: the put stores locally and reports that one outcome, the same either way.
        if (!finished.Succeeded && finished.Failure is not (LookupFailure.RoutingTableEmpty or LookupFailure.NoPeerAnswered))
        {
            Fail("lookup failed: " + finished.FailureReason, PutFailureKind.LookupFailed);
            return;
        }

        // The node itself competes with the contacts found for the `duplicate` closest places.
        var key = _item.Key;
        var candidates = finished.Closest.Select(c => (Id: c.Id, Contact: (Contact?)c)).Append((Id: _ownId, Contact: null))
            .OrderBy(c => c.Id, Comparer<Key>.Create(key.CompareDistance))
            .Take(_duplicate)
            .ToArray();
        foreach (var (id, contact) in candidates)
        {
            if (contact is null)
            {
                if (_storeLocally)
                {
                    _waiting.Add(id);
                    _dataStore.Tell(new DataStoreActor.StoreLocal(_item));
                }

                continue;
            }

            _waiting.Add(id);
            _transport.Tell(new SendRequest(PeerAddress.Of(contact), new StoreMessage("", default, 0, "", _item), Self));
        }

        Become(Storing);
        CompleteIfDone();
    }

    private void Storing()
    {
        Receive<DataStoreActor.LocalStored>(stored =>
        {
            var decision = stored.Decision;
            Record(_ownId, decision.IsStored
                ? new StoreOutcome(_ownId, StoreResult.Stored)
                : new StoreOutcome(_ownId, StoreResult.Refused, (int)decision.Error!.Value, ErrorCodes.Title(decision.Error.Value)) { Details = decision.Details });
        });
        Receive<RpcReplied>(replied =>
        {
            var id = replied.To.ExpectedId!.Value;
            if (replied.Reply is not (PongMessage or ErrorMessage))
            {
                // PROTOCOL §7: a reply of the wrong type blacklists the responder.
                _routing.Tell(new RoutingTableActor.BlacklistPeer(id, "answered a store with " + replied.Reply.WireName));
            }

            Record(id, replied.Reply switch
            {
                PongMessage => new StoreOutcome(id, StoreResult.Stored),
                ErrorMessage error => new StoreOutcome(id, StoreResult.Refused, (int)error.Code, error.Title) { Details = error.Details },
                var other => new StoreOutcome(id, StoreResult.Refused, null, "unexpected reply " + other.WireName),
            });
        });
        Receive<RpcFailed>(failed =>
        {
            var id = failed.To.ExpectedId!.Value;
            var result = failed.Failure == RpcFailure.Timeout ? StoreResult.TimedOut : StoreResult.ConnectionFailed;
            Record(id, new StoreOutcome(id, result, null, failed.Reason));
        });
        Receive<DeadlinePassed>(_ => Complete());
    }

    private void Record(Key id, StoreOutcome outcome)
    {
        if (_waiting.Remove(id))
        {
            _outcomes[id] = outcome;
        }

        CompleteIfDone();
    }

    private void CompleteIfDone()
    {
        if (_waiting.Count == 0)
        {
            Complete();
        }
    }

    private void Complete()
    {
        foreach (var id in _waiting)
        {
            _outcomes[id] = new StoreOutcome(id, StoreResult.TimedOut, null, "no answer before the put's deadline");
        }

        var key = _item.Key;
        var outcomes = _outcomes.Values.OrderBy(o => o.NodeId, Comparer<Key>.Create(key.CompareDistance)).ToArray();
        var completed = new PutCompleted(key, outcomes, _lookupStats) { NodeId = _ownId };
        // PROTOCOL §10, republish (implementation note in docs/PROTOCOL.md): the node's own put that no peer stored is
        // the only copy; it stays marked, and every republish pass stores it again, until a put of it reaches a peer.
        if (completed.StoredRemotely > 0)
        {
            _dataStore.Tell(new DataStoreActor.PutReached(key, _item.Timestamp, ReachedPeer: true));
        }
        else if (_storeLocally && completed.StoredOnlyLocally)
        {
            _dataStore.Tell(new DataStoreActor.PutReached(key, _item.Timestamp, ReachedPeer: false));
        }

        _replied = true;
        DrogulusActivity.Stop(ref _activity, "completed");
        _replyTo.Tell(completed);
        Context.Stop(Self);
    }

    private void Fail(string reason, PutFailureKind kind = PutFailureKind.Other)
    {
        _replied = true;
        DrogulusActivity.Stop(ref _activity, "failed", failed: true);
        _replyTo.Tell(new PutFailed(_item.Key, reason) { Kind = kind });
        Context.Stop(Self);
    }

    // Stopped before it answered (a failure, or its node stopping): the requester still gets one answer.
    protected override void PostStop()
    {
        if (!_replied)
        {
            _replied = true;
            DrogulusActivity.Stop(ref _activity, "aborted", failed: true);
            _replyTo.Tell(new PutFailed(_item.Key, "the put was aborted") { Kind = PutFailureKind.Aborted });
        }
    }

    private sealed record DeadlinePassed
    {
        public static DeadlinePassed Instance { get; } = new();
    }
}
