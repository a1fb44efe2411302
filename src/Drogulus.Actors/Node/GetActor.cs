using System.Diagnostics;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Diagnostics;
using Drogulus.Actors.Lookup;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Storage;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;

namespace Drogulus.Actors.Node;

/// <summary>
/// One get (PROTOCOL §10): the local store first (a live item there is the answer), otherwise a FindValue
/// lookup run by its own <see cref="LookupActor"/> child. A get for the newest copy always runs the lookup,
/// in newest mode, with the local copy as one answer; a stale local copy is replaced by the newest. It answers the requester itself, once, and stops.
/// Path of a remote get: requester → NodeActor → GetActor → DataStoreActor → GetActor → LookupActor (RPCs
/// through the transport) → GetActor → requester.
/// </summary>
internal sealed class GetActor : ReceiveActor, IWithTimers
{
    private static readonly LookupStats Local = new(0, 0, 0, TimeSpan.Zero);

    private readonly Key _key;
    private readonly bool _latest;
    private readonly IActorRef _replyTo;
    private readonly Key _ownId;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _routing;
    private readonly IActorRef _dataStore;
    private readonly IActorRef _transport;
    private Activity? _activity;
    private bool _replied;

    public GetActor(Key key, bool latest, IActorRef replyTo, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef dataStore, IActorRef transport)
    {
        _key = key;
        _latest = latest;
        _replyTo = replyTo;
        _ownId = ownId;
        _settings = settings;
        _routing = routing;
        _dataStore = dataStore;
        _transport = transport;
        Receive<DataStoreActor.LocalItem>(OnLocalItem);
        Receive<LocalReadTimedOut>(_ => Answer(new GetFailed(_key, "the local store did not answer in time")));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Key key, bool latest, IActorRef replyTo, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef dataStore, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new GetActor(key, latest, replyTo, ownId, settings, routing, dataStore, transport));

    // A failing lookup child is stopped, never restarted (a restart would send its RPCs again and answer twice).
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    protected override void PreStart()
    {
        Timers.StartSingleTimer("local-read", LocalReadTimedOut.Instance, _settings.RequestTimeout);
        _activity = DrogulusActivity.Start(DrogulusActivity.Get, ActivityKind.Internal, NodeMetrics.For(_ownId)).WithKey(_key);
        _dataStore.Tell(new DataStoreActor.GetLocal(_key));
    }

    private void OnLocalItem(DataStoreActor.LocalItem local)
    {
        Timers.Cancel("local-read");
        if (local.Item is { } item && !_latest)
        {
            Answer(new ValueFound(item, Local, AnsweredBy: _ownId));
            return;
        }

        Become(LookingUp);
        var request = new LookupActor.Request(LookupKind.FindValue, _key, [], Newest: _latest, LocalItem: _latest ? local.Item : null) { Parent = DrogulusActivity.ContextOf(_activity) };
        Context.ActorOf(LookupActor.Props(request, _ownId, _settings, _routing, _transport), "lookup");
    }

    private void LookingUp() =>
        Receive<LookupActor.Result>(result => Answer(result switch
        {
            { Succeeded: true, Item: { } found } => Found(found, result),
            { Failure: LookupFailure.ValueNotFound } => new ValueNotFound(_key, result.Stats),
            _ => new GetFailed(_key, result.FailureReason ?? "lookup failed") { Failure = result.Failure },
        }));

    private ValueFound Found(SignedItem item, LookupActor.Result result)
    {
        if (result.LocalCopyStale)
        {
            // The node's own copy missed the update: the store rule keeps the newer one.
            _dataStore.Tell(new DataStoreActor.StoreLocal(item), ActorRefs.Nobody);
        }

        return new ValueFound(item, result.Stats, result.CopiesSeen, result.StaleCopies, result.RepairStores, result.AnsweredBy, result.CachedAt);
    }

    private void Answer(IGetReply reply)
    {
        DrogulusActivity.Stop(ref _activity, reply switch { ValueFound => "found", ValueNotFound => "not_found", _ => "failed" }, failed: reply is GetFailed);
        _replied = true;
        _replyTo.Tell(reply);
        Context.Stop(Self);
    }

    // Stopped before it answered (its node stopping or restarting): the requester still gets one answer.
    protected override void PostStop()
    {
        if (!_replied)
        {
            _replied = true;
            DrogulusActivity.Stop(ref _activity, "aborted", failed: true);
            _replyTo.Tell(new GetFailed(_key, "the get was aborted"));
        }
    }

    private sealed record LocalReadTimedOut
    {
        public static LocalReadTimedOut Instance { get; } = new();
    }
}
