using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Scheduling;

namespace Drogulus.Actors.Tests.Scheduling;

/// <summary>
/// <see cref="TimerQueueScheduler"/> as an actor system's scheduler, on real time (it is the thing under test):
/// a timer fires once, not before its delay; a cancelled one never fires and is removed at once; a repeating one
/// fires until cancelled; actors' own timers run on it. Waits follow the event with a generous ceiling and
/// nothing asserts an upper bound on lateness (the machine may be loaded).
/// </summary>
public sealed class TimerQueueSchedulerTests : TestKit
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(30);

    public TimerQueueSchedulerTests()
        : base("akka.scheduler.implementation = \"Drogulus.Actors.Scheduling.TimerQueueScheduler, Drogulus.Actors\"")
    {
    }

    private TimerQueueScheduler Scheduler => Assert.IsType<TimerQueueScheduler>(Sys.Scheduler);

    [Fact]
    public void A_timer_fires_once_and_not_before_its_delay()
    {
        var delay = TimeSpan.FromMilliseconds(200);
        var started = Stopwatch.GetTimestamp();
        Sys.Scheduler.ScheduleTellOnce(delay, TestActor, "due", ActorRefs.NoSender);

        ExpectMsg("due", Ceiling);
        // The runtime's timer queue counts whole milliseconds: allow one of rounding.
        Assert.True(Stopwatch.GetElapsedTime(started) >= delay - TimeSpan.FromMilliseconds(1), $"fired after {Stopwatch.GetElapsedTime(started).TotalMilliseconds} ms");

        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(100), TestActor, "marker", ActorRefs.NoSender);
        ExpectMsg("marker", Ceiling);
        AwaitCondition(() => Scheduler.Pending == 0, Ceiling);
    }

    [Fact]
    public void A_cancelled_timer_never_fires_and_is_removed_at_once()
    {
        var cancelled = Sys.Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromSeconds(1), TestActor, "cancelled", ActorRefs.NoSender);
        cancelled.Cancel();
        Assert.Equal(0, Scheduler.Pending);

        var many = Enumerable.Range(0, 1000)
            .Select(i => Sys.Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromHours(1), TestActor, i, ActorRefs.NoSender)).ToList();
        Assert.Equal(1000, Scheduler.Pending);
        many.ForEach(c => c.Cancel());
        Assert.Equal(0, Scheduler.Pending);

        // Due after the cancelled one: had that fired, it would be the first message.
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(2), TestActor, "marker", ActorRefs.NoSender);
        ExpectMsg("marker", Ceiling);
    }

    [Fact]
    public void A_repeating_timer_fires_until_cancelled()
    {
        // Counts what the scheduler sends: ticks sent before Cancel may still wait in the test actor's mailbox (on a
        // busy machine four did), so counting what arrives after Cancel does not say what the scheduler did.
        var receiver = new Counting(TestActor);
        var repeating = Sys.Scheduler.ScheduleTellRepeatedlyCancelable(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20), receiver, "tick", ActorRefs.NoSender);
        ExpectMsg("tick", Ceiling);
        ExpectMsg("tick", Ceiling);
        ExpectMsg("tick", Ceiling);

        repeating.Cancel();
        var sentAtCancel = receiver.Told;
        Assert.Equal(0, Scheduler.Pending);
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(200), TestActor, "marker", ActorRefs.NoSender);
        FishForMessage(m => m is "marker", Ceiling);

        // A run that had passed its check when Cancel was called may still send one tick; no more follow.
        Assert.True(receiver.Told - sentAtCancel <= 1, $"ticks sent after cancel: {receiver.Told - sentAtCancel}");
    }

    /// <summary>Forwards to <paramref name="target"/> and counts what it was told, on the scheduler's threads.</summary>
    private sealed class Counting(IActorRef target) : ICanTell
    {
        private int _told;

        public int Told => Volatile.Read(ref _told);

        public void Tell(object message, IActorRef sender)
        {
            Interlocked.Increment(ref _told);
            target.Tell(message, sender);
        }
    }

    [Fact]
    public async Task Actor_timers_and_scheduled_actions_run_on_it()
    {
        var actor = Sys.ActorOf(Props.Create(() => new WithTimer(TestActor)));
        actor.Tell("start");
        ExpectMsg("single", Ceiling);

        var ran = new TaskCompletionSource();
        Sys.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromMilliseconds(50), () => ran.TrySetResult());
        await ran.Task.WaitAsync(Ceiling);
    }

    [Fact]
    public void A_failing_action_does_not_stop_the_others()
    {
        Sys.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromMilliseconds(20), () => throw new InvalidOperationException("scheduled failure"));
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(100), TestActor, "after", ActorRefs.NoSender);
        ExpectMsg("after", Ceiling);
    }

    private sealed class WithTimer : ReceiveActor, IWithTimers
    {
        public WithTimer(IActorRef probe)
        {
            Receive<string>(m => m == "start", _ => Timers.StartSingleTimer("t", "single", TimeSpan.FromMilliseconds(50)));
            Receive<string>(m => m == "single", m => probe.Tell(m));
        }

        public ITimerScheduler Timers { get; set; } = null!;
    }
}
