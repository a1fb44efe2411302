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
    /// <summary>Median round trips per second for each in-flight count, over <paramref name="runs"/> runs of <paramref name="duration"/>.</summary>
    public static async Task<Dictionary<int, double>> Measure(int[] inFlights, int runs, TimeSpan duration, TimeSpan timeout)
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { transport = \"tls\", request-timeout = 30s }");
        var system = ActorSystem.Create("peer-bench-transport", "akka.loglevel = WARNING");
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
            var results = new Dictionary<int, double>();
            foreach (var inFlight in inFlights)
            {
                var rates = new List<double>();
                for (var run = 0; run < runs; run++)
                {
                    var pinger = system.ActorOf(Pinger.Props(client, target, inFlight));
                    var clock = Stopwatch.StartNew();
                    pinger.Tell(new Pinger.Start());
                    await Task.Delay(duration);
                    var counts = await pinger.Ask<Pinger.Counts>(new Pinger.Stop(), timeout);
                    rates.Add(counts.Replies / clock.Elapsed.TotalSeconds);
                    await Task.Delay(200);
                    await pinger.GracefulStop(timeout);
                }

                results[inFlight] = Stats.Median(rates);
            }

            return results;
        }
        finally
        {
            await system.Terminate();
        }
    }
}
