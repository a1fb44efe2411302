using Drogulus.Actors.Configuration;
using System.Text.Json;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using Drogulus.PeerBench;

// The side-by-side benchmark (issue 13): the peer scripts' phases and JSON fields (shared/bench/peers) on
// N Drogulus nodes over TLS in one process (or spread over --processes P), plus raw SslStream round trips against the node transport's.
//   dotnet run -c Release --project benchmarks/Drogulus.PeerBench -- [--nodes 100] [--values 300]
//       [--concurrency 16] [--seed 12345] [--max-connections M] [--seconds 2] [--runs 3] [--json FILE]
//       [--hocon "node settings"] [--processes 1]
//       [--round-trips-only] [--in-flight 16] [--alloc-types]  (only the round trips, node transport against raw SslStream, with their cost per round trip, then exit)
//       [--handshakes-only]   (after the round trips: 4 × 200 raw TLS connections, system store vs empty custom root, then exit)
// Each phase's JSON has a "cost" object: TLS handshakes begun (dialling side), process CPU, thread-pool work
// items, allocations and GCs per operation (PhaseProbe), so that a slow phase can be told apart from a starved one.
// Every connection between two nodes of this process holds two descriptors (one per end): the process budget
// (process-max-connections, capped by `ulimit -n` minus descriptor-reserve) keeps them inside the limit and shares it
// fairly among the nodes, so max-connections is the node's default unless --max-connections is given (until issue 9's
// fair share it was chosen so that nodes × max-connections × 2 stayed 2 × nodes + 300 below `ulimit -n`: 48 at 200 nodes).
// --processes P spreads the N nodes over this process and P − 1 child processes (`--child`, see BenchNetwork), each with
// its own descriptor limit, as in a real network where every node is a process: one network, joined through node 0.
if (args.Contains("--child"))
{
    return await ChildHost.Run(IntOption("--first", 0), IntOption("--count", 1), IntOption("--max-connections", DrogulusConfig.SettingsFrom("").MaxConnections),
        IntOption("--seed", 12345), TimeSpan.FromSeconds(IntOption("--timeout", 60)), Option("--hocon") ?? "");
}

var nodes = IntOption("--nodes", 100);
var processes = Math.Clamp(IntOption("--processes", 1), 1, Math.Max(1, nodes));
var values = IntOption("--values", 300);
var concurrency = IntOption("--concurrency", 16);
var seed = IntOption("--seed", 12345);
var seconds = IntOption("--seconds", 2);
var runs = IntOption("--runs", 3);
var descriptorLimit = DescriptorLimit();
var maxConnections = IntOption("--max-connections", DrogulusConfig.SettingsFrom("").MaxConnections);
var jsonPath = Option("--json");
var timeout = TimeSpan.FromSeconds(IntOption("--timeout", 60));
var joinConcurrency = Math.Max(1, IntOption("--join-concurrency", 1));
Console.WriteLine($"{nodes} nodes in {processes} process(es), {values} values, seed {seed}; max-connections {maxConnections} (descriptor limit {descriptorLimit} per process; the process budget shares it among the process's nodes)");

var result = new Dictionary<string, object>
{
    ["peer"] = processes == 1 ? "drogulus (TLS, Akka.NET, one process)" : $"drogulus (TLS, Akka.NET, {processes} processes)",
    ["nodes"] = nodes,
    ["values"] = values,
    ["seed"] = seed,
    ["max_connections"] = maxConnections,
    ["descriptor_limit"] = descriptorLimit,
    ["processors"] = Environment.ProcessorCount,
    ["runtime"] = Environment.Version.ToString(),
};

// A ping as the node sends it (uuid, 64-byte node id, port, version), so raw frames are the same size.
var ping = NetstringFramer.Frame(MessageCodec.Encode(new PingMessage(Guid.NewGuid().ToString(), Key.Hash([1, 2, 3]), 40000, "0.1.0")));
var probe = new PhaseProbe();
// --in-flight 16 measures only that count (for a profiler); both 1 and 16 otherwise.
int[] inFlights = Option("--in-flight") is { } only ? [int.Parse(only, System.Globalization.CultureInfo.InvariantCulture)] : [1, 16];
// --alloc-types prints which types the node transport's round trips allocate (sampled GC allocation ticks).
using var allocationSampler = args.Contains("--alloc-types") ? new AllocationSampler() : null;
var transport = await TransportRoundTrips.Measure(inFlights, runs, TimeSpan.FromSeconds(seconds), timeout, probe, allocationSampler);
var raw = new Dictionary<(int InFlight, bool Coalesce), (double Rate, Dictionary<string, object> Cost)>();
await using (var pingPong = await RawTlsPingPong.Open(ping.Length - 4))
{
    foreach (var coalesce in new[] { false, true })
    {
        foreach (var inFlight in inFlights)
        {
            var samples = new List<(double Rate, Dictionary<string, object> Cost)>();
            for (var run = 0; run < runs; run++)
            {
                var before = probe.Snapshot();
                var (rate, count) = await pingPong.RoundTrips(inFlight, TimeSpan.FromSeconds(seconds), coalesce);
                samples.Add((rate, PhaseProbe.Per(before, probe.Snapshot(), (int)count)));
            }

            raw[(inFlight, coalesce)] = samples.OrderBy(s => s.Rate).ElementAt(samples.Count / 2);
        }
    }
}

