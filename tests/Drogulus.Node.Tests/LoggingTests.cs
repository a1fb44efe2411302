using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Drogulus.Node.Tests;

/// <summary>Issue 12: one console format (Akka's lines included), a compact JSON file log, no stack trace for an expected failure.</summary>
public sealed partial class LoggingTests(KeyedDataDirectory keyed) : IClassFixture<KeyedDataDirectory>, IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Start_should_print_one_error_line_and_no_stack_trace_when_the_port_is_in_use()
    {
        var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        try
        {
            var port = ((IPEndPoint)holder.LocalEndpoint).Port;

            var result = await NodeCli.RunAsync("start", "--data", keyed.Data, "--listen", $"127.0.0.1:{port}");

            Assert.Contains("in use", NodeCli.SingleErrorLine(result), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
            Assert.All(Lines(result.StandardOutput), line => Assert.Matches(ConsoleLine(), line));
        }
        finally
        {
            holder.Stop();
        }
    }

    [Fact]
    public async Task Start_should_write_the_console_in_one_format_and_the_file_log_as_compact_json_when_it_runs_and_stops()
    {
        var data = _directory.Child("node");
        await NodeCli.KeygenAsync(data);
        var node = await NodeProcess.StartAsync(data);
        string output;
        try
        {
            var put = await NodeCli.RunAsync("put", "greeting", "hello", "--data", data);
            Assert.True(put.ExitCode == 3, "put failed (a lone node stores alone: exit code 3): " + put);
            Assert.Equal(0, await node.TerminateAsync());
        }
        finally
        {
            await node.DisposeAsync();
            output = node.Output();
        }

        // The node's own lines ("node <id>", "listening on ...") and every log line, Akka's shutdown line included.
        var logLines = Lines(output).Where(l => !l.StartsWith("node ", StringComparison.Ordinal) && !l.StartsWith("listening on ", StringComparison.Ordinal)).ToArray();
        Assert.All(logLines, line => Assert.Matches(ConsoleLine(), line));
        Assert.Contains(logLines, l => l.Contains("CoordinatedShutdown", StringComparison.Ordinal));

        var file = Assert.Single(Directory.GetFiles(Path.Combine(data, "logs")));
        var events = Lines(File.ReadAllText(file)).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToArray();
        Assert.NotEmpty(events);
        Assert.All(events, e =>
        {
            Assert.Equal(JsonValueKind.Object, e.ValueKind);
            Assert.True(e.TryGetProperty("@t", out _), e.ToString());
            Assert.True(e.TryGetProperty("@mt", out _), e.ToString());
        });

        // A node actor's message template keeps its properties through Akka.Logger.Serilog.
        Assert.Contains(events, e => e.GetProperty("@mt").GetString() == "Node {NodeId} is reachable at {Endpoint}"
            && e.GetProperty("Endpoint").GetString() == output.Split('\n').First(l => l.StartsWith("listening on ", StringComparison.Ordinal))["listening on ".Length..].Split(';')[0]);

        // No property holds a record printed as text ("Joined { ContactCount = 1 }").
        Assert.DoesNotContain(events.SelectMany(e => e.EnumerateObject()), p => p.Value.ValueKind == JsonValueKind.String && RecordText().IsMatch(p.Value.GetString()!));
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0);

    [GeneratedRegex(@"^\w+ \{ \w+ = ")]
    private static partial Regex RecordText();

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d (VRB|DBG|INF|WRN|ERR|FTL)\] \S")]
    private static partial Regex ConsoleLine();
}
