using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Text.Json;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Core.Items;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// <c>--attack admission</c>: the attack table of PROTOCOL §5 (admission, rate), over TLS against a live command-line
/// node (reference.conf except diversity-exempt-private off and rate-limit-exempt [], so that 127.G.X.0/24 are address
/// groups and loopback peers are limited like strangers). A well-behaved client (<see cref="AdmissionProbe"/>,
/// 127.250.0.1) runs throughout; each row is a quiet window (the client alone: its quiet figures), the attack, and a
/// window after it. Row 5 (rotation over the /64s of one /48) needs IPv6 source addresses of its own; it is shown by
/// the specs over the limiter that the table names.
/// </summary>
internal static class AdmissionAttack
{
    public static readonly string[] Names =
    [
        "",
        "stalled hellos, 200/s from 16 addresses (16 groups)",
        "1,000 connections from one /24, handshaken then idle",
        "handshake flood from 4 groups (8 addresses each), 16 at once",
        "1,000 near-full frames (40 groups), a byte every 10 s",
        "requests and connections rotated over 100,000 IPv6 /64s of one /48",
        "control for row 4: 1,000 connections from 40 groups, handshaken then idle (no frame)",
    ];

    public static async Task<int> Run(string[] args)
    {
        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Int(string name, int fallback) => Option(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

        var seconds = Int("--seconds", 30);
        var quietSeconds = Int("--quiet-seconds", 15);
        var afterSeconds = Int("--after-seconds", 60);
        var warmupSeconds = Int("--warmup-seconds", 10);
        var reconnect = (Option("--reconnect") ?? "on") == "on";
        var rows = (Option("--rows") ?? "1,2,3,4,5").Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray();
        var jsonPath = Option("--json");
        if (rows.Any(r => r is < 1 or > 6))
        {
            Console.Error.WriteLine("--rows takes row numbers from 1 to 6 (6: row 4 without its frames, a control)");
            return 2;
        }

        // --victim-hocon "name = value" (repeatable): a further setting of the victim, to compare a rule on and off.
        var extra = args.Select((a, i) => (a, i)).Where(p => p.a == "--victim-hocon" && p.i + 1 < args.Length)
            .Select(p => args[p.i + 1].Split('=', 2)).Select(kv => (Name: kv[0].Trim(), Value: kv[1].Trim()));
        var overrides = new (string Name, string Value)[] { ("diversity-exempt-private", "off"), ("rate-limit-exempt", "[]") }.Concat(extra).ToArray();
        var hocon = "drogulus {\n" + string.Concat(overrides.Select(o => $"  {o.Name} = {o.Value}\n")) + "}\n";
        var settings = DrogulusConfig.SettingsFrom(hocon);
        var directory = Directory.CreateTempSubdirectory("drogulus-admission-").FullName;
        var conf = Path.Combine(directory, "victim.conf");
        await File.WriteAllTextAsync(conf, hocon);

        var started = DateTimeOffset.UtcNow;
        var loadAtStart = Load();
        Console.WriteLine($"admission attack, {started:yyyy-MM-dd HH:mm} UTC, load {loadAtStart}, {Environment.ProcessorCount} processors");
        Console.WriteLine($"victim: drogulus-node start --listen 127.0.0.1:0 --reachability server --config victim.conf, reference.conf except: {string.Join(", ", overrides.Select(o => $"{o.Name} = {o.Value}"))}");
        Console.WriteLine($"  max-accepted-per-group {settings.MaxAcceptedPerGroup}, max-connections {settings.MaxConnections}, hello-timeout {settings.HelloTimeout.TotalSeconds} s, handshake-timeout {settings.HandshakeTimeout.TotalSeconds} s, " +
            $"frame-timeout {settings.FrameTimeout.TotalSeconds} s, max-frame-size {settings.MaxFrameSize:N0} B, max-partial-frame-bytes {Mib(settings.MaxPartialFrameBytes)} MiB, " +
            $"connection rate {settings.ConnectionRateLimitPerSecond}/s burst {settings.ConnectionRateLimitBurst} per address, x{settings.ConnectionRateLimitGroupMultiple} per group, " +
            $"accepted handshakes {settings.AcceptedHandshakeRatePerSecond}/s burst {settings.AcceptedHandshakeRateBurst}");
        Console.WriteLine($"rows {string.Join(",", rows)} after {warmupSeconds} s of warm-up: {quietSeconds} s quiet, {seconds} s attack, {afterSeconds} s after; rows 2, 4 and 6 reconnect {(reconnect ? "on" : "off")}; well-behaved client 127.250.0.1 (a new connection + ping every 250 ms, a get every 50 ms)");

        // The victim is stopped before its directory is deleted: a running node writes its log there.
        await using (var victim = await CliNode.Start(Path.Combine(directory, "victim"), conf, "127.0.0.1", seed: null))
        {
            var target = new IPEndPoint(IPAddress.Parse(victim.Host), victim.Port);

            Console.WriteLine("generating 1,000 attacker identities...");
            var identities = Enumerable.Range(0, 1000).AsParallel().AsOrdered().Select(_ => NodeIdentity.Generate(DateTimeOffset.UtcNow)).ToArray();
            var contexts = identities.Select(i => SslStreamCertificateContext.Create(i.Certificate, null, offline: true)).ToArray();

            var probe = new AdmissionProbe(IPAddress.Parse("127.250.0.1"), target, settings.ProtocolVersion);
            using (var publisher = PublisherKey.Generate())
            {
                await probe.SetUpAsync(publisher);
            }

            using var stopProbe = new CancellationTokenSource();
            var probeRun = probe.RunAsync(stopProbe.Token);
            var memory = new MemorySampler(victim);
            using var stopSampling = new CancellationTokenSource();
            var sampling = memory.RunAsync(stopSampling.Token);

            // The first connections of a run pay for JIT and caches on both sides; no row's quiet figure should.
            await Task.Delay(TimeSpan.FromSeconds(warmupSeconds));
            var results = new List<Dictionary<string, object>>();
            foreach (var row in rows.Where(r => r != 5))
            {
                probe.Current = memory.Window = $"{row} quiet";
                await Task.Delay(TimeSpan.FromSeconds(quietSeconds));
                var attackStart = DateTimeOffset.UtcNow;
                probe.Current = memory.Window = $"{row} attack";
                var tally = new AdmissionAttackers.Tally();
                using var stop = new CancellationTokenSource();
                var attack = row switch
                {
                    1 => AdmissionAttackers.StalledHellos(target, 200, 16, tally, stop.Token),
                    2 => AdmissionAttackers.Holders(target, contexts, 1000, 32, reconnect, (slot, attempt) => AdmissionAttackers.Source(2, 0, 1 + (int)((slot + (attempt * 7)) % 250)), null, tally, stop.Token),
                    3 => AdmissionAttackers.HandshakeFlood(target, contexts, identities.Select(i => i.Id).ToArray(), 16, 4, 8, settings.ProtocolVersion, tally, stop.Token),
                    4 => AdmissionAttackers.Holders(target, contexts, 1000, 32, reconnect, (slot, _) => AdmissionAttackers.Source(4, slot % 40, 1 + (slot / 40)),
                        AdmissionAttackers.NearFullFrame(settings.MaxFrameSize, TimeSpan.FromSeconds(10)), tally, stop.Token),
                    _ => AdmissionAttackers.Holders(target, contexts, 1000, 32, reconnect, (slot, _) => AdmissionAttackers.Source(6, slot % 40, 1 + (slot / 40)), null, tally, stop.Token),
                };
                var quietHeap = (await Figures(victim)).Heap;
                var figures = new List<(double Connections, double Heap)>();
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(seconds - clock.Elapsed.TotalSeconds, 0, 2)));
                    figures.Add(await Figures(victim));
                }

                await stop.CancelAsync();
                await attack.WaitAsync(TimeSpan.FromSeconds(120));
                var attackSeconds = clock.Elapsed.TotalSeconds;
                probe.Current = memory.Window = $"{row} after";
                await Task.Delay(TimeSpan.FromSeconds(afterSeconds));
                var result = Result(row, probe, memory, tally, figures.Select(f => f.Connections).ToList(), attackSeconds, settings);
                result["node_gc_heap_quiet_mib"] = Math.Round(quietHeap / 1048576.0, 1);
                result["node_gc_heap_max_during_attack_mib"] = Math.Round(figures.Select(f => f.Heap).DefaultIfEmpty(double.NaN).Max() / 1048576.0, 1);
                result["node_gc_heap_after_mib"] = Math.Round((await Figures(victim)).Heap / 1048576.0, 1);
                if (row is 2 or 4 or 6)
                {
                    result["attack"] = Names[row] + (reconnect ? "; each reconnects a second after it is closed" : "; each connects once");
                }

                result["node_warnings"] = NodeWarnings.Tally(victim.Warnings, attackStart, DateTimeOffset.UtcNow);
                result["load"] = Load();
                results.Add(result);
                Console.WriteLine(AdmissionTable.Line(result));
            }

