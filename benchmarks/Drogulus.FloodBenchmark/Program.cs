using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using Drogulus.FloodBenchmark;
using static Drogulus.Actors.Network.TransportProtocol;

// The flood benchmark of issue 10: one TLS node on 127.0.0.1 with a SQLite store, in a child process, under
// one flood client per attack (findvalue hits, replayed identical stores, big-exponent RSA keys, many publisher
// keys writing max-size items, then all at once) while a well-behaved client measures store ("put") and
// findvalue ("get") round trips; after each phase the node's RSS and store size are printed against the quotas.
//   dotnet run -c Release --project benchmarks/Drogulus.FloodBenchmark -- [--seconds 10] [--limits bounded|lifted]
//       [--max-store-bytes 64MiB] [--in-flight 16] [--json FILE]
// --limits lifted sets every store bound of issue 10 that is a setting near its maximum (max-frame-size 1 MiB for max-item-size,
// max-store-bytes, max-items-per-publisher, max-rsa-key-bits, access-time-batch = 1), the "before" figures.
if (args is ["--serve", var serveDirectory, var serveHocon])
{
    return await NodeProcess.Serve(serveDirectory, serveHocon);
}

if (Environment.GetEnvironmentVariable(NodeProcess.ChildVariable) is not null)
{
    Console.Error.WriteLine($"the node process got unexpected arguments: {string.Join(' ', args)}");
    return 2;
}

// The attack rows of fair shares and ageing (PROTOCOL §3, §6): a live command-line node and its neighbour, see StoreFill.
//   dotnet run -c Release --project benchmarks/Drogulus.FloodBenchmark -- --attack store-fill [--seconds 120]
//       [--quiet-seconds 20] [--in-flight 8] [--addresses 1,8,64] [--max-item-age 7m] [--replicate-interval 60s] [--json FILE]
if (Option("--attack") == "store-fill")
{
    return await StoreFill.Run(args);
}

// The attack table of admission and rate (PROTOCOL §5): a live command-line node, a well-behaved client, one attack a row, see AdmissionAttack.
//   dotnet run -c Release --project benchmarks/Drogulus.FloodBenchmark -- --attack admission [--seconds 30] [--quiet-seconds 15]
//       [--after-seconds 60] [--warmup-seconds 10] [--rows 1,2,3,4,5,6] [--reconnect on|off] [--json FILE]
if (Option("--attack") == "admission")
{
    return await AdmissionAttack.Run(args);
}

var seconds = IntOption("--seconds", 10);
var inFlight = IntOption("--in-flight", 16);
var lifted = (Option("--limits") ?? "bounded") == "lifted";
var maxStoreBytes = Option("--max-store-bytes") ?? "64 MiB";
var jsonPath = Option("--json");
var timeout = TimeSpan.FromSeconds(30);
var limits = lifted
    ? "max-frame-size = 1 MiB, max-item-size = 1008 KiB, max-store-bytes = 1 TiB, max-items-per-publisher = 100000000, max-rsa-key-bits = 16384, access-time-batch = 1"
    : $"max-store-bytes = {maxStoreBytes}, max-items-per-publisher = 100";
var hocon = $"drogulus {{ transport = tls, listen.host = \"127.0.0.1\", listen.port = 0, request-timeout = 30s, {limits} }}";
var nodeSettings = DrogulusConfig.SettingsFrom(hocon);
var directory = Directory.CreateTempSubdirectory("drogulus-flood-").FullName;
Console.WriteLine($"limits {(lifted ? "lifted" : "bounded")}: max-item-size {nodeSettings.MaxItemSize:N0} B, max-store-bytes {nodeSettings.MaxStoreBytes:N0} B, " +
    $"max-items-per-publisher {nodeSettings.MaxItemsPerPublisher:N0}, max-rsa-key-bits {nodeSettings.MaxRsaKeyBits}, access-time-batch {nodeSettings.AccessTimeBatch}; store in {directory}");

await using var node = await NodeProcess.Start(hocon, directory);
var colon = node.Endpoint.LastIndexOf(':');
var target = new PeerAddress(node.Endpoint[..colon], int.Parse(node.Endpoint[(colon + 1)..], CultureInfo.InvariantCulture), node.Id);
var clientSettings = DrogulusConfig.SettingsFrom("drogulus { transport = tls, listen.host = \"127.0.0.1\", request-timeout = 30s }");
using var system = ActorSystem.Create("flood", "akka.loglevel = ERROR\nakka.log-dead-letters = off");
IActorRef Transport() => system.ActorOf(new TlsTransport().Props(NodeIdentity.Generate(DateTimeOffset.UtcNow), clientSettings, system.ActorOf(Responder.Props()), system.ActorOf(Responder.Props())));

var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
Console.WriteLine("generating publisher keys...");
var floodKeys = Enumerable.Range(0, 40).AsParallel().Select(_ => PublisherKey.Generate()).ToArray();
using var honestKey = PublisherKey.Generate();
using var setupKey = PublisherKey.Generate();
var bigExponent = Attacks.BigExponent(timestamp);

// Items the findvalue and replay floods need the node to hold, stored by a setup client.
var setup = Transport();
var held = Enumerable.Range(0, 100).Select(i => SignedItem.Create(setupKey, $"held {i}", $"value {i}", timestamp, 0)).ToArray();
foreach (var item in held)
{
    await Request(setup, Attacks.Store(item));
}

