using System.Diagnostics;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Storage.Sqlite;
using Drogulus.Core.Identity;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// The node under attack, in a child process of its own so that its RSS is its own: one TLS node on
/// 127.0.0.1 with a SQLite store (started as TlsBenchmark and PeerBench start theirs: NodeActor.Props with a
/// TlsTransport, the endpoint from GetNodeStatus). The parent talks to it over stdin/stdout: the child prints
/// <c>READY host:port idhex</c>, answers <c>status</c> with <c>STATUS items</c>, and stops on <c>quit</c>.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;

    private NodeProcess(Process process, string endpoint, Key id, string directory)
    {
        _process = process;
        Endpoint = endpoint;
        Id = id;
        Directory = directory;
    }

    /// <summary>Set in the node process's environment.</summary>
    public const string ChildVariable = "DROGULUS_FLOOD_NODE";

    public string Endpoint { get; }

    public Key Id { get; }

    public string Directory { get; }

    /// <summary>Bytes of the store on disk: the database, its WAL and shared-memory files.</summary>
    public long DiskBytes => new DirectoryInfo(Directory).EnumerateFiles("items.db*").Sum(f => f.Length);

    /// <summary>Resident and peak resident memory of the node process, in bytes (from /proc).</summary>
    public (long Rss, long PeakRss) Memory()
    {
        long Read(string field) => File.ReadLines($"/proc/{_process.Id}/status")
            .Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024)
            .FirstOrDefault();
        return (Read("VmRSS"), Read("VmHWM"));
    }

    /// <summary>Starts this program with <c>--serve</c> and the node's settings; waits until it is ready.</summary>
    public static async Task<NodeProcess> Start(string hocon, string directory)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // Under the `dotnet` muxer the program is the entry assembly; the apphost is the program itself.
        if (Path.GetFileName(Environment.ProcessPath!) is "dotnet" or "dotnet.exe")
        {
            info.ArgumentList.Add(typeof(NodeProcess).Assembly.Location);
        }

        // A child that did not get its arguments must never start a node process of its own.
        info.Environment[ChildVariable] = "1";

        foreach (var arg in new[] { "--serve", directory, hocon })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("the node process did not start");
        var line = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the node process exited before it was ready");
        var parts = line.Split(' ');
        if (parts is not ["READY", var endpoint, var id])
        {
            throw new InvalidOperationException($"unexpected first line from the node: {line}");
        }

        return new NodeProcess(process, endpoint, Key.Parse(id), directory);
    }

    /// <summary>Items the node holds.</summary>
    public async Task<int> Items()
    {
        await _process.StandardInput.WriteLineAsync("status");
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync();
        return line is not null && line.StartsWith("STATUS ", StringComparison.Ordinal) ? int.Parse(line[7..], System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("quit");
            await _process.StandardInput.FlushAsync();
            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    /// <summary>The child's side: runs the node until <c>quit</c> or the end of stdin.</summary>
    public static async Task<int> Serve(string directory, string hocon)
    {
        var settings = DrogulusConfig.SettingsFrom(hocon);
        var system = ActorSystem.Create("flood-target", "akka.loglevel = ERROR\nakka.log-dead-letters = off");
        var identity = NodeIdentity.Generate(DateTimeOffset.UtcNow);
        using var store = SqliteItemStore.Open(Path.Combine(directory, "items.db"));
        var node = system.ActorOf(NodeActor.Props(settings, identity, new TlsTransport(), store), "target");
        var status = await node.Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(30));
        Console.WriteLine($"READY {status.Endpoint} {identity.Id}");
        while (await Console.In.ReadLineAsync() is { } command && command != "quit")
        {
            if (command == "status")
            {
                var now = await node.Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(30));
                Console.WriteLine($"STATUS {now.Items}");
            }
        }

        await node.GracefulStop(TimeSpan.FromSeconds(30));
        await system.Terminate();
        return 0;
    }
}
