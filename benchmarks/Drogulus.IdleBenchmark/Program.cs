using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;
using Drogulus.IdleBenchmark;

// What an idle command-line node costs (issue 24): three `drogulus-node start` processes on 127.0.0.1 (a seed
// and two nodes joined through it); beside them, in the same run, a bare console and an empty Akka.NET actor
// system (children of this program, same runtime settings as the node) and OpenDHT's `dhtnode` when it is on
// the PATH. Every process is read from /proc (smaps_rollup: RSS and PSS; stat: CPU time) after --idle seconds
// idle, right after a burst of --requests findvalue requests sent to the measured node (the second one) over
// --connections TLS connections with --in-flight requests each, and --idle seconds after the burst. Also printed:
// each node's start-up (seconds and CPU time to its "listening on" line) and the measured node's CPU for the burst.
//   dotnet build -c Release samples/Drogulus.Node
//   dotnet run -c Release --project benchmarks/Drogulus.IdleBenchmark -- [--idle 60] [--requests 24000]
//       [--connections 8] [--in-flight 16] [--config FILE] [--env NAME=VALUE]... [--label TEXT] [--json FILE]
// --config is a HOCON file given to the nodes (`start --config`) and to the empty actor system (its akka { }
// block); --env sets a variable for every child (the runtime's DOTNET_* knobs), so a variant is measured
// against floors that run under the same settings.
if (Environment.GetEnvironmentVariable(Baselines.ChildVariable) is { } baselineKind)
{
    return await Baselines.Run(baselineKind, args.Length > 0 ? args[0] : null);
}

