using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.TlsBenchmark;

/// <summary>
/// What one TLS connection holds (issue 9): K client transports each open one connection to one server transport in
/// this process, so 2K connection ends (SslStream, buffers, Akka.IO connection, actors) appear at once. Figures are per
/// connection end: idle (after one ping each, nothing in flight) and busy (4 pings in flight on every connection).
/// </summary>
internal static class ConnectionMemory
{
    public static async Task<Dictionary<string, object>> RunAsync(int count, TimeSpan timeout)
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { transport = \"tls\", request-timeout = 60s }");
        var system = ActorSystem.Create("tls-memory", "akka.loglevel = WARNING");
        var server = NodeIdentity.Generate(DateTimeOffset.UtcNow);
        var inbox = Inbox.Create(system);
        var echo = system.ActorOf(EchoNode.Props(inbox.Receiver));
        system.ActorOf(new TlsTransport().Props(server, settings, echo, echo));
        var port = ((TransportReady)await inbox.ReceiveAsync(timeout)).Port;
        var to = new PeerAddress("127.0.0.1", port, server.Id);
        var clients = new List<IActorRef>();
        for (var i = 0; i < count; i++)
        {
            var node = system.ActorOf(EchoNode.Props(inbox.Receiver));
            clients.Add(system.ActorOf(new TlsTransport().Props(NodeIdentity.Generate(DateTimeOffset.UtcNow), settings, node, node)));
            await inbox.ReceiveAsync(timeout);
        }

        var managed0 = Measure.ManagedAfterFullGc();
        var resident0 = Measure.ResidentBytes();
        foreach (var batch in clients.Chunk(32))
        {
            var outcomes = await Task.WhenAll(batch.Select(client => client.Ask<IRpcOutcome>((Func<IActorRef, object>)(r => new SendRequest(to, new PingMessage("", Key.Zero, 0, ""), r)), timeout, CancellationToken.None)));
            if (outcomes.Any(o => o is not RpcReplied))
            {
                Console.WriteLine($"  {outcomes.Count(o => o is not RpcReplied)} first pings failed");
            }
        }

        await Task.Delay(1000);
        var idleManaged = (Measure.ManagedAfterFullGc() - managed0) / (2.0 * count);
        var idleResident = (Measure.ResidentBytes() - resident0) / (2.0 * count);

        var pingers = clients.Select(client => system.ActorOf(Pinger.Props(client, to, 4))).ToList();
        pingers.ForEach(p => p.Tell(new Pinger.Start()));
        await Task.Delay(1500);
        var busyManaged = (Measure.ManagedAfterFullGc() - managed0) / (2.0 * count);
        var busyResident = (Measure.ResidentBytes() - resident0) / (2.0 * count);
        long replies = 0;
        foreach (var pinger in pingers)
        {
            replies += (await pinger.Ask<Pinger.Counts>(new Pinger.Stop(), timeout)).Replies;
        }

        Console.WriteLine($"per connection end, {count} connections (both ends in this process): idle managed {idleManaged / 1024:F1} KiB, resident {idleResident / 1024:F1} KiB; busy (4 in flight) managed {busyManaged / 1024:F1} KiB, resident {busyResident / 1024:F1} KiB ({replies} replies while busy)");
        await system.Terminate();
        return new Dictionary<string, object>
        {
            ["memory_connections"] = count,
            ["idle_managed_bytes_per_connection_end"] = idleManaged,
            ["idle_resident_bytes_per_connection_end"] = idleResident,
            ["busy_managed_bytes_per_connection_end"] = busyManaged,
            ["busy_resident_bytes_per_connection_end"] = busyResident,
        };
    }
}
