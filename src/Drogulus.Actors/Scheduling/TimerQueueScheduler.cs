using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace Drogulus.Actors.Scheduling;

/// <summary>
/// An Akka.NET scheduler that wakes only when a timer is due: each scheduled task is a
/// <see cref="System.Threading.Timer"/> of the runtime's timer queue, which sleeps until its earliest deadline.
/// Akka's default <see cref="HashedWheelTimerScheduler"/> wakes every <c>akka.scheduler.tick-duration</c>
/// (10 ms) while any timer is pending, and a node always has timers (refresh, idle connections): about 4 % of a
/// core for an idle process. This one costs nothing between deadlines and fires within about a millisecond of
/// them, never early; a coarser tick would cost less but delay every timeout by up to a tick and slow every
/// pace set in items per second. Select it with
/// <c>akka.scheduler.implementation = "Drogulus.Actors.Scheduling.TimerQueueScheduler, Drogulus.Actors"</c>.
/// </summary>
public sealed class TimerQueueScheduler : SchedulerBase, IDateTimeOffsetNowTimeProvider, IDisposable
{
    // Live timers, which also keeps each one reachable: the runtime closes a Timer that is collected.
    private readonly ConcurrentDictionary<Entry, byte> _live = new();
    private static readonly long Started = System.Diagnostics.Stopwatch.GetTimestamp();
    private volatile bool _stopped;

    /// <summary>Called by the actor system with its configuration and the scheduler's log.</summary>
    public TimerQueueScheduler(Config scheduler, ILoggingAdapter log)
        : base(scheduler, log)
    {
    }

    /// <summary>Timers not yet fired or cancelled (repeating ones count until cancelled).</summary>
    public int Pending => _live.Count;

    /// <inheritdoc />
    public override TimeSpan MonotonicClock => System.Diagnostics.Stopwatch.GetElapsedTime(Started);

    /// <inheritdoc />
    public override TimeSpan HighResMonotonicClock => System.Diagnostics.Stopwatch.GetElapsedTime(Started);

    /// <inheritdoc />
    protected override DateTimeOffset TimeNow => DateTimeOffset.Now;

    /// <summary>Cancels every pending timer; later schedules are ignored (the actor system is terminating).</summary>
    public void Dispose()
    {
        _stopped = true;
        foreach (var entry in _live.Keys)
        {
            entry.Stop();
        }
    }

    /// <inheritdoc />
    protected override void InternalScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Schedule(delay, TimeSpan.Zero, () => receiver.Tell(message, sender), cancelable);

    /// <inheritdoc />
    protected override void InternalScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Schedule(initialDelay, interval, () => receiver.Tell(message, sender), cancelable);

    /// <inheritdoc />
    protected override void InternalScheduleOnce(TimeSpan delay, Action action, ICancelable cancelable) =>
        Schedule(delay, TimeSpan.Zero, action, cancelable);

    /// <inheritdoc />
    protected override void InternalScheduleOnce(TimeSpan delay, IRunnable action, ICancelable cancelable) =>
        Schedule(delay, TimeSpan.Zero, action.Run, cancelable);

    /// <inheritdoc />
    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable cancelable) =>
        Schedule(initialDelay, interval, action, cancelable);

    /// <inheritdoc />
    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, IRunnable action, ICancelable cancelable) =>
        Schedule(initialDelay, interval, action.Run, cancelable);

    private void Schedule(TimeSpan delay, TimeSpan interval, Action action, ICancelable? cancelable)
    {
        if (_stopped || cancelable is { IsCancellationRequested: true })
        {
            return;
        }

        var entry = new Entry(this, action, interval, cancelable, Log);
        _live[entry] = 0;
        entry.Start(delay);
    }

    /// <summary>
    /// One scheduled task. A repeating one is armed again after each run (fixed delay, as Akka's scheduler does),
    /// so a slow run never overlaps the next. Cancelling its <see cref="ICancelable"/> removes the timer at once,
    /// so cancelled timers (a request timer reset on every request) do not linger until their deadline.
    /// </summary>
    private sealed class Entry
    {
        private readonly TimerQueueScheduler _owner;
        private readonly Action _action;
        private readonly TimeSpan _interval;
        private readonly ICancelable? _cancelable;
        private readonly ILoggingAdapter _log;
        private readonly Timer _timer;
        private CancellationTokenRegistration _registration;
        private int _stopped;

        public Entry(TimerQueueScheduler owner, Action action, TimeSpan interval, ICancelable? cancelable, ILoggingAdapter log)
        {
            _owner = owner;
            _action = action;
            _interval = interval;
            _cancelable = cancelable;
            _log = log;
            _timer = new Timer(static state => ((Entry)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public void Start(TimeSpan delay)
        {
            if (_cancelable is not null)
            {
                _registration = _cancelable.Token.UnsafeRegister(static state => ((Entry)state!).Stop(), this);
            }

            Arm(delay);
        }

        public void Stop()
        {
            if (Interlocked.Exchange(ref _stopped, 1) == 1)
            {
                return;
            }

            _owner._live.TryRemove(this, out _);
            _timer.Dispose();

            // Unregister, not Dispose: this may run inside the token's own callback, which Dispose would wait for.
            _registration.Unregister();
        }

        private void Arm(TimeSpan delay)
        {
            try
            {
                _timer.Change(delay, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Cancelled between the check and the arming: nothing to run.
            }
        }

        private void Fire()
        {
            if (Volatile.Read(ref _stopped) == 1 || _cancelable is { IsCancellationRequested: true })
            {
                Stop();
                return;
            }

            try
            {
                _action();
            }
            catch (Exception e)
            {
                // As Akka's own scheduler does: a failing task is logged and does not stop the others.
                _log.Error(e, "A scheduled task failed");
            }

            if (_interval > TimeSpan.Zero && Volatile.Read(ref _stopped) == 0 && !_owner._stopped)
            {
                Arm(_interval);
            }
            else
            {
                Stop();
            }
        }
    }
}
