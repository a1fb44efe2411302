namespace Drogulus.Actors.Tests.Network;

/// <summary>TestKit configuration of the specs that drive time with <see cref="Akka.TestKit.TestScheduler"/>.</summary>
internal static class VirtualTime
{
    public const string Config = """
        akka.loglevel = ERROR
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        """;

    /// <summary>How long a spec waits to see that nothing arrives (real time; the virtual clock does not move).</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);
}
