using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;

namespace Drogulus.Node.Tests;

/// <summary>
/// A node you can leave running (PROTOCOL §8, a restarted node rejoins through its saved contacts): the table is
/// saved while the node runs, so a SIGKILL keeps its contacts; a node with nothing to join through says it is
/// alone; <c>status</c> answers "joining" during a join.
/// </summary>
public sealed class RoutingTableDurabilityTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Node_should_restart_with_nine_tenths_of_its_contacts_when_it_was_killed_with_sigkill()
    {
        var names = new[] { "a", "b", "c", "d", "e" };
        await Task.WhenAll(names.Select(n => NodeCli.KeygenAsync(_directory.Child(n))));
        var last = _directory.Child("e");

        // Saves only after changes: the interval is far longer than the spec.
        var config = _directory.Child("e.conf");
        await File.WriteAllTextAsync(config, "drogulus.routing-table.save-interval = 1h\n");

        await using var a = await NodeProcess.StartAsync(_directory.Child("a"));
        await using var b = await NodeProcess.StartAsync(_directory.Child("b"), "--seed", a.Endpoint);
        await using var c = await NodeProcess.StartAsync(_directory.Child("c"), "--seed", a.Endpoint);
        await using var d = await NodeProcess.StartAsync(_directory.Child("d"), "--seed", a.Endpoint);
        int before;
        await using (var e = await NodeProcess.StartAsync(last, "--seed", a.Endpoint, "--config", config))
        {
            before = await ContactsAsync(last);
            Assert.True(before >= 2, $"the last node knows only {before} contacts");

            // Follow the event: the file holds what the node holds (a write is under way or done), then the kill.
            var id = Key.Parse(JsonDocument.Parse(File.ReadAllText(Path.Combine(last, "control.json"))).RootElement.GetProperty("NodeId").GetString()!);
            await WaitUntil(() => Saved(last, id) >= before, $"routing-table.bin never held the {before} contacts of the running node");
            await e.KillAsync();
        }

        Assert.True(File.Exists(Path.Combine(last, "control.json")), "SIGKILL cannot have removed the control file");
        await using var restarted = await NodeProcess.StartAsync(last);
        var restored = Regex.Match(restarted.Output(), @"(\d+) contacts restored");
        Assert.True(restored.Success, restarted.Output());
        var count = int.Parse(restored.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(count * 10 >= before * 9, $"restarted with {count} of {before} contacts");
        Assert.True(await ContactsAsync(last) >= count);
    }

    [Fact]
    public async Task Node_should_warn_that_it_is_alone_when_it_has_no_saved_contacts_and_no_seed()
    {
        var data = _directory.Child("alone");
        await NodeCli.KeygenAsync(data);

        await using var node = await NodeProcess.StartAsync(data);

        Assert.Contains("WRN", node.Output().Split('\n').Single(l => l.Contains("is alone", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_should_answer_joining_when_the_node_is_still_joining()
    {
        var data = _directory.Child("joining");
        await NodeCli.KeygenAsync(data);

        // A "seed" that accepts TCP and never speaks TLS: each attempt of the join waits out its handshake.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var config = _directory.Child("slow-join.conf");
        await File.WriteAllTextAsync(config, "drogulus.join.seed-attempts = 100\n");
        using var process = Process.Start(NodeCli.StartInfo(NodeCli.Passphrase, ["start", "--data", data, "--listen", "127.0.0.1:0", "--config", config, "--seed", $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"]))!;
        var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        try
        {
            await WaitUntil(() => File.Exists(Path.Combine(data, "control.json")), "the joining node wrote no control file");

            var status = await NodeCli.RunAsync("status", "--data", data);

            Assert.DoesNotContain("no node is running", status.StandardError, StringComparison.Ordinal);
            Assert.Equal("joining", JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("state").GetString());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(NodeCli.SafetyTimeout);
            await drain.WaitAsync(NodeCli.SafetyTimeout);
            silent.Stop();
        }
    }

    private static int Saved(string data, Key id)
    {
        try
        {
            return new RoutingTableFile(Path.Combine(data, "routing-table.bin")).Load(id, 20, 5, DateTimeOffset.UtcNow)?.Count ?? 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    // Polls a condition that follows a background event; the ceiling only guards against a hung node.
    private static async Task WaitUntil(Func<bool> condition, string failure)
    {
        using var ceiling = new CancellationTokenSource(NodeCli.SafetyTimeout);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!condition())
        {
            Assert.True(!ceiling.IsCancellationRequested, failure);
            await tick.WaitForNextTickAsync();
        }
    }

    private static async Task<int> ContactsAsync(string data)
    {
        var status = await NodeCli.RunAsync("status", "--data", data);
        Assert.True(status.ExitCode == 0, "status failed or the node is unhealthy: " + status);
        return JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("contacts").GetInt32();
    }
}
