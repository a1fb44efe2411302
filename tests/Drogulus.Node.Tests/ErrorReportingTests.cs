using System.Net;
using System.Net.Sockets;

namespace Drogulus.Node.Tests;

/// <summary>A data directory with keys, made once for the error specs (none of them runs a node for long).</summary>
public sealed class KeyedDataDirectory : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    public string Data => _directory.Child("keyed");

    public string Scratch => _directory.FullPath;

    public Task InitializeAsync() => NodeCli.KeygenAsync(Data);

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Every failure is one line "drogulus-node: ..." on stderr and exit code 1.</summary>
public sealed class ErrorReportingTests(KeyedDataDirectory keyed) : IClassFixture<KeyedDataDirectory>
{
    [Fact]
    public async Task Start_should_report_one_line_when_passphrase_is_wrong()
    {
        var result = await NodeCli.RunWithPassphraseAsync("not the passphrase", "start", "--data", keyed.Data, "--listen", "127.0.0.1:0");

        Assert.Contains("wrong passphrase", NodeCli.SingleErrorLine(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_should_report_one_line_when_no_node_runs()
    {
        var result = await NodeCli.RunAsync("status", "--data", Path.Combine(keyed.Scratch, "never-started"));

        Assert.Contains("no node is running", NodeCli.SingleErrorLine(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_should_report_one_line_when_port_is_in_use()
    {
        var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        try
        {
            var port = ((IPEndPoint)holder.LocalEndpoint).Port;
            var result = await NodeCli.RunAsync("start", "--data", keyed.Data, "--listen", $"127.0.0.1:{port}");

            var line = NodeCli.SingleErrorLine(result);
            Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
            Assert.Contains("in use", line, StringComparison.Ordinal);
        }
        finally
        {
            holder.Stop();
        }
    }

    [Fact]
    public async Task Get_should_report_one_line_when_public_key_file_cannot_be_read()
    {
        var missing = Path.Combine(keyed.Scratch, "missing-public-key.pem");

        var result = await NodeCli.RunAsync("get", missing, "greeting", "--data", keyed.Data);

        Assert.Contains(missing, NodeCli.SingleErrorLine(result), StringComparison.Ordinal);
    }

    // Akka's HOCON parser accepts much malformed text (unclosed braces, "= = =" followed by a newline); these it refuses.
    // Both yield a parser message over several lines (the text and a caret), which must still be reported on one line.
    [Theory]
    [InlineData("!!@@##\n")]
    [InlineData("= = =")]
    [InlineData("drogulus {\n  listen = ${nowhere}\n}\n")]
    public async Task Start_should_report_one_line_when_config_is_not_hocon(string garbage)
    {
        var config = Path.Combine(keyed.Scratch, $"bad-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, garbage);

        var result = await NodeCli.RunAsync("start", "--data", keyed.Data, "--listen", "127.0.0.1:0", "--config", config);

        Assert.Contains("cannot parse the HOCON file", NodeCli.SingleErrorLine(result), StringComparison.Ordinal);
    }

    // Text the parser accepts that still is no node configuration: stray keys, no setting at all, a misspelt setting.
    [Theory]
    [InlineData("}}}{{ ::: garbage ][", "line 1: '}' closes no block")]
    [InlineData("= = =\n", "holds text but no setting")]
    [InlineData("a = [1, 2]", "'a' is neither a drogulus { } nor an akka { } block")]
    [InlineData("drogulus.kk = 3", "drogulus.kk is not a setting")]
    public async Task Start_should_report_one_line_when_config_parses_but_is_no_node_configuration(string text, string expected)
    {
        var config = Path.Combine(keyed.Scratch, $"odd-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, text);

        var result = await NodeCli.RunAsync("start", "--data", keyed.Data, "--listen", "127.0.0.1:0", "--config", config);

        Assert.Contains(expected, NodeCli.SingleErrorLine(result), StringComparison.Ordinal);
    }

    // Issue 12: settings Akka's parser takes without complaint but that a node must not run with.
    [Theory]
    [InlineData("drogulus {\n  k = 4\n", "line 1: the block opened with '{' here is never closed")]
    [InlineData("# a comment with a { brace\ndrogulus {\n  created-with = \"a } in a string\"\n", "line 2: the block opened with '{' here is never closed")]
    [InlineData("drogulus {\n  request-timeout = 5\n}\n", "drogulus.request-timeout needs a unit")]
    [InlineData("drogulus {\n  max-frame-size = 1 GiB\n}\n", "drogulus.max-frame-size must be at most 64 MiB")]
    [InlineData("a = [1, 2", "line 1: the list opened with '[' here is never closed")]
    [InlineData("drogulus {\n  k = 3\n  rate-limit-exempt = [\n}\n", "line 3: the list opened with '[' here is never closed")]
    [InlineData("drogulus {\n  k = 3\n}\n!!@@\n", "at line 4, column 1")]
    [InlineData("drogulus {\n  k = 3\n  listen = ${nowhere}\n}\n", "line 3: Unresolved substitution: nowhere")]
    public async Task Start_should_report_one_line_naming_the_line_or_key_when_config_is_unsafe(string text, string expected)
    {
        var config = Path.Combine(keyed.Scratch, $"unsafe-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, text);

        var result = await NodeCli.RunAsync("start", "--data", keyed.Data, "--listen", "127.0.0.1:0", "--config", config);

        Assert.Contains(expected, NodeCli.SingleErrorLine(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_should_exit_with_one_line_when_a_seed_is_not_an_endpoint()
    {
        var result = await NodeCli.RunAsync("start", "--data", keyed.Data, "--listen", "127.0.0.1:0", "--seed", "notanendpoint");

        var line = NodeCli.SingleErrorLine(result);
        Assert.Contains("notanendpoint", line, StringComparison.Ordinal);
        Assert.Contains("is not host:port", line, StringComparison.Ordinal);
    }
}
