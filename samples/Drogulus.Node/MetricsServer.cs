using System.Globalization;
using System.Net;
using Drogulus.Actors.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Akka.Actor;
using Drogulus.Actors.Protocol;
using Microsoft.AspNetCore.Http;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Drogulus.Node;

/// <summary>
/// <c>start --metrics host:port</c>: the node's <see cref="DrogulusMetrics"/>, with the .NET runtime's and the
/// process's (GC, heap, thread pool, CPU, memory), in Prometheus text format at <c>http://host:port/metrics</c>,
/// through OpenTelemetry's exporter on its own Kestrel server, and <c>/health/live</c> and <c>/health/ready</c>
/// for a container orchestrator's probes (the control channel is on 127.0.0.1 only). Off unless asked
/// for; bound to exactly the address given (loopback, or any other the operator chooses: the endpoint has no
/// authentication, so expose it only to the network that scrapes it).
/// </summary>
internal static class MetricsServer
{
    /// <summary>Parses <c>host:port</c> (an IP address or <c>localhost</c>; IPv6 in brackets).</summary>
    public static IPEndPoint Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon > 0
            && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            && text[..colon] is var host
            && (host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip : null) is { } address)
        {
            return new IPEndPoint(address, port);
        }

        throw new CliException($"--metrics takes an IP address and port such as 127.0.0.1:9464, not '{text}'");
    }

    /// <summary>The <c>service.name</c> of the metrics (Prometheus <c>target_info</c>, <c>job</c> in OTLP).</summary>
    public const string ServiceName = "drogulus-node";

    /// <summary>
    /// Serves the metrics at <paramref name="endpoint"/> (the node's, the .NET runtime's and the process's) and
    /// the probes of a container orchestrator, and prints the URL; dispose the server to stop it.
    /// </summary>
    public static async Task<WebApplication> StartAsync(IPEndPoint endpoint, IActorRef node, string nodeId, TimeSpan timeout)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(endpoint));
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceInstanceId: nodeId))
            .WithMetrics(metrics => metrics
                .AddMeter(DrogulusMetrics.MeterName)
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint();

        // Liveness: the node's actors answer (a restart is the cure when they do not). Readiness: the node can
        // serve the network, the checks of GetNodeHealth (a first node alone is ready; it waits for peers).
        app.MapGet("/health/live", async () =>
        {
            try
            {
                var status = await node.Ask<NodeStatus>(GetNodeStatus.Instance, timeout);
                return Results.Json(new { live = true, nodeId = status.NodeId.ToString() });
            }
            catch (Exception e) when (e is AskTimeoutException or InvalidOperationException)
            {
                return Results.Json(new { live = false, reason = e.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        app.MapGet("/health/ready", async () =>
        {
            var health = await node.Ask<NodeHealth>(GetNodeHealth.Instance, timeout);
            return Results.Json(ControlServer.DescribeHealth(health), statusCode: health.IsHealthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        try
        {
            await app.StartAsync();
        }
        catch (Exception e) when (e is IOException or Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await app.DisposeAsync();
            throw new CliException($"cannot serve metrics on {endpoint}: {e.Message}");
        }

        var bound = new Uri(app.Urls.First());
        Console.WriteLine($"metrics on http://{endpoint.Address.ToUriHost()}:{bound.Port}/metrics");
        return app;
    }

    private static string ToUriHost(this IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}