            await stopProbe.CancelAsync();
            await probeRun;
            await stopSampling.CancelAsync();
            await sampling;
            var loadAtEnd = Load();
            Console.WriteLine();
            Console.WriteLine(AdmissionTable.Render(results, rows.Contains(5), settings));
            Console.WriteLine($"load at start {loadAtStart}, at end {loadAtEnd}");
            if (jsonPath is not null)
            {
                var document = new Dictionary<string, object>
                {
                    ["started_utc"] = started.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    ["load_at_start"] = loadAtStart,
                    ["load_at_end"] = loadAtEnd,
                    ["processors"] = Environment.ProcessorCount,
                    ["victim_overrides"] = overrides.ToDictionary(o => o.Name, o => o.Value),
                    ["quiet_seconds"] = quietSeconds,
                    ["attack_seconds"] = seconds,
                    ["after_seconds"] = afterSeconds,
                    ["warmup_seconds"] = warmupSeconds,
                    ["reconnect"] = reconnect,
                    ["max_partial_frame_bytes"] = settings.MaxPartialFrameBytes,
                    ["rows"] = results,
                    ["row_5_specs"] = AdmissionTable.RotationSpecs,
                };
                await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
                Console.WriteLine($"wrote {jsonPath}");
            }

            foreach (var identity in identities)
            {
                identity.Dispose();
            }
        }

        Directory.Delete(directory, recursive: true);
        return 0;
    }

    private static Dictionary<string, object> Result(
        int row, AdmissionProbe probe, MemorySampler memory, AdmissionAttackers.Tally tally, List<double> connections, double attackSeconds,
        Actors.Configuration.DrogulusSettings settings)
    {
        var quiet = probe.Of($"{row} quiet");
        var attack = probe.Of($"{row} attack");
        var after = probe.Of($"{row} after");
        var quietRss = memory.Median($"{row} quiet");
        var peakRss = Math.Max(memory.Max($"{row} attack"), memory.Max($"{row} after"));
        var afterRss = memory.Last($"{row} after");
        var held = tally.Held();
        double P(IEnumerable<double> values, double p) => Stats.Percentile(values.ToList(), p);
        var result = new Dictionary<string, object>
        {
            ["row"] = row,
            ["attack"] = Names[row],
            ["attack_seconds"] = Math.Round(attackSeconds, 1),
            ["handshake_quiet_p50_ms"] = P(quiet.Handshakes, 0.5),
            ["handshake_quiet_p99_ms"] = P(quiet.Handshakes, 0.99),
            ["handshake_attack_p50_ms"] = P(attack.Handshakes, 0.5),
            ["handshake_attack_p99_ms"] = P(attack.Handshakes, 0.99),
            ["get_quiet_p50_ms"] = P(quiet.Gets, 0.5),
            ["get_quiet_p99_ms"] = P(quiet.Gets, 0.99),
            ["get_attack_p50_ms"] = P(attack.Gets, 0.5),
            ["get_attack_p99_ms"] = P(attack.Gets, 0.99),
            ["handshakes_quiet"] = quiet.Handshakes.Count,
            ["handshakes_attack"] = attack.Handshakes.Count,
            ["gets_quiet"] = quiet.Gets.Count,
            ["gets_attack"] = attack.Gets.Count,
            ["failures_quiet"] = new Dictionary<string, long>(quiet.Failures),
            ["failures_attack"] = new Dictionary<string, long>(attack.Failures),
            ["failures_after"] = new Dictionary<string, long>(after.Failures),
            ["handshake_after_p99_ms"] = P(after.Handshakes, 0.99),
            ["get_after_p99_ms"] = P(after.Gets, 0.99),
            ["rss_quiet_mib"] = Mib(quietRss),
            ["rss_peak_mib"] = Mib(peakRss),
            ["rss_after_mib"] = Mib(afterRss),
            ["rss_peak_bound_mib"] = Mib(quietRss + settings.MaxPartialFrameBytes),
            ["rss_after_bound_mib"] = Mib((long)(quietRss * 1.2)),
            ["attacker_outcomes"] = new Dictionary<string, long>(tally.Outcomes),
            ["attacker_connections_held_p50_s"] = held.P50,
            ["attacker_connections_held_p99_s"] = held.P99,
            ["attacker_connections_held_max_s"] = held.Max,
            ["node_connections_max"] = connections.Count == 0 ? double.NaN : connections.Max(),
        };
        result["handshake_p99_within_2x"] = (double)result["handshake_attack_p99_ms"] <= 2 * (double)result["handshake_quiet_p99_ms"];
        result["get_p99_within_2x"] = (double)result["get_attack_p99_ms"] <= 2 * (double)result["get_quiet_p99_ms"];
        result["rss_peak_within_bound"] = peakRss <= quietRss + settings.MaxPartialFrameBytes;
        result["rss_after_within_1_2x"] = afterRss <= quietRss * 1.2;
        return result;
    }

    // The node's connections gauge, and its managed heap as the runtime's metrics give it (bytes; the sum over
    // generations of the heap size after the last collection): live memory, where RSS also counts garbage not yet collected.
    private static async Task<(double Connections, double Heap)> Figures(CliNode victim)
    {
        try
        {
            var figures = await victim.Metrics("");
            var connections = figures.Where(f => f.Key.StartsWith("drogulus_connections", StringComparison.Ordinal)).Select(f => f.Value).DefaultIfEmpty(double.NaN).Max();
            var heap = figures.Where(f => f.Key.StartsWith("process_runtime_dotnet_gc_heap_size", StringComparison.Ordinal)
                || f.Key.StartsWith("dotnet_gc_last_collection_heap_size", StringComparison.Ordinal)).Sum(f => f.Value);
            return (connections, heap);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (double.NaN, double.NaN);
        }
    }

    internal static double Mib(long bytes) => Math.Round(bytes / 1048576.0, 1);

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
