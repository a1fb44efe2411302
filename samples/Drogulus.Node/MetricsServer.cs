using System.Globalization;
using System.Net;
using Drogulus.Actors.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Drogulus.Node;

/// <summary>
/// <c>start --metrics host:port</c>: the node's <see cref="DrogulusMetrics"/> in Prometheus text format at
/// <c>http://host:port/metrics</c>, through OpenTelemetry's exporter on its own Kestrel server. Off unless asked
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

    /// <summary>Serves the metrics at <paramref name="endpoint"/> and prints the URL; dispose the server to stop it.</summary>
    public static async Task<WebApplication> StartAsync(IPEndPoint endpoint)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(endpoint));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(DrogulusMetrics.MeterName)
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint();
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
