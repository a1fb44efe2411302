using System.Text;
using System.Text.Json;

namespace Drogulus.Node.Tests;

/// <summary>Two running nodes, A (max-item-size 4 KiB) and B joined through A, shared by the put-value specs.</summary>
public sealed class TwoRunningNodes : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private NodeProcess? _a;
    private NodeProcess? _b;

    public string A => _directory.Child("a");

    public string B => _directory.Child("b");

    public string Scratch => _directory.FullPath;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(NodeCli.KeygenAsync(A), NodeCli.KeygenAsync(B));
        var config = _directory.Child("small-items.conf");
        await File.WriteAllTextAsync(config, "drogulus {\n  max-item-size = 4 KiB\n}\n");
        _a = await NodeProcess.StartAsync(A, "--config", config);
        _b = await NodeProcess.StartAsync(B, "--seed", _a.Endpoint);
    }

    public async Task DisposeAsync()
    {
        if (_b is not null)
        {
            await _b.DisposeAsync();
        }

        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        _directory.Dispose();
    }
}

/// <summary><c>put</c> takes its value from standard input or a file, bounded by the node's max-item-size; messages are words.</summary>
public sealed class PutValueTests(TwoRunningNodes nodes) : IClassFixture<TwoRunningNodes>
{
    [Fact]
    public async Task Put_should_store_the_value_from_standard_input_when_value_is_a_dash()
    {
        var text = "read from standard input\nover two lines";

        var put = await NodeCli.RunWithInputAsync(Encoding.UTF8.GetBytes(text), "put", "from-stdin", "-", "--data", nodes.A);

        Assert.True(put.ExitCode == 0, "put failed: " + put);
        Assert.Equal(text, await ReadFromBAsync("from-stdin"));
    }

    [Fact]
    public async Task Put_should_store_the_file_contents_when_file_is_given()
    {
        var text = new string('x', 3000) + " end";
        var path = Path.Combine(nodes.Scratch, "value.txt");
        await File.WriteAllTextAsync(path, text);

        var put = await NodeCli.RunAsync("put", "from-file", "--file", path, "--data", nodes.A);

        Assert.True(put.ExitCode == 0, "put failed: " + put);
        Assert.Equal(text, await ReadFromBAsync("from-file"));
    }

    [Fact]
    public async Task Put_should_refuse_in_one_line_when_the_file_is_larger_than_max_item_size()
    {
        var path = Path.Combine(nodes.Scratch, "large.txt");
        await File.WriteAllTextAsync(path, new string('y', 2 * 1024 * 1024));

        var result = await NodeCli.RunAsync("put", "too-large", "--file", path, "--data", nodes.A);

        var line = NodeCli.SingleErrorLine(result);
        Assert.Contains("max-item-size", line, StringComparison.Ordinal);
        Assert.Contains("4096 bytes", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_should_refuse_in_one_line_when_standard_input_is_larger_than_max_item_size()
    {
        var result = await NodeCli.RunWithInputAsync(new byte[64 * 1024], "put", "too-large", "-", "--data", nodes.A);

        Assert.Contains("max-item-size", NodeCli.SingleErrorLine(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_should_refuse_in_one_line_when_value_and_file_are_both_given()
    {
        var result = await NodeCli.RunAsync("put", "both", "inline", "--file", Path.Combine(nodes.Scratch, "value.txt"), "--data", nodes.A);

        Assert.Contains("not two of them", NodeCli.SingleErrorLine(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_should_say_in_words_without_a_status_code_when_no_value_is_under_the_key()
    {
        var result = await NodeCli.RunAsync("get", Path.Combine(nodes.A, "publisher-public-key.pem"), "never-put", "--data", nodes.B);

        var line = NodeCli.SingleErrorLine(result);
        Assert.Equal("drogulus-node: no value under that key", line);
    }

    private async Task<string?> ReadFromBAsync(string name)
    {
        var get = await NodeCli.RunAsync("get", Path.Combine(nodes.A, "publisher-public-key.pem"), name, "--data", nodes.B);
        Assert.True(get.ExitCode == 0, "get failed: " + get);
        return JsonDocument.Parse(get.StandardOutput).RootElement.GetProperty("value").GetString();
    }
}
