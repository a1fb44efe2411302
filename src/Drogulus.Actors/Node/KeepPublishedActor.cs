using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;

namespace Drogulus.Actors.Node;

/// <summary>
/// Keeps a publisher's values alive (PROTOCOL §10: an item lives at most <c>max-item-age</c> after its timestamp,
/// so its publisher signs it again with a newer timestamp and puts it again well before then). The user owns
/// this actor and lends it the <see cref="PublisherKey"/> (the node never holds a publisher's private key): tell
/// it <see cref="KeepPublished"/> and it puts the value through <c>node</c> every <c>keep-alive-interval</c>
/// until <see cref="StopPublishing"/>. One timer for all values (<see cref="KeepAliveSchedule"/>), never one per value.
/// </summary>
/// <remarks>
/// A put that fails is not retried before the next interval: with the default interval (24 h) against
/// <c>max-item-age</c> (48 h), one failed round still leaves the copies of the previous round alive.
/// </remarks>
public sealed class KeepPublishedActor : ReceiveActor, IWithTimers
{
    private const string DueTimer = "due";

    private readonly IActorRef _node;
    private readonly PublisherKey _publisher;
    private readonly DrogulusSettings _settings;
    private readonly KeepAliveSchedule _schedule;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Creates the actor; use <see cref="Props"/>.</summary>
    public KeepPublishedActor(IActorRef node, PublisherKey publisher, DrogulusSettings settings)
    {
        _node = node;
        _publisher = publisher;
        _settings = settings;
        _schedule = new KeepAliveSchedule(settings.KeepAliveInterval);
        Receive<KeepPublished>(OnKeep);
        Receive<StopPublishing>(OnStop);
        Receive<Due>(_ => PutDue());
        Receive<PutCompleted>(done => _log.Debug("Kept {Key} published: {Stored} nodes stored it", done.Key.ToShortString(), done.StoredCount));
        Receive<PutFailed>(failed => _log.Warning("Putting {Key} again failed: {Reason}; the next try is in {Interval}", failed.Key.ToShortString(), failed.Reason, _settings.KeepAliveInterval));
    }

    /// <summary>Props of a keeper that puts through <paramref name="node"/> with <paramref name="publisher"/>'s key.</summary>
    /// <param name="node">The node actor that runs the puts (PROTOCOL §10, put).</param>
    /// <param name="publisher">The publisher key, lent: the caller keeps it alive as long as the actor and disposes it after.</param>
    /// <param name="settings">The node's settings (<c>keep-alive-interval</c>, <c>created-with</c>).</param>
    public static Props Props(IActorRef node, PublisherKey publisher, DrogulusSettings settings)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(settings);
        return Akka.Actor.Props.Create(() => new KeepPublishedActor(node, publisher, settings));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    private void OnKeep(KeepPublished keep)
    {
        var item = new KeptItem(keep.Name, keep.Value, keep.Meta ?? new Dictionary<string, string>());
        _schedule.Keep(item, keep.PutNow ? Now : Now + _schedule.Interval);
        Sender.Tell(new KeptPublished(_publisher.KeyFor(keep.Name)));
        PutDue();
    }

    private void OnStop(StopPublishing stop)
    {
        Sender.Tell(new StoppedPublishing(_publisher.KeyFor(stop.Name), _schedule.Stop(stop.Name)));
        ArmTimer();
    }

    private void PutDue()
    {
        var now = Now;
        foreach (var item in _schedule.TakeDue(now))
        {
            _node.Tell(new Put(item.Sign(_publisher, SignedItem.UnixSeconds(now), _settings.CreatedWith)), Self);
        }

        ArmTimer();
    }

    private void ArmTimer()
    {
        if (_schedule.NextDue is not { } next)
        {
            Timers.Cancel(DueTimer);
            return;
        }

        var delay = next - Now;
        Timers.StartSingleTimer(DueTimer, Due.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
    }

    private sealed record Due
    {
        public static Due Instance { get; } = new();
    }
}
