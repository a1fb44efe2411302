using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using Drogulus.TlsBenchmark;
using static Drogulus.Actors.Network.TransportProtocol;

// The TLS transport benchmark: round trips per second over one connection, handshake cost, and get/put
// latency and memory per node in a network of TLS nodes on loopback. Usage:
//   dotnet run -c Release --project benchmarks/Drogulus.TlsBenchmark -- [--nodes 100] [--runs 3] [--seconds 3] [--json FILE]
//   ... -- --mode storm --nodes 200 --items 500 [--hocon "max-connections = 64"]   (issue 9: join storm on one seed)
//   ... -- --mode handshakes [--handshakes 1000]   (issue 21: CPU per full and resumed handshake, its parts, the openssl floor)
//   ... -- --mode memory --connections 500 [--client-identities 1] [--large-bytes 49152] [--hold-seconds S]   (issue 9: memory per connection)
var nodeCount = IntOption("--nodes", 100);
var runs = IntOption("--runs", 3);
var seconds = IntOption("--seconds", 3);
var jsonPath = Option("--json");
var results = new Dictionary<string, object>
{
    ["processors"] = Environment.ProcessorCount,
    ["runs"] = runs,
};

var timeoutOption = TimeSpan.FromSeconds(IntOption("--timeout", 60));
switch (Option("--mode"))
{
    case "storm":
        // Issue 9: N nodes join one seed at once; --items M put and read back; --hocon adds node settings.
        foreach (var (key, value) in await JoinStorm.RunAsync(nodeCount, IntOption("--items", 500), Option("--hocon") ?? "", timeoutOption))
        {
            results[key] = value;
        }

        await WriteJson();
        return 0;
    case "handshakes":
        // Issue 21 item 3: CPU per full and resumed handshake for both ends, the parts around OpenSSL, the floor.
        foreach (var (key, value) in await Handshakes.RunAsync(IntOption("--handshakes", 1000)))
        {
            results[key] = value;
        }

        await WriteJson();
        return 0;
    case "memory":
        // Issue 9: what an idle and a busy connection hold; --connections K, the clients sharing --client-identities.
        foreach (var (key, value) in await ConnectionMemory.RunAsync(IntOption("--connections", 500), IntOption("--client-identities", 1), IntOption("--large-bytes", 48 * 1024), Option("--hocon") ?? "", IntOption("--hold-seconds", 0), timeoutOption))
        {
            results[key] = value;
        }

        await WriteJson();
        return 0;
}

var settings = DrogulusConfig.SettingsFrom("drogulus { transport = \"tls\", request-timeout = 30s }");
var system = ActorSystem.Create("tls-benchmark", Environment.GetEnvironmentVariable("BENCH_AKKA") ?? "akka.loglevel = WARNING");
var timeout = TimeSpan.FromSeconds(IntOption("--timeout", 60));

var (serverIdentity, serverPort) = await StartEcho(system, settings);
var clientReady = system.ActorOf(EchoNode.Props(ActorRefs.Nobody));
var client = system.ActorOf(new TlsTransport().Props(NodeIdentity.Generate(DateTimeOffset.UtcNow), settings, clientReady, clientReady));
var target = new PeerAddress("127.0.0.1", serverPort, serverIdentity.Id);

foreach (var inFlight in new[] { 1, 16 })
{
    var rates = new List<double>();
    for (var run = 0; run < runs; run++)
    {
        rates.Add(await RoundTrips(system, client, target, inFlight, TimeSpan.FromSeconds(seconds)));
    }

    var median = Median(rates);
    results[$"round_trips_per_second_{inFlight}_in_flight"] = median;
    Console.WriteLine($"round trips/s, {inFlight,2} in flight: {median,10:N0} (runs: {string.Join(", ", rates.Select(r => r.ToString("N0")))})");
}

var handshakes = new List<double>();
for (var run = 0; run < runs; run++)
{
    handshakes.Add(await HandshakeMilliseconds(system, settings, target, 20));
}

