using System.Text.Json;

namespace Drogulus.Node.Tests;

/// <summary>A put that reached no peer says so: a warning on stderr and its own exit code, 3 (not 0, not 1).</summary>
public sealed class PutResultTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Put_should_warn_and_exit_with_code_3_when_only_the_local_node_stored_the_item()
    {
        var data = _directory.Child("alone");
        await NodeCli.KeygenAsync(data);
        await using var node = await NodeProcess.StartAsync(data);

        var put = await NodeCli.RunAsync("put", "greeting", "hello", "--data", data);

        Assert.True(put.ExitCode == 3, "expected exit code 3: " + put);
        var json = JsonDocument.Parse(put.StandardOutput).RootElement;
        Assert.Equal(1, json.GetProperty("stored").GetInt32());
        Assert.True(json.GetProperty("storedOnlyLocally").GetBoolean());
        Assert.Equal(0, json.GetProperty("storedRemotely").GetInt32());
        var warning = Assert.Single(put.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("drogulus-node: warning: only this node stored the item", warning, StringComparison.Ordinal);
    }
}
