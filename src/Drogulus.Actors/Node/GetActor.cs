using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Lookup;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Storage;
using Drogulus.Core.Identity;
using Drogulus.Core.Lookup;

namespace Drogulus.Actors.Node;

/// <summary>
/// One get (PROTOCOL §10): the local store first (a live item there is the answer), otherwise a FindValue
/// lookup run by its own <see cref="LookupActor"/> child. It answers the requester itself, once, and stops.
/// Path of a remote get: requester → NodeActor → GetActor → DataStoreActor → GetActor → LookupActor (RPCs
/// through the transport) → GetActor → requester.
/// </summary>
internal sealed class GetActor : ReceiveActor, IWithTimers
{
    private static readonly LookupStats Local = new(0, 0, 0, TimeSpan.Zero);

    private readonly Key _key;
    private readonly IActorRef _replyTo;
    private readonly Key _ownId;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _routing;
    private readonly IActorRef _dataStore;
    private readonly IActorRef _transport;
    private bool _replied;

    public GetActor(Key key, IActorRef replyTo, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef dataStore, IActorRef transport)
    {
        _key = key;
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

    public static Props Props(Key key, IActorRef replyTo, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef dataStore, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new GetActor(key, replyTo, ownId, settings, routing, dataStore, transport));

    // A failing lookup child is stopped, never restarted (a restart would send its RPCs again and answer twice).
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    protected override void PreStart()
    {
        Timers.StartSingleTimer("local-read", LocalReadTimedOut.Instance, _settings.RequestTimeout);
        _dataStore.Tell(new DataStoreActor.GetLocal(_key));
    }

    private void OnLocalItem(DataStoreActor.LocalItem local)
    {
        Timers.Cancel("local-read");
        if (local.Item is { } item)
        {
            Answer(new ValueFound(item, Local));
            return;
        }

        Become(LookingUp);
        Context.ActorOf(LookupActor.Props(new LookupActor.Request(LookupKind.FindValue, _key, []), _ownId, _settings, _routing, _transport), "lookup");
    }

    private void LookingUp() =>
        Receive<LookupActor.Result>(result => Answer(result switch
        {
            { Succeeded: true, Item: { } found } => new ValueFound(found, result.Stats),
            { Failure: LookupFailure.ValueNotFound } => new ValueNotFound(_key, result.Stats),
            _ => new GetFailed(_key, result.FailureReason ?? "lookup failed"),
        }));

    private void Answer(IGetReply reply)
    {
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
            _replyTo.Tell(new GetFailed(_key, "the get was aborted"));
        }
    }

    private sealed record LocalReadTimedOut
    {
        public static LocalReadTimedOut Instance { get; } = new();
    }
}
