using System.Text.Json;

namespace Drogulus.Node.Tests;

/// <summary>Two nodes on one machine: B joins through A, reads A's value, and rejoins from its saved routing table.</summary>
public sealed class TwoNodeTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Second_node_should_read_first_nodes_value_and_rejoin_without_seed_when_restarted()
    {
        var a = _directory.Child("a");
        var b = _directory.Child("b");
        await Task.WhenAll(NodeCli.KeygenAsync(a), NodeCli.KeygenAsync(b));

        await using var nodeA = await NodeProcess.StartAsync(a);
        var idA = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "control.json"))).RootElement.GetProperty("NodeId").GetString();
        await using (var nodeB = await NodeProcess.StartAsync(b, "--seed", nodeA.Endpoint))
        {
            var put = await NodeCli.RunAsync("put", "greeting", "hello from a", "--data", a, "--expires", "2h", "--meta", "lang=en");
            Assert.True(put.ExitCode == 0, "put failed: " + put);
            Assert.True(Json(put).GetProperty("stored").GetInt32() >= 1, put.StandardOutput);
            Assert.False(Json(put).GetProperty("storedOnlyLocally").GetBoolean(), put.StandardOutput);

            var get = await NodeCli.RunAsync("get", Path.Combine(a, "publisher-public-key.pem"), "greeting", "--data", b);
            Assert.True(get.ExitCode == 0, "get failed: " + get);
            Assert.Equal("hello from a", Json(get).GetProperty("value").GetString());
            Assert.Equal("en", Json(get).GetProperty("meta").GetProperty("lang").GetString());

            Assert.True(await ContactsAsync(b) >= 1);
            Assert.Equal(0, await nodeB.TerminateAsync());
        }

        Assert.True(File.Exists(Path.Combine(b, "routing-table.bin")), "B did not save its routing table on SIGTERM");
        Assert.False(File.Exists(Path.Combine(b, "control.json")), "B left its control file behind on SIGTERM");

        await using var restartedB = await NodeProcess.StartAsync(b);
        Assert.True(await ContactsAsync(b) >= 1);

        // B reaches A from its restored table alone: a value B publishes is stored on A too.
        var fromB = await NodeCli.RunAsync("put", "reply", "hello from b", "--data", b);
        Assert.True(fromB.ExitCode == 0, "put on the restarted B failed: " + fromB);
        Assert.Contains(
            Json(fromB).GetProperty("outcomes").EnumerateArray(),
            o => o.GetProperty("node").GetString() == idA && o.GetProperty("result").GetString() == "Stored");
    }

    private static async Task<int> ContactsAsync(string data)
    {
        var status = await NodeCli.RunAsync("status", "--data", data);
        Assert.True(status.ExitCode == 0, "status failed or the node is unhealthy: " + status);
        Assert.True(Json(status).GetProperty("health").GetProperty("healthy").GetBoolean(), status.StandardOutput);
        return Json(status).GetProperty("contacts").GetInt32();
    }

    private static JsonElement Json(CliResult result) => JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
}
