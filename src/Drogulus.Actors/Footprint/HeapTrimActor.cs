using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Configuration;

namespace Drogulus.Actors.Footprint;

/// <summary>
/// The idle heap trim of a node process (<c>drogulus.heap-trim</c>): every <c>check-interval</c> it reads the
/// process's allocation counter and, when <see cref="HeapTrimPolicy"/> says a burst has ended, runs
/// <see cref="NativeHeap.Trim"/>; start-up counts as a burst, so the first quiet check after it trims once. One per process, not per node: it trims the whole process. drogulus-node starts
/// it; a host that wants it starts it with <see cref="Props(DrogulusSettings)"/>.
/// </summary>
public sealed class HeapTrimActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _checkInterval;
    private readonly Func<bool> _baseline;

    /// <summary>
    /// Creates the actor (public because Akka creates actors through their public constructors; use
    /// <see cref="Props(DrogulusSettings)"/>): <paramref name="allocated"/> reads the allocation counter and
    /// <paramref name="trim"/> trims, so that specs can count both.
    /// </summary>
    public HeapTrimActor(DrogulusSettings settings, Func<long> allocated, Action trim)
    {
        _checkInterval = settings.HeapTrimCheckInterval;
        var policy = new HeapTrimPolicy(settings.HeapTrimBurstBytes, settings.HeapTrimMinInterval, startAsBurst: true);
        Receive<Check>(_ =>
        {
            if (policy.ShouldTrim(Context.System.Scheduler.Now, allocated()))
            {
                trim();
                _log.Debug("Trimmed the heap after a burst");
            }
        });
        _baseline = () => policy.ShouldTrim(Context.System.Scheduler.Now, allocated());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    protected override void PreStart()
    {
        // The timer first, then the first reading: every check after that reading measures from it.
        Timers.StartPeriodicTimer("check", Check.Instance, _checkInterval);
        _baseline();
    }

    /// <summary>The trim of this process, checked every <c>heap-trim.check-interval</c>.</summary>
    public static Props Props(DrogulusSettings settings) =>
        Akka.Actor.Props.Create(() => new HeapTrimActor(settings, () => GC.GetTotalAllocatedBytes(false), () => NativeHeap.Trim()));

    internal static Props Props(DrogulusSettings settings, Func<long> allocated, Action trim) =>
        Akka.Actor.Props.Create(() => new HeapTrimActor(settings, allocated, trim));

    private sealed record Check
    {
        public static readonly Check Instance = new();
    }
}
