using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Drogulus.Core.Identity;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// A live command-line node (<c>drogulus-node start</c>, the built samples/Drogulus.Node) in a child process, for
/// the store-fill attack: keygen, then start with <c>--config</c>, <c>--listen</c>, <c>--reachability server</c>,
/// <c>--metrics</c> and optionally <c>--seed</c>. Its output is drained from the start so that it never blocks.
/// </summary>
internal sealed class CliNode : IAsyncDisposable
{
    private const string Passphrase = "store-fill benchmark passphrase";
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(120);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private readonly Process _process;
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _id = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _drain;
    private readonly Task _errors;

    private CliNode(Process process, string directory, int metricsPort)
    {
        _process = process;
        Directory = directory;
        MetricsPort = metricsPort;
        _drain = Drain(process.StandardOutput, line =>
        {
            if (line.StartsWith("node ", StringComparison.Ordinal))
            {
                _id.TrySetResult(line[5..].Trim());
            }
            else if (line.StartsWith("listening on ", StringComparison.Ordinal))
            {
                _listening.TrySetResult(line);
            }
            else if (line.Contains(" WRN] ", StringComparison.Ordinal))
            {
                Warnings.Enqueue((DateTimeOffset.UtcNow, line));
            }
        });
        _errors = Drain(process.StandardError, _ => { });
    }

    /// <summary>The node's data directory.</summary>
    public string Directory { get; }

    /// <summary>Its item database (SQLite, WAL), read by <see cref="StoreCensus"/>.</summary>
    public string ItemsDb => Path.Combine(Directory, "items.db");

    public int MetricsPort { get; }

    /// <summary>The node's warning lines as they arrived (the admission attack reads what the node did from them).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(DateTimeOffset At, string Line)> Warnings { get; } = new();

    /// <summary>The node process's resident memory (VmRSS), in bytes.</summary>
    public long Rss() => File.ReadLines($"/proc/{_process.Id}/status")
        .Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Select(l => long.Parse(l[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024)
        .FirstOrDefault();

    public string Host { get; private set; } = "";

    public int Port { get; private set; }

    public Key Id { get; private set; }

    /// <summary>The built drogulus-node.dll: benchmarks/Drogulus.FloodBenchmark/bin/Config/tfm/ becomes samples/Drogulus.Node/bin/Config/tfm/.</summary>
    public static string Dll { get; } = FindDll();

    /// <summary>Makes the keys of <paramref name="directory"/> and starts a node on <paramref name="listenHost"/>, port 0.</summary>
    public static async Task<CliNode> Start(string directory, string configFile, string listenHost, string? seed)
    {
        using (var keygen = Process.Start(StartInfo(["keygen", "--data", directory])) ?? throw new InvalidOperationException("keygen did not start"))
        {
            var output = keygen.StandardOutput.ReadToEndAsync();
            var error = keygen.StandardError.ReadToEndAsync();
            await keygen.WaitForExitAsync().WaitAsync(Ceiling);
            if (keygen.ExitCode != 0)
            {
                throw new InvalidOperationException($"keygen failed: {await output} {await error}");
            }
        }

        var metricsPort = FreePort();
        var args = new List<string>
        {
            "start", "--data", directory, "--listen", listenHost + ":0", "--reachability", "server",
            "--config", configFile, "--metrics", $"127.0.0.1:{metricsPort}",
        };
        if (seed is not null)
        {
            args.Add("--seed");
            args.Add(seed);
        }

        var node = new CliNode(Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("drogulus-node did not start"), directory, metricsPort);
        // listening on 127.0.0.1:40449; control channel on 127.0.0.1:37665; Ctrl-C stops it
        var line = await node._listening.Task.WaitAsync(Ceiling);
        var endpoint = line.Split(';')[0]["listening on ".Length..].Trim();
        var colon = endpoint.LastIndexOf(':');
        node.Host = endpoint[..colon];
        node.Port = int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture);
        node.Id = Key.Parse(await node._id.Task.WaitAsync(Ceiling));
        return node;
    }

    /// <summary>The node's Prometheus figures whose name starts with <paramref name="prefix"/>, summed over the other tags, by name and tags.</summary>
    public async Task<Dictionary<string, double>> Metrics(string prefix)
    {
        var text = await Http.GetStringAsync($"http://127.0.0.1:{MetricsPort}/metrics");
        var figures = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal) && line.LastIndexOf(' ') is var space and > 0
                && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                // The node tag is the same on every line of one node: drop it so that callers can name a figure.
                var name = System.Text.RegularExpressions.Regex.Replace(line[..space], "node=\"[0-9a-f]*\",?", "").Replace(",}", "}", StringComparison.Ordinal).Replace("{}", "", StringComparison.Ordinal);
                figures[name] = figures.GetValueOrDefault(name) + value;
            }
        }

        return figures;
    }

    /// <summary>SIGTERM, as a service manager stops it; SIGKILL if it has not stopped within the ceiling.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false });
            try
            {
                await _process.WaitForExitAsync().WaitAsync(Ceiling);
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        await Task.WhenAll(_drain, _errors).WaitAsync(Ceiling);
        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DROGULUS_PASSPHRASE"] = Passphrase;
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private static async Task Drain(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            onLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindDll()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var root = configuration.Parent!.Parent!.Parent!.Parent!;
        var dll = Path.Combine(root.FullName, "samples", "Drogulus.Node", "bin", configuration.Name, tfm.Name, "drogulus-node.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"drogulus-node was not built at {dll}", dll);
    }
}