var idle = TimeSpan.FromSeconds(IntOption("--idle", 60));
var requests = IntOption("--requests", 24_000);
var connections = IntOption("--connections", 8);
var inFlight = IntOption("--in-flight", 16);
var configFile = Option("--config") is { } c ? Path.GetFullPath(c) : null;
var label = Option("--label") ?? "default";
var jsonPath = Option("--json");
var nodeDll = Option("--node-dll") ?? FindNodeDll();
var extraEnvironment = args.Select((a, i) => (a, i)).Where(p => p.a == "--env" && p.i + 1 < args.Length)
    .Select(p => args[p.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
if (jsonPath is not null && Path.GetDirectoryName(Path.GetFullPath(jsonPath)) is { } folder && !Directory.Exists(folder))
{
    Console.Error.WriteLine($"the folder of --json {jsonPath} does not exist");
    return 2;
}

var directory = Directory.CreateTempSubdirectory("drogulus-idle-").FullName;
var environment = new Dictionary<string, string>(extraEnvironment) { ["DROGULUS_PASSPHRASE"] = "idle benchmark passphrase" };
var dotnet = Environment.ProcessPath is { } me && Path.GetFileName(me) is "dotnet" ? me : "dotnet";
var timeout = TimeSpan.FromSeconds(600);
Console.WriteLine($"{label}: node {nodeDll}; env {string.Join(' ', extraEnvironment.Select(kv => $"{kv.Key}={kv.Value}"))}; config {configFile ?? "none"}; data in {directory}");
Console.WriteLine($"load before: {File.ReadAllText("/proc/loadavg").Trim()}");

var children = new List<ChildProcess>();
try
{
    foreach (var name in new[] { "seed", "node", "other" })
    {
        using var keygen = Process.Start(new ProcessStartInfo(dotnet)
        {
            ArgumentList = { nodeDll, "keygen", "--data", Path.Combine(directory, name) },
            RedirectStandardOutput = true,
            Environment = { ["DROGULUS_PASSPHRASE"] = environment["DROGULUS_PASSPHRASE"] },
        })!;
        await keygen.WaitForExitAsync();
        if (keygen.ExitCode != 0)
        {
            throw new InvalidOperationException($"keygen for {name} failed with exit code {keygen.ExitCode}");
        }
    }

    // Servers, as every node of a network others join through must be (README "Seed nodes are servers"): the CLI's
    // default, auto, starts as a client, which a joining node cannot add to its table.
    string[] Start(string name, params string[] more) =>
        [nodeDll, "start", "--data", Path.Combine(directory, name), "--reachability", "server", .. configFile is null ? Array.Empty<string>() : ["--config", configFile], .. more];

    var seed = ChildProcess.Start("seed", dotnet, Start("seed", "--listen", "127.0.0.1:0"), environment);
    children.Add(seed);
    var seedEndpoint = Listening(await seed.WaitForLine("listening on ", timeout));
    var measured = ChildProcess.Start("node", dotnet, Start("node", "--listen", "127.0.0.1:0", "--seed", seedEndpoint), environment);
    children.Add(measured);
    var other = ChildProcess.Start("other", dotnet, Start("other", "--listen", "127.0.0.1:0", "--seed", seedEndpoint), environment);
    children.Add(other);
    var measuredEndpoint = Listening(await measured.WaitForLine("listening on ", timeout));
    var measuredId = Key.Parse((await measured.WaitForLine("node ", timeout))[5..].Trim());
    await other.WaitForLine("listening on ", timeout);

    // Start-up: seconds from the process's start to its "listening on" line and the CPU time it had used by then
    // (the seed starts alone; the other two start together, so they share the machine's cores).
    var startup = new[] { seed, measured, other }.ToDictionary(ch => ch.Name, ch => ch.Arrival("listening on ") is { } a
        ? new Dictionary<string, object> { ["seconds"] = Math.Round(a.Seconds, 2), ["cpu_seconds"] = Math.Round(a.CpuSeconds, 2) }
        : new Dictionary<string, object>());
    Console.WriteLine("listening after: " + string.Join("; ", startup.Select(kv => $"{kv.Key} {kv.Value.GetValueOrDefault("seconds")} s, {kv.Value.GetValueOrDefault("cpu_seconds")} s CPU")));

    var self = Environment.ProcessPath!;
    string[] selfArgs = Path.GetFileName(self) is "dotnet" ? [typeof(Baselines).Assembly.Location] : [];
    foreach (var (kind, name) in new[] { ("akka", "akka-empty"), ("akka-tqs", "akka-empty-tqs"), ("bare", "bare") })
    {
        var child = ChildProcess.Start(name, self, [.. selfArgs, .. configFile is null ? Array.Empty<string>() : [configFile]],
            new Dictionary<string, string>(extraEnvironment) { [Baselines.ChildVariable] = kind });
        children.Add(child);
        await child.WaitForLine("READY", timeout);
    }

    if (FindOnPath("dhtnode") is { } dhtnode && FindOnPath("unshare") is { } unshare)
    {
        // OpenDHT's node: -p 0 any port, -s service mode (no prompt), no -b: a network of its own; in a network
        // namespace of its own (unshare -n execs it, so the PID is dhtnode's) so that it can reach no address at all.
        var child = ChildProcess.Start("dhtnode", unshare, ["-n", dhtnode, "-p", "0", "-s"], new Dictionary<string, string>());
        children.Add(child);
    }

    // Idle: every process was started; let them settle (the nodes' join, start-up JIT), then measure a window.
    await Task.Delay(TimeSpan.FromSeconds(10));
    var rows = new List<Dictionary<string, object>>();
    var start = children.ToDictionary(ch => ch.Name, ch => ProcessSample.Read(ch.Pid));
    var nodeCpuBeforeIdle = start["node"]?.CpuSeconds ?? double.NaN;
    await Task.Delay(idle);
    var idleSamples = Record("idle", start, rows);

    // The burst: findvalue for random keys (each answered with `nodes`) to the measured node.
    var before = children.ToDictionary(ch => ch.Name, ch => ProcessSample.Read(ch.Pid));
    var colon = measuredEndpoint.LastIndexOf(':');
    var target = new PeerAddress(measuredEndpoint[..colon], int.Parse(measuredEndpoint[(colon + 1)..], CultureInfo.InvariantCulture), measuredId);
    var clientSettings = DrogulusConfig.SettingsFrom("drogulus { transport = tls, listen.host = \"127.0.0.1\", request-timeout = 30s }");
    var clock = Stopwatch.StartNew();
    var (answered, failed) = await Burst(target, clientSettings, requests, connections, inFlight);
    var burstSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"burst: {answered:N0} answered ({failed} not with nodes/value) in {burstSeconds:F1} s, {answered / burstSeconds:N0}/s");
    var burstSamples = Record("after burst", before, rows);
    var burstCpu = burstSamples["node"] is { } b && before["node"] is { } a ? b.CpuSeconds - a.CpuSeconds : double.NaN;
    Console.WriteLine($"the measured node's CPU: {nodeCpuBeforeIdle:F2} s before the idle window (start-up, join, 10 s settling); {burstCpu:F2} s for the burst, {burstCpu * 1000 / requests:F3} ms a request");
    await Task.Delay(idle);
    Record($"{idle.TotalSeconds:F0} s after", burstSamples, rows);

    var load = File.ReadAllText("/proc/loadavg").Trim();
    Console.WriteLine($"load after: {load}");
    Console.WriteLine();
    Console.WriteLine("| process | phase | RSS MiB | PSS MiB | anon PSS MiB | threads | CPU % of a core |");
    Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
    foreach (var row in rows.OrderBy(r => children.FindIndex(ch => ch.Name == (string)r["process"])))
    {
        Console.WriteLine($"| {row["process"]} | {row["phase"]} | {row["rss_mib"]} | {row["pss_mib"]} | {row["pss_anon_mib"]} | {row["threads"]} | {row["cpu_percent"]} |");
    }

    if (jsonPath is not null)
    {
        var document = new Dictionary<string, object>
        {
            ["label"] = label,
            ["utc"] = DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture),
            ["load_after"] = load,
            ["environment"] = extraEnvironment,
            ["config"] = configFile is null ? "" : await File.ReadAllTextAsync(configFile),
            ["idle_seconds"] = idle.TotalSeconds,
            ["startup"] = startup,
            ["node_cpu_seconds_before_idle"] = Math.Round(nodeCpuBeforeIdle, 2),
            ["burst"] = new Dictionary<string, object> { ["requests"] = requests, ["answered"] = answered, ["failed"] = failed, ["connections"] = connections, ["in_flight"] = inFlight, ["seconds"] = Math.Round(burstSeconds, 2), ["node_cpu_seconds"] = Math.Round(burstCpu, 2) },
            ["rows"] = rows,
        };
        await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {jsonPath}");
    }
}
finally
{
    foreach (var child in Enumerable.Reverse(children))
    {
        await child.DisposeAsync();
    }

    Directory.Delete(directory, recursive: true);
}

