using Akka.TestKit;

namespace Drogulus.Testing;

/// <summary>
/// Virtual time for a TestKit test: pass <see cref="Config"/> to the TestKit's constructor so that the actor
/// system's scheduler is Akka's <see cref="TestScheduler"/>. Every timer of a node (request and lookup
/// timeouts, refresh, republish, throttles) then fires only when the test moves the clock with
/// <see cref="Advance"/>; messages still flow at once, so the memory network runs as fast as it can.
/// </summary>
public static class VirtualTime
{
    /// <summary>
    /// HOCON that installs the <see cref="TestScheduler"/> (and keeps the log quiet); append your own lines. An
    /// <c>ExpectMsg</c> without a timeout waits up to 60 s of real time (Akka's default is 3 s): it returns as soon
    /// as the message comes, and a loaded machine must not fail a spec whose event is merely late.
    /// </summary>
    public const string Config = """
        akka.loglevel = ERROR
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        akka.test.single-expect-default = 60s
        """;

    /// <summary>How long to wait to see that nothing arrives (real time; the virtual clock does not move).</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    /// <summary>The kit's <see cref="TestScheduler"/>; fails when the kit was not built with <see cref="Config"/>.</summary>
    public static TestScheduler Scheduler(TestKitBase kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return kit.Sys.Scheduler as TestScheduler
            ?? throw new InvalidOperationException(
                "The actor system does not run on virtual time: pass Drogulus.Testing.VirtualTime.Config to the TestKit's constructor.");
    }

    /// <summary>Moves the virtual clock on by <paramref name="by"/>, firing every timer due meanwhile, in order.</summary>
    public static void Advance(TestKitBase kit, TimeSpan by) => Scheduler(kit).Advance(by);

    /// <summary>Whether the kit's actor system runs on virtual time.</summary>
    public static bool IsVirtual(TestKitBase kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return kit.Sys.Scheduler is TestScheduler;
    }
}
