using Akka.TestKit;
using Drogulus.Testing;
namespace Drogulus.Actors.Tests;

/// <summary>
/// TestKit settings for specs that run on real time: a wait ends with the event it waits for, so its ceiling can be
/// generous. The TestKit's default for an <c>ExpectMsg</c> without a duration is 3 s, which a machine whose cores
/// another process keeps busy exceeds (a lookup spec once waited 3 s for its first routing-table request there).
/// Virtual-time specs take the same ceiling from <c>VirtualTime.Config</c>.
/// </summary>
internal static class BusyMachine
{
    /// <summary>HOCON lines: the ceiling of every TestKit wait that names no duration of its own.</summary>
    public const string Waits = "akka.test.single-expect-default = 60s\nakka.test.default-timeout = 60s\n";

    /// <summary>
    /// Lines of a <c>drogulus</c> block for specs of whole networks on real time: ceilings on waits for peers that are
    /// all honest and only slow because the machine is busy (a 50-node TLS spec lost 2 of 500 puts to 5 s request
    /// timeouts at load 60). Specs about a timeout itself set that timeout after these lines.
    /// </summary>
    public const string SlowPeers = "request-timeout = 30s\nhandshake-timeout = 30s\nhello-timeout = 30s\nlookup-timeout = 5m\n";

    /// <summary>
    /// After a virtual-time spec moved the clock to where something is due: on a busy machine the actor may have
    /// started its timer only after the clock moved (its message waited longer than the quiet window), and then the
    /// event is due that much later. Moves the clock on by <paramref name="step"/> while <paramref name="arrived"/>
    /// stays false for <see cref="VirtualTime.Quiet"/>, failing once <paramref name="bound"/> of virtual time passed.
    /// </summary>
    public static void AdvanceUntil(TestKitBase kit, Func<bool> arrived, TimeSpan step, TimeSpan bound, string what)
    {
        for (var later = TimeSpan.Zero; !kit.AwaitConditionNoThrow(arrived, VirtualTime.Quiet); later += step)
        {
            Assert.True(later < bound, $"{what}: nothing within {bound} of virtual time after it was due");
            VirtualTime.Advance(kit, step);
        }
    }
}