results["new_connection_first_round_trip_ms"] = Median(handshakes);
Console.WriteLine($"new connection (connect + TLS handshake + first ping), median: {Median(handshakes):F2} ms (runs: {string.Join(", ", handshakes.Select(h => h.ToString("F2")))})");

await system.Terminate();

await NetworkRun(nodeCount, results);

await WriteJson();
return 0;

async Task WriteJson()
{
    if (jsonPath is not null)
    {
        await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {jsonPath}");
    }
}

async Task<(NodeIdentity Identity, int Port)> StartEcho(ActorSystem sys, DrogulusSettings s)
{
    var identity = NodeIdentity.Generate(DateTimeOffset.UtcNow);
    var ready = new TaskCompletionSource<TransportReady>();
    var inbox = Inbox.Create(sys);
    var echo = sys.ActorOf(EchoNode.Props(inbox.Receiver));
    sys.ActorOf(new TlsTransport().Props(identity, s, echo, echo));
    var r = (TransportReady)await inbox.ReceiveAsync(timeout);
    return (identity, r.Port);
}

async Task<double> RoundTrips(ActorSystem sys, IActorRef transport, PeerAddress to, int inFlight, TimeSpan duration)
{
    // Warm the connection first so that the handshake is not counted.
    await transport.Ask<IRpcOutcome>((Func<IActorRef, object>)(r => new SendRequest(to, new PingMessage("", Key.Zero, 0, ""), r)), timeout, CancellationToken.None);
    var pinger = sys.ActorOf(Pinger.Props(transport, to, inFlight));
    var clock = Stopwatch.StartNew();
    pinger.Tell(new Pinger.Start());
    await Task.Delay(duration);
    var counts = await pinger.Ask<Pinger.Counts>(new Pinger.Stop(), timeout);
    var elapsed = clock.Elapsed.TotalSeconds;
    await Task.Delay(200);
    await pinger.GracefulStop(timeout);
    if (counts.Failures > 0)
    {
        Console.WriteLine($"  ({counts.Failures} failed requests)");
    }

    return counts.Replies / elapsed;
}

async Task<double> HandshakeMilliseconds(ActorSystem sys, DrogulusSettings s, PeerAddress to, int count)
{
    var samples = new List<double>();
    for (var i = 0; i < count; i++)
    {
        var node = sys.ActorOf(EchoNode.Props(ActorRefs.Nobody));
        var transport = sys.ActorOf(new TlsTransport().Props(NodeIdentity.Generate(DateTimeOffset.UtcNow), s, node, node));
        var clock = Stopwatch.StartNew();
        var outcome = await transport.Ask<IRpcOutcome>((Func<IActorRef, object>)(r => new SendRequest(to, new PingMessage("", Key.Zero, 0, ""), r)), timeout, CancellationToken.None);
        samples.Add(clock.Elapsed.TotalMilliseconds);
        if (outcome is not RpcReplied)
        {
            Console.WriteLine($"  handshake sample failed: {outcome}");
        }

        await transport.GracefulStop(timeout);
        sys.Stop(node);
    }

    return Median(samples);
}

