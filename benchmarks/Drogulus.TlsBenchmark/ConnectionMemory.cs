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
/// connection end: idle (after one ping each, nothing in flight), busy (4 pings in flight on every connection), idle
/// again after the busy phase, and that after <c>malloc_trim</c>; each split into GC heap, malloc heap and the rest
/// (<see cref="ProcessMemory"/>). The clients share <c>--client-identities</c> identities (default 1): .NET keeps one
/// OpenSSL SSL_CTX per certificate and direction, so with one identity the SSL_CTX is a cost per node, as in a real
/// node, and not per connection; with K identities every client connection brings its own SSL_CTX as well. A warm-up
/// connection is made before the baseline so that one-time costs (SSL_CTX, OpenSSL's tables, JIT) are not counted.
/// </summary>
internal static class ConnectionMemory
{
    /// <param name="holdSeconds">When above 0, the run waits this long at the baseline and when idle, saying so, so that a heap
    /// dump can be taken of each (<c>dotnet-gcdump collect -p PID</c>).</param>
    public static async Task<Dictionary<string, object>> RunAsync(int count, int clientIdentities, string extraHocon, int holdSeconds, TimeSpan timeout)
    {
        var settings = DrogulusConfig.SettingsFrom($"drogulus {{ transport = \"tls\", request-timeout = 60s\n{extraHocon} }}");
        // BENCH_AKKA adds actor-system settings, e.g. "akka.io.tcp.maximum-frame-size = 1k" (Akka.IO's receive buffer per connection).
        var system = ActorSystem.Create("tls-memory", (Environment.GetEnvironmentVariable("BENCH_AKKA") ?? "") + "\nakka.loglevel = WARNING");
        var server = NodeIdentity.Generate(DateTimeOffset.UtcNow);
        var inbox = Inbox.Create(system);
        var echo = system.ActorOf(EchoNode.Props(inbox.Receiver));
        system.ActorOf(new TlsTransport().Props(server, settings, echo, echo));
        var port = ((TransportReady)await inbox.ReceiveAsync(timeout)).Port;
        var to = new PeerAddress("127.0.0.1", port, server.Id);
        var identities = Enumerable.Range(0, Math.Clamp(clientIdentities, 1, count)).Select(_ => NodeIdentity.Generate(DateTimeOffset.UtcNow)).ToArray();
        var clients = new List<IActorRef>();
        for (var i = 0; i <= count; i++)
        {
            var node = system.ActorOf(EchoNode.Props(inbox.Receiver));
            clients.Add(system.ActorOf(new TlsTransport().Props(identities[i % identities.Length], settings, node, node)));
            await inbox.ReceiveAsync(timeout);
        }

        // The warm-up connection: the first of the process pays for the SSL_CTX of each identity and direction.
        var warmUp = clients[^1];
        clients.RemoveAt(clients.Count - 1);
        await Ping([warmUp], to, timeout);
        await Task.Delay(500);
        var before = ProcessMemory.Take();
        await Hold("baseline", holdSeconds);
        var ends = 2.0 * count;
        foreach (var batch in clients.Chunk(32))
        {
            await Ping(batch, to, timeout);
        }

        await Task.Delay(1000);
        var idle = ProcessMemory.Take();
        Console.WriteLine($"{count} connections, {identities.Length} client identities; per connection end (both ends in this process):");
        Console.WriteLine($"  idle:              {idle.Describe(before, ends)}");
        await Hold("idle", holdSeconds);

        var pingers = clients.Select(client => system.ActorOf(Pinger.Props(client, to, 4))).ToList();
        pingers.ForEach(p => p.Tell(new Pinger.Start()));
        await Task.Delay(1500);
        var busy = ProcessMemory.Take();
        Console.WriteLine($"  busy (4 in flight): {busy.Describe(before, ends)}");
        long replies = 0;
        foreach (var pinger in pingers)
        {
            replies += (await pinger.Ask<Pinger.Counts>(new Pinger.Stop(), timeout)).Replies;
        }

        await Task.Delay(1000);
        var after = ProcessMemory.Take();
        Console.WriteLine($"  idle after busy:   {after.Describe(before, ends)}");
        ProcessMemory.Trim();
        var trimmed = ProcessMemory.Take();
        Console.WriteLine($"  and malloc_trim:   {trimmed.Describe(before, ends)}");
        Console.WriteLine($"  ({replies} replies while busy)");
        await system.Terminate();
        var results = new Dictionary<string, object>
        {
            ["memory_connections"] = count,
            ["memory_client_identities"] = identities.Length,
            ["idle_managed_bytes_per_connection_end"] = idle.PerEnd(before, ends)["gc_live"],
            ["idle_resident_bytes_per_connection_end"] = idle.PerEnd(before, ends)["resident"],
            ["busy_managed_bytes_per_connection_end"] = busy.PerEnd(before, ends)["gc_live"],
            ["busy_resident_bytes_per_connection_end"] = busy.PerEnd(before, ends)["resident"],
            ["busy_replies"] = replies,
        };
        foreach (var (phase, snapshot) in new[] { ("idle", idle), ("busy", busy), ("idle_after_busy", after), ("trimmed", trimmed) })
        {
            foreach (var (key, value) in snapshot.PerEnd(before, ends))
            {
                results[$"{phase}_{key}_bytes_per_connection_end"] = value;
            }

            results[$"{phase}_malloc_arenas"] = snapshot.Arenas;
            results[$"{phase}_threads"] = snapshot.Threads;
        }

        return results;
    }

    private static async Task Hold(string phase, int seconds)
    {
        if (seconds > 0)
        {
            Console.WriteLine($"  holding {seconds} s at {phase}: process {Environment.ProcessId}");
            await Task.Delay(TimeSpan.FromSeconds(seconds));
        }
    }

    private static async Task Ping(IEnumerable<IActorRef> clients, PeerAddress to, TimeSpan timeout)
    {
        var outcomes = await Task.WhenAll(clients.Select(client => client.Ask<IRpcOutcome>((Func<IActorRef, object>)(r => new SendRequest(to, new PingMessage("", Key.Zero, 0, ""), r)), timeout, CancellationToken.None)));
        if (outcomes.Any(o => o is not RpcReplied))
        {
            Console.WriteLine($"  {outcomes.Count(o => o is not RpcReplied)} pings failed");
        }
    }
}
