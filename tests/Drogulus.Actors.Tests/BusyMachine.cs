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
}
