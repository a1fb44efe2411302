using System.Text.Json;

namespace Drogulus.Node.Tests;

/// <summary>Issue 12: <c>status</c> prints the node's health and exits 2 when the node is unhealthy.</summary>
public sealed class StatusHealthTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Status_should_print_the_health_and_exit_2_when_the_node_has_not_joined()
    {
        var data = _directory.Child("alone");
        await NodeCli.KeygenAsync(data);
        await using var node = await NodeProcess.StartAsync(data);

        var result = await NodeCli.RunAsync("status", "--data", data);

        Assert.True(result.ExitCode == 2, "expected exit code 2: " + result);
        var health = JsonDocument.Parse(result.StandardOutput).RootElement.GetProperty("health");
        Assert.False(health.GetProperty("healthy").GetBoolean());
        Assert.True(health.GetProperty("transportBound").GetBoolean());
        Assert.True(health.GetProperty("storeWritable").GetBoolean());
        Assert.False(health.GetProperty("contactAnswered").GetBoolean());
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("drogulus-node: the node is unhealthy: the routing table is empty: the node has not joined a network", line.TrimEnd('\r'));
    }
}