var attacks = new Dictionary<string, Func<Func<long, Message>>>
{
    ["findvalue-hits"] = () => Attacks.FindValueHits(held),
    ["replayed-store"] = () => Attacks.Replay(held[0]),
    ["big-exponent"] = () => bigExponent,
    ["max-size-items"] = () => Attacks.BigItems(floodKeys, nodeSettings.MaxItemSize, timestamp),
};
var phases = new List<(string Name, string[] Attacks)> { ("baseline", []) };
phases.AddRange(attacks.Keys.Select(a => (a, new[] { a })));
phases.Add(("all", attacks.Keys.ToArray()));

var probeTransport = Transport();
var results = new List<Dictionary<string, object>>();
var probeCount = 0;
foreach (var (name, phaseAttacks) in phases)
{
    var floods = phaseAttacks.Select(a => system.ActorOf(FloodClient.Props(Transport(), target, inFlight, attacks[a]()))).ToArray();
    foreach (var flood in floods)
    {
        flood.Tell(new FloodClient.Start());
    }

    var puts = new List<double>();
    var gets = new List<double>();
    var probeErrors = new Dictionary<string, int>();
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
    {
        // Fifty names overwritten with ever newer timestamps: the probe stays within its publisher quota.
        var item = SignedItem.Create(honestKey, $"probe {probeCount % 50}", "a well-behaved value", timestamp + (probeCount++ / 1000.0), 0);
        var (put, putMs) = await Timed(probeTransport, Attacks.Store(item));
        puts.Add(putMs);
        var (get, getMs) = await Timed(probeTransport, new FindValueMessage("", default, 0, "", item.Key));
        gets.Add(getMs);
        foreach (var outcome in new[] { put, get }.Where(o => o is not (RpcReplied { Reply: PongMessage or ValueMessage })))
        {
            var kind = outcome is RpcReplied { Reply: ErrorMessage e } ? $"error {(int)e.Code}" : outcome.GetType().Name;
            probeErrors[kind] = probeErrors.GetValueOrDefault(kind) + 1;
        }
    }

    var elapsed = clock.Elapsed.TotalSeconds;
    var counts = await Task.WhenAll(floods.Select(f => f.Ask<FloodClient.Counts>(new FloodClient.Stop(), timeout)));
    await Task.Delay(500);
    var (rss, peak) = node.Memory();
    var result = new Dictionary<string, object>
    {
        ["phase"] = name,
        ["seconds"] = Math.Round(elapsed, 1),
        ["put_p50_ms"] = Percentile(puts, 0.50),
        ["put_p99_ms"] = Percentile(puts, 0.99),
        ["get_p50_ms"] = Percentile(gets, 0.50),
        ["get_p99_ms"] = Percentile(gets, 0.99),
        ["probe_round_trips"] = puts.Count + gets.Count,
        ["probe_errors"] = probeErrors,
        ["flood_requests_per_second"] = Math.Round(counts.Sum(c => c.Sent) / elapsed),
        ["flood_outcomes"] = counts.SelectMany(c => c.Outcomes).GroupBy(o => o.Key).ToDictionary(g => g.Key, g => g.Sum(o => o.Value)),
        ["node_rss_mib"] = Math.Round(rss / 1048576.0, 1),
        ["node_peak_rss_mib"] = Math.Round(peak / 1048576.0, 1),
        ["store_disk_mib"] = Math.Round(node.DiskBytes / 1048576.0, 1),
        ["max_store_mib"] = Math.Round(nodeSettings.MaxStoreBytes / 1048576.0, 1),
        ["items_held"] = await node.Items(),
    };
    results.Add(result);
    Console.WriteLine($"{name,-15} put p50 {result["put_p50_ms"],6:F2} ms p99 {result["put_p99_ms"],7:F2} ms | get p50 {result["get_p50_ms"],6:F2} ms p99 {result["get_p99_ms"],7:F2} ms" +
        $" | flood {result["flood_requests_per_second"],6}/s {JsonSerializer.Serialize(result["flood_outcomes"])} | probe errors {JsonSerializer.Serialize(probeErrors)}" +
        $" | node RSS {result["node_rss_mib"]} MiB (peak {result["node_peak_rss_mib"]}) | disk {result["store_disk_mib"]} MiB of max-store-bytes {result["max_store_mib"]} MiB | {result["items_held"]} items");
    foreach (var flood in floods)
    {
        system.Stop(flood);
    }
}

if (jsonPath is not null)
{
    var document = new Dictionary<string, object>
    {
        ["limits"] = lifted ? "lifted" : "bounded",
        ["node_settings"] = hocon,
        ["seconds_per_phase"] = seconds,
        ["in_flight_per_flood_client"] = inFlight,
        ["processors"] = Environment.ProcessorCount,
        ["phases"] = results,
    };
    await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"wrote {jsonPath}");
}

await system.Terminate();
foreach (var key in floodKeys)
{
    key.Dispose();
}

Directory.Delete(directory, recursive: true);
return 0;

async Task<IRpcOutcome> Request(IActorRef transport, Message message) =>
    await transport.Ask<IRpcOutcome>((Func<IActorRef, object>)(r => new SendRequest(target, message, r)), timeout, CancellationToken.None);

async Task<(IRpcOutcome Outcome, double Ms)> Timed(IActorRef transport, Message message)
{
    var started = Stopwatch.GetTimestamp();
    var outcome = await Request(transport, message);
    return (outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
}

static double Percentile(List<double> values, double p)
{
    if (values.Count == 0)
    {
        return double.NaN;
    }

    var sorted = values.Order().ToList();
    return Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 2);
}

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int IntOption(string name, int fallback) => Option(name) is { } text && int.TryParse(text, out var value) ? value : fallback;
