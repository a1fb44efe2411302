using Akka.Actor;
using Akka.Configuration;

namespace Drogulus.IdleBenchmark;

/// <summary>
/// The floors the node is compared with, each run as a child process of this program (same runtime settings as
/// the node): a bare console that waits on its standard input, and an empty Akka.NET actor system with one
/// hour-long timer pending (a node always has timers, and Akka's scheduler ticks while any is pending), given
/// the same <c>akka { }</c> block as the nodes, once with Akka's default scheduler and once with the
/// <c>TimerQueueScheduler</c> drogulus-node uses. Both exit when their standard input closes.
/// </summary>
internal static class Baselines
{
    public const string ChildVariable = "DROGULUS_IDLE_BASELINE";

    public static async Task<int> Run(string kind, string? configFile)
    {
        if (kind == "bare")
        {
            Console.WriteLine("READY");
            await Console.In.ReadToEndAsync();
            return 0;
        }

        var config = configFile is null ? Config.Empty : ConfigurationFactory.ParseString(await File.ReadAllTextAsync(configFile));
        if (kind == "akka-tqs")
        {
            // The scheduler drogulus-node runs on (samples/Drogulus.Node, StartCommand.AkkaConfig).
            config = config.WithFallback(ConfigurationFactory.ParseString("akka.scheduler.implementation = \"Drogulus.Actors.Scheduling.TimerQueueScheduler, Drogulus.Actors\""));
        }

        using var system = ActorSystem.Create("empty", config);
        var timer = system.Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromHours(1), system.DeadLetters, "tick", ActorRefs.NoSender);
        Console.WriteLine("READY");
        await Console.In.ReadToEndAsync();
        timer.Cancel();
        await system.Terminate();
        return 0;
    }
}