return 0;

Dictionary<string, ProcessSample?> Record(string phase, Dictionary<string, ProcessSample?> since, List<Dictionary<string, object>> rows)
{
    var now = children.ToDictionary(ch => ch.Name, ch => ProcessSample.Read(ch.Pid));
    foreach (var (name, sample) in now)
    {
        if (sample is null || since[name] is not { } earlier)
        {
            continue;
        }

        rows.Add(new Dictionary<string, object>
        {
            ["process"] = name,
            ["phase"] = phase,
            ["rss_mib"] = Math.Round(sample.RssKib / 1024.0, 1),
            ["pss_mib"] = Math.Round(sample.PssKib / 1024.0, 1),
            ["pss_anon_mib"] = Math.Round(sample.AnonKib / 1024.0, 1),
            ["threads"] = sample.Threads,
            ["cpu_percent"] = Math.Round(sample.CpuPercentSince(earlier), 2),
            ["window_seconds"] = Math.Round((sample.At - earlier.At).TotalSeconds, 1),
        });
    }

    return now;
}

static async Task<(int Answered, int Failed)> Burst(PeerAddress target, DrogulusSettings settings, int total, int connections, int inFlight)
{
    using var system = ActorSystem.Create("burst", "akka.loglevel = ERROR\nakka.log-dead-letters = off");
    var done = new List<Task<BurstClient.Finished>>();
    for (var i = 0; i < connections; i++)
    {
        var transport = system.ActorOf(new TlsTransport().Props(NodeIdentity.Generate(DateTimeOffset.UtcNow), settings, system.ActorOf(Responder.Props()), system.ActorOf(Responder.Props())));
        var share = total / connections + (i < total % connections ? 1 : 0);
        var finished = new TaskCompletionSource<BurstClient.Finished>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inbox = system.ActorOf(Props.Create(() => new Completion(finished)));
        system.ActorOf(BurstClient.Props(transport, target, inFlight, share, inbox, i + 1)).Tell(new BurstClient.Start());
        done.Add(finished.Task);
    }

    var results = await Task.WhenAll(done).WaitAsync(TimeSpan.FromMinutes(10));
    await system.Terminate();
    return (results.Sum(r => r.Answered), results.Sum(r => r.Failed));
}

static string Listening(string line) => line["listening on ".Length..].Split(';')[0].Trim();

static string? FindOnPath(string program) =>
    (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

static string FindNodeDll()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "samples", "Drogulus.Node", "bin", "Release", "net10.0", "drogulus-node.dll");
        if (File.Exists(candidate))
        {
            return candidate;
        }
    }

    throw new InvalidOperationException("drogulus-node.dll not found: dotnet build -c Release samples/Drogulus.Node, or give --node-dll");
}

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int IntOption(string name, int fallback) => Option(name) is { } text && int.TryParse(text, out var value) ? value : fallback;

/// <summary>Completes a task with the first <see cref="BurstClient.Finished"/> it is told.</summary>
internal sealed class Completion : ReceiveActor
{
    public Completion(TaskCompletionSource<BurstClient.Finished> finished) => Receive<BurstClient.Finished>(f => finished.TrySetResult(f));
}