var roundTrips = new Dictionary<string, object> { ["frame_bytes"] = ping.Length, ["runs"] = runs, ["seconds_per_run"] = seconds };
foreach (var inFlight in inFlights)
{
    var (single, singleCost) = raw[(inFlight, false)];
    var (batched, batchedCost) = raw[(inFlight, true)];
    var (node, nodeCost) = transport[inFlight];
    roundTrips[$"raw_sslstream_per_s_{inFlight}_in_flight"] = Math.Round(single);
    roundTrips[$"raw_sslstream_coalesced_per_s_{inFlight}_in_flight"] = Math.Round(batched);
    roundTrips[$"node_transport_per_s_{inFlight}_in_flight"] = Math.Round(node);
    roundTrips[$"fraction_of_raw_{inFlight}_in_flight"] = Math.Round(node / single, 3);
    roundTrips[$"fraction_of_raw_coalesced_{inFlight}_in_flight"] = Math.Round(node / batched, 3);
    roundTrips[$"raw_sslstream_cost_{inFlight}_in_flight"] = singleCost;
    roundTrips[$"node_transport_cost_{inFlight}_in_flight"] = nodeCost;
    Console.WriteLine($"round trips/s, {inFlight,2} in flight: raw SslStream {single,8:N0} (one write per frame), {batched,8:N0} (whole frames per write); " +
        $"node transport {node,8:N0} ({node / single:P0} / {node / batched:P0} of raw)");
    Console.WriteLine($"  per round trip: raw {CostLine(singleCost)}; node transport {CostLine(nodeCost)}");
}

static string CostLine(Dictionary<string, object> cost) =>
    $"{cost["cpu_ms_per_op"]} ms CPU, {cost["threadpool_items_per_op"]} thread-pool items, {cost["allocated_kb_per_op"]} KB allocated";

result["round_trips"] = roundTrips;
if (args.Contains("--round-trips-only"))
{
    if (jsonPath is not null)
    {
        await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {jsonPath}");
    }

    return 0;
}

var (handshakeWall, handshakeCpu) = await RawTlsHandshakes.Measure(50);
result["raw_tls_connection"] = new Dictionary<string, object>
{
    ["wall_ms"] = Math.Round(handshakeWall, 3),
    ["cpu_ms"] = Math.Round(handshakeCpu, 3),
    ["note"] = "loopback connect + TLS 1.3 mutual ECDSA handshake, both ends in this process, no actors; wall: median of 50, CPU: mean of 50 (whole process)",
};
Console.WriteLine($"new raw TLS connection: {handshakeWall:F2} ms wall, {handshakeCpu:F2} ms CPU (both ends)");
if (args.Contains("--handshakes-only"))
{
    foreach (var custom in new[] { false, true, false, true })
    {
        var (w, c) = await RawTlsHandshakes.Measure(200, custom);
        Console.WriteLine($"raw TLS connection, custom trust {custom}: {w:F2} ms wall, {c:F2} ms CPU");
    }

    return 0;
}


foreach (var (key, value) in await new NetworkPhases(nodes, values, concurrency, maxConnections, seed, timeout, Option("--hocon") ?? "", processes, joinConcurrency).Run())
{
    result[key] = value;
}

foreach (var (key, value) in result)
{
    Console.WriteLine($"{key,-22} {(value is string or int or double ? value : JsonSerializer.Serialize(value))}");
}

if (jsonPath is not null)
{
    await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"wrote {jsonPath}");
}

return 0;

// The soft RLIMIT_NOFILE, read from /proc (20000 on the CI machine when it cannot be read).
static int DescriptorLimit()
{
    try
    {
        var line = File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return int.TryParse(soft, out var limit) ? limit : 20000;
    }
    catch (IOException)
    {
        return 20000;
    }
}

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int IntOption(string name, int fallback) => Option(name) is { } text && int.TryParse(text, out var value) ? value : fallback;
