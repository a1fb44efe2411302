using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Drogulus.Node.Tests;

/// <summary>Issue 12: <c>start --metrics host:port</c> serves the Drogulus meter in Prometheus text format.</summary>
public sealed class MetricsEndpointTests(KeyedDataDirectory keyed) : IClassFixture<KeyedDataDirectory>, IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Start_should_serve_drogulus_metrics_in_prometheus_text_when_given_a_metrics_endpoint()
    {
        var data = _directory.Child("node");
        await NodeCli.KeygenAsync(data);
        var port = FreePort();

        await using var node = await NodeProcess.StartAsync(data, "--metrics", $"127.0.0.1:{port}");
        var put = await NodeCli.RunAsync("put", "greeting", "hello", "--data", data);
        Assert.True(put.ExitCode == 3, "put failed (a lone node stores alone: exit code 3): " + put);
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");

        var id = JsonDocument.Parse(File.ReadAllText(Path.Combine(data, "control.json"))).RootElement.GetProperty("NodeId").GetString()!;
        var nodeLabel = $"node=\"{id[..16]}\"";
        Assert.Contains($"metrics on http://127.0.0.1:{port}/metrics", node.Output(), StringComparison.Ordinal);
        Assert.Contains("# TYPE drogulus_store_items gauge", text, StringComparison.Ordinal);
        Assert.Contains(Lines(text, "drogulus_store_items{"), l => l.Contains(nodeLabel, StringComparison.Ordinal) && l.Contains("copy=\"close\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
        Assert.Contains(Lines(text, "drogulus_store_bytes{"), l => l.Contains(nodeLabel, StringComparison.Ordinal));
        Assert.Contains(Lines(text, "drogulus_routing_contacts{"), l => l.Contains(nodeLabel, StringComparison.Ordinal) && l.EndsWith(" 0", StringComparison.Ordinal));
        Assert.Contains(Lines(text, "drogulus_connections{"), l => l.Contains(nodeLabel, StringComparison.Ordinal));
        Assert.Contains(Lines(text, "drogulus_blacklist_size{"), l => l.Contains(nodeLabel, StringComparison.Ordinal));

        // The put's lookup found an empty routing table (the node is alone) and stored locally.
        Assert.Contains(Lines(text, "drogulus_lookup_duration_seconds_count{"), l => l.Contains("kind=\"findnode\"", StringComparison.Ordinal) && l.Contains("outcome=\"routing_table_empty\"", StringComparison.Ordinal));
        Assert.Contains("# TYPE drogulus_lookup_rpcs histogram", text, StringComparison.Ordinal);
    }

    // Issue 26: what an operator's scraper and a container orchestrator's probes need, on the address given.
    [Fact]
    public async Task Start_should_serve_probes_runtime_and_process_metrics_and_a_service_name_on_the_metrics_endpoint()
    {
        var data = _directory.Child("probed");
        await NodeCli.KeygenAsync(data);
        var port = FreePort();
        await using var node = await NodeProcess.StartAsync(data, "--metrics", $"127.0.0.1:{port}");
        using var http = new HttpClient { Timeout = NodeCli.SafetyTimeout };

        using var live = await http.GetAsync($"http://127.0.0.1:{port}/health/live");
        using var ready = await http.GetAsync($"http://127.0.0.1:{port}/health/ready");
        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True(JsonDocument.Parse(await live.Content.ReadAsStringAsync()).RootElement.GetProperty("live").GetBoolean());

        // The first node of a network is ready while it waits for peers, and says it is alone.
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.True(JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("alone").GetBoolean());

        Assert.Contains("service_name=\"drogulus-node\"", text, StringComparison.Ordinal);
        Assert.Contains(Lines(text, "dotnet_gc_"), l => l.Length > 0);
        Assert.Contains(Lines(text, "process_cpu_"), l => l.Length > 0);
    }

    [Theory]
    [InlineData("9464")]
    [InlineData("nowhere:9464")]
    [InlineData("127.0.0.1:99999")]
    public async Task Start_should_report_one_line_when_the_metrics_endpoint_is_not_an_address_and_port(string metrics)
    {
        var result = await NodeCli.RunAsync("start", "--data", keyed.Data, "--listen", "127.0.0.1:0", "--metrics", metrics);

        Assert.Contains($"--metrics takes an IP address and port such as 127.0.0.1:9464, not '{metrics}'", NodeCli.SingleErrorLine(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_should_report_one_line_without_a_stack_trace_when_the_metrics_port_is_in_use()
    {
        var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        try
        {
            var port = ((IPEndPoint)holder.LocalEndpoint).Port;

            var result = await NodeCli.RunAsync("start", "--data", keyed.Data, "--listen", "127.0.0.1:0", "--metrics", $"127.0.0.1:{port}");

            Assert.Contains($"cannot serve metrics on 127.0.0.1:{port}", NodeCli.SingleErrorLine(result), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            holder.Stop();
        }
    }

    // A port that was free a moment ago: bound to port 0, read, released.
    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static IEnumerable<string> Lines(string text, string prefix) =>
        text.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal));
}
