using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Footprint;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Footprint;

/// <summary>
/// <see cref="HeapTrimActor"/> on virtual time, with a fake allocation counter and a counted trim: it checks every
/// <c>heap-trim.check-interval</c> and trims once after start-up and once after each burst ends, never while idle.
/// </summary>
public sealed class HeapTrimActorTests : TestKit
{
    private readonly DrogulusSettings _settings = DrogulusConfig.SettingsFrom("drogulus.heap-trim { enabled = on, check-interval = 10s, burst-bytes = 1 MiB, min-interval = 60s }");
    private long _allocated;

    public HeapTrimActorTests()
        : base(VirtualTime.Config)
    {
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void It_trims_once_after_start_up_and_after_each_burst_and_never_while_idle()
    {
        // Each read of the counter and each trim is told to the probe, so every check is awaited before the next.
        var probe = CreateTestProbe();
        var trimmer = Sys.ActorOf(HeapTrimActor.Props(
            _settings,
            () => { probe.Ref.Tell("read"); return Interlocked.Read(ref _allocated); },
            () => probe.Ref.Tell("trimmed")));
        probe.ExpectMsg("read", Ceiling); // the baseline, read when the actor starts

        Assert.Equal(1, Checks(trimmer, probe, 1)); // start-up counts as a burst: the first quiet check trims
        Assert.Equal(0, Checks(trimmer, probe, 6));
        Interlocked.Add(ref _allocated, 4 << 20);
        Assert.Equal(0, Checks(trimmer, probe, 1)); // sees the burst
        Assert.Equal(1, Checks(trimmer, probe, 1)); // sees it ended
        Assert.Equal(0, Checks(trimmer, probe, 12));
        Interlocked.Add(ref _allocated, 4 << 20);
        Assert.Equal(1, Checks(trimmer, probe, 2));
        Assert.Equal(0, Checks(trimmer, probe, 3));
    }

    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(30);

    // Moves the clock by whole check intervals, waiting for each check; returns the trims they made.
    private int Checks(IActorRef trimmer, Akka.TestKit.TestProbe probe, int count)
    {
        var trims = 0;
        for (var i = 0; i < count; i++)
        {
            Scheduler.Advance(TimeSpan.FromSeconds(10));
            probe.ExpectMsg("read", Ceiling);

            // A trim follows its read within the same check. The trimmer answers an Identify only after that check is
            // done, so its answer comes after any trim. A marker told from here could overtake the trim: on a busy
            // machine it did.
            trimmer.Tell(new Identify("marker"), probe.Ref);
            while (probe.ExpectMsg<object>(Ceiling) is "trimmed")
            {
                trims++;
            }
        }

        return trims;
    }
}
