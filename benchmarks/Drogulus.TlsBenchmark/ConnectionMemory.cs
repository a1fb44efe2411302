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
/// again after the busy phase, idle after one large reply on every connection (a findvalue answered with an item of
/// <c>--large-bytes</c>, default 48 KiB), and that after <c>malloc_trim</c>; each split into GC heap, malloc heap and the rest
/// (<see cref="ProcessMemory"/>). The clients share <c>--client-identities</c> identities (default 1): .NET keeps one
/// OpenSSL SSL_CTX per certificate and direction, so with one identity the SSL_CTX is a cost per node, as in a real
/// node, and not per connection; with K identities every client connection brings its own SSL_CTX as well. A warm-up
/// connection is made before the baseline so that one-time costs (SSL_CTX, OpenSSL's tables, JIT) are not counted.
/// </summary>
internal static class ConnectionMemory
{
    /// <param name="holdSeconds">When above 0, the run waits this long at the baseline and when idle, saying so, so that a heap
    /// dump can be taken of each (<c>dotnet-gcdump collect -p PID</c>).</param>
    public static async Task<Dictionary<string, object>> RunAsync(int count, int clientIdentities, int largeBytes, string extraHocon, int holdSeconds, TimeSpan timeout)
    {
        // The server transport holds every connection: max-connections (256 by default) would close the idle longest.
        var settings = DrogulusConfig.SettingsFrom($"drogulus {{ transport = \"tls\", request-timeout = 60s, max-connections = {Math.Max(256, count + 16)}\n{extraHocon} }}");
        // BENCH_AKKA adds actor-system settings, e.g. "akka.io.tcp.maximum-frame-size = 1k" (Akka.IO's receive buffer per connection).
        var system = ActorSystem.Create("tls-memory", (Environment.GetEnvironmentVariable("BENCH_AKKA") ?? "") + "\nakka.loglevel = WARNING");
        var server = NodeIdentity.Generate(DateTimeOffset.UtcNow);
        var inbox = Inbox.Create(system);
        var large = Drogulus.Core.Items.SignedItem.Create(
            Drogulus.Core.Items.PublisherKey.Generate(), "large", new string('x', largeBytes), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 0);
        var echo = system.ActorOf(EchoNode.Props(inbox.Receiver, large));
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
        var descriptorsBefore = Measure.OpenDescriptors();
        await Hold("baseline", holdSeconds);
        var ends = 2.0 * count;
        foreach (var batch in clients.Chunk(32))
        {
            await Ping(batch, to, timeout);
        }

        await Task.Delay(1000);
        var idle = ProcessMemory.Take();
        // Each connection end is one socket of this process: the descriptors opened since the baseline count them.
        var open = Measure.OpenDescriptors() - descriptorsBefore;
        Console.WriteLine($"{count} connections, {identities.Length} client identities, {open} sockets opened; per connection end (both ends in this process):");
        if (Math.Abs(open - (2 * count)) > Math.Max(4, count / 50))
        {
            Console.WriteLine($"  warning: {open} descriptors opened, not {2 * count}: the figures per end are off");
        }

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
        foreach (var batch in clients.Chunk(32))
        {
            await Ask(batch, to, new FindValueMessage("", Key.Zero, 0, "", large.Key), timeout);
        }

        await Task.Delay(1000);
        var afterLarge = ProcessMemory.Take();
        Console.WriteLine($"  idle after {largeBytes / 1024} KiB reply: {afterLarge.Describe(before, ends)}");
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
        results["memory_large_bytes"] = largeBytes;
        results["memory_open_ends_when_idle"] = open;
        foreach (var (phase, snapshot) in new[] { ("idle", idle), ("busy", busy), ("idle_after_busy", after), ("idle_after_large", afterLarge), ("trimmed", trimmed) })
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

    private static Task Ping(IEnumerable<IActorRef> clients, PeerAddress to, TimeSpan timeout) =>
        Ask(clients, to, new PingMessage("", Key.Zero, 0, ""), timeout);

    private static async Task Ask(IEnumerable<IActorRef> clients, PeerAddress to, Message request, TimeSpan timeout)
    {
        var outcomes = await Task.WhenAll(clients.Select(client => client.Ask<IRpcOutcome>((Func<IActorRef, object>)(r => new SendRequest(to, request, r)), timeout, CancellationToken.None)));
        if (outcomes.Any(o => o is not RpcReplied))
        {
            Console.WriteLine($"  {outcomes.Count(o => o is not RpcReplied)} {request.WireName} requests failed: {outcomes.First(o => o is not RpcReplied)}");
        }
    }
}