async Task NetworkRun(int count, Dictionary<string, object> into)
{
    var nodeSettings = DrogulusConfig.SettingsFrom("drogulus { transport = \"tls\" }");
    var sys = ActorSystem.Create("tls-network", "akka.loglevel = WARNING");
    var publisher = PublisherKey.Generate();
    var now = DateTimeOffset.UtcNow;
    var identities = Enumerable.Range(0, count).Select(_ => NodeIdentity.Generate(now)).ToArray();
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var clock = Stopwatch.StartNew();
    var nodes = identities.Select((identity, i) => sys.ActorOf(NodeActor.Props(nodeSettings, identity, new TlsTransport(), seed: i))).ToArray();
    var seed = await nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, timeout);
    foreach (var node in nodes.Skip(1))
    {
        if (await node.Ask<object>(new Join([seed.Endpoint]), timeout) is not Joined)
        {
            Console.WriteLine("  a node failed to join");
        }
    }

    var joinSeconds = clock.Elapsed.TotalSeconds;
    var random = new Random(1);
    const int itemCount = 200;
    var items = Enumerable.Range(0, itemCount).Select(i => SignedItem.Create(publisher, "item-" + i, "value " + i, now.ToUnixTimeSeconds(), 0)).ToArray();
    var putLatencies = new List<double>();
    foreach (var item in items)
    {
        var started = Stopwatch.GetTimestamp();
        var reply = await nodes[random.Next(count)].Ask<object>(new Put(item), timeout);
        putLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (reply is not PutCompleted)
        {
            Console.WriteLine($"  put failed: {reply}");
        }
    }

    var getLatencies = new List<double>();
    var remoteGetLatencies = new List<double>();
    var found = 0;
    foreach (var item in items)
    {
        var started = Stopwatch.GetTimestamp();
        var reply = await nodes[random.Next(count)].Ask<object>(new Get(item.Key), timeout);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        getLatencies.Add(elapsed);
        found += reply is ValueFound ? 1 : 0;
        if (reply is ValueFound { Stats.RpcsSent: > 0 })
        {
            remoteGetLatencies.Add(elapsed);
        }
    }

    GC.Collect();
    GC.WaitForPendingFinalizers();
    var after = GC.GetTotalMemory(forceFullCollection: true);
    var perNode = (after - before) / (double)count;
    var connections = 0;
    foreach (var node in nodes)
    {
        connections += (await node.Ask<NodeStatus>(GetNodeStatus.Instance, timeout)).Connections;
    }

    into["nodes"] = count;
    into["join_seconds"] = joinSeconds;
    into["put_p50_ms"] = Percentile(putLatencies, 0.50);
    into["put_p99_ms"] = Percentile(putLatencies, 0.99);
    into["get_p50_ms"] = Percentile(getLatencies, 0.50);
    into["get_p99_ms"] = Percentile(getLatencies, 0.99);
    into["get_found"] = found;
    into["remote_gets"] = remoteGetLatencies.Count;
    if (remoteGetLatencies.Count > 0)
    {
        into["remote_get_p50_ms"] = Percentile(remoteGetLatencies, 0.50);
        into["remote_get_p99_ms"] = Percentile(remoteGetLatencies, 0.99);
        Console.WriteLine($"get latency when not held locally (a findvalue lookup): p50 {Percentile(remoteGetLatencies, 0.50):F2} ms, p99 {Percentile(remoteGetLatencies, 0.99):F2} ms ({remoteGetLatencies.Count} gets)");
    }

    into["items"] = itemCount;
    into["managed_bytes_per_node"] = perNode;
    into["connections_per_node"] = connections / (double)count;
    Console.WriteLine($"{count} TLS nodes joined in {joinSeconds:F1} s; {connections / (double)count:F1} connections per node");
    Console.WriteLine($"put latency p50 {Percentile(putLatencies, 0.50):F2} ms, p99 {Percentile(putLatencies, 0.99):F2} ms ({itemCount} puts, one at a time)");
    Console.WriteLine($"get latency p50 {Percentile(getLatencies, 0.50):F2} ms, p99 {Percentile(getLatencies, 0.99):F2} ms ({found}/{itemCount} found)");
    Console.WriteLine($"managed memory per node: {perNode / 1024:F0} KiB (GC heap after join, puts and gets, divided by {count})");
    await sys.Terminate();
}

static double Median(List<double> values) => Percentile(values, 0.5);

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    var index = (int)Math.Ceiling(p * sorted.Count) - 1;
    return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
}

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int IntOption(string name, int fallback) => Option(name) is { } text && int.TryParse(text, out var value) ? value : fallback;
