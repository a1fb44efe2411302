using System.Text.Json;

namespace Drogulus.Node.Tests;

/// <summary>Issue 12: <c>status</c> prints the node's health (and exits 2 when the node is unhealthy).</summary>
public sealed class StatusHealthTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    // Issue 26: a node with no seed and no saved contacts is the first node of a network: ready, and alone.
    [Fact]
    public async Task Status_should_print_the_health_and_exit_0_saying_it_is_alone_when_the_node_has_nobody_to_join()
    {
        var data = _directory.Child("alone");
        await NodeCli.KeygenAsync(data);
        await using var node = await NodeProcess.StartAsync(data);

        var result = await NodeCli.RunAsync("status", "--data", data);

        Assert.True(result.ExitCode == 0, "expected exit code 0: " + result);
        var json = JsonDocument.Parse(result.StandardOutput).RootElement;
        Assert.Equal("running", json.GetProperty("state").GetString());
        var health = json.GetProperty("health");
        Assert.True(health.GetProperty("healthy").GetBoolean());
        Assert.True(health.GetProperty("alone").GetBoolean());
        Assert.True(health.GetProperty("transportBound").GetBoolean());
        Assert.True(health.GetProperty("storeWritable").GetBoolean());
        Assert.False(health.GetProperty("contactAnswered").GetBoolean());
        Assert.Equal(0, health.GetProperty("reasons").GetArrayLength());
    }
}
