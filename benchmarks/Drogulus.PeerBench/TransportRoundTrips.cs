using System.Diagnostics;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using Drogulus.TlsBenchmark;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.PeerBench;

/// <summary>
/// Round trips through the node's own TLS transport (two transport actors, one connection, pings answered by
/// an echo node), measured the way Drogulus.TlsBenchmark does, so they can be set against raw SslStream.
/// </summary>
internal static class TransportRoundTrips
{
    /// <summary>
    /// Median round trips per second for each in-flight count, over <paramref name="runs"/> runs of <paramref name="duration"/>,
    /// with what the median run cost the process per round trip (<see cref="PhaseProbe.Per"/>: CPU, thread-pool items, allocations).
    /// </summary>
    public static async Task<Dictionary<int, (double Rate, Dictionary<string, object> Cost)>> Measure(int[] inFlights, int runs, TimeSpan duration, TimeSpan timeout, PhaseProbe probe, AllocationSampler? allocations = null)
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { transport = \"tls\", request-timeout = 30s }");
        // BENCH_AKKA adds actor-system settings for an experiment (dispatcher, Akka.IO), as in the TLS benchmark.
        var system = ActorSystem.Create("peer-bench-transport", (Environment.GetEnvironmentVariable("BENCH_AKKA") ?? "") + "\nakka.loglevel = WARNING");
        try
        {
            var serverIdentity = NodeIdentity.Generate(DateTimeOffset.UtcNow);
            var inbox = Inbox.Create(system);
            var echo = system.ActorOf(EchoNode.Props(inbox.Receiver));
            system.ActorOf(new TlsTransport().Props(serverIdentity, settings, echo, echo));
            var ready = (TransportReady)await inbox.ReceiveAsync(timeout);
            var clientNode = system.ActorOf(EchoNode.Props(ActorRefs.Nobody));
            var client = system.ActorOf(new TlsTransport().Props(NodeIdentity.Generate(DateTimeOffset.UtcNow), settings, clientNode, clientNode));
            var target = new PeerAddress("127.0.0.1", ready.Port, serverIdentity.Id);

            // Warm the connection so that the handshake is not counted.
            await client.Ask<IRpcOutcome>((Func<IActorRef, object>)(r => new SendRequest(target, new PingMessage("", Key.Zero, 0, ""), r)), timeout, CancellationToken.None);
            var results = new Dictionary<int, (double Rate, Dictionary<string, object> Cost)>();
            foreach (var inFlight in inFlights)
            {
                var samples = new List<(double Rate, Dictionary<string, object> Cost)>();
                for (var run = 0; run < runs; run++)
                {
                    var pinger = system.ActorOf(Pinger.Props(client, target, inFlight));
                    allocations?.Start();
                    var before = probe.Snapshot();
                    var clock = Stopwatch.StartNew();
                    pinger.Tell(new Pinger.Start());
                    await Task.Delay(duration);
                    var counts = await pinger.Ask<Pinger.Counts>(new Pinger.Stop(), timeout);
                    var after = probe.Snapshot();
                    if (allocations?.Stop() is { } types)
                    {
                        Console.WriteLine($"  allocations by type, {inFlight} in flight (share of GC allocation ticks): " +
                            string.Join(", ", types.Take(25).Select(t => $"{t.Type} {t.Share:P0}")));
                    }

                    samples.Add((counts.Replies / clock.Elapsed.TotalSeconds, PhaseProbe.Per(before, after, (int)counts.Replies)));
                    await Task.Delay(200);
                    await pinger.GracefulStop(timeout);
                }

                results[inFlight] = samples.OrderBy(s => s.Rate).ElementAt(samples.Count / 2);
            }

            return results;
        }
        finally
        {
            await system.Terminate();
        }
    }
}
