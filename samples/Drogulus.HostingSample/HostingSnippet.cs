// README: akka-hosting
using Akka.Hosting;
using Drogulus.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
// README: end
using Akka.Actor;
using Drogulus.Actors.Protocol;

namespace Drogulus.HostingSample;

/// <summary>The README's "Hosting with Akka.Hosting" snippet.</summary>
internal static class HostingSnippet
{
    public static async Task<IReadOnlyList<string>> RunAsync(string[] args)
    {
        // README: akka-hosting
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddHealthChecks();
        builder.Services.AddAkka("app", akka => akka.WithDrogulusNode(
            builder.Configuration.GetSection("Drogulus"),           // appsettings.json: "Drogulus": { "K": 20, "ListenPort": 4100, "Seeds": [...] }
            options => options.Hocon = "drogulus.alpha = 3"));      // typed options win over HOCON, HOCON over reference.conf
        using var host = builder.Build();
        await host.StartAsync();

        var node = await host.Services.GetRequiredService<IRequiredActor<DrogulusNode>>().GetAsync(); // the node's IActorRef
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var check = report.Entries[DrogulusNodeHealthCheck.Name];   // Unhealthy (with the reasons) when no contact answers; a first node alone is Healthy
        // README: end

        var failures = new List<string>();
        var status = await node.Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(10));
        if (!status.Endpoint.StartsWith("127.0.0.1:", StringComparison.Ordinal))
        {
            failures.Add($"akka-hosting: the node should listen on 127.0.0.1, got {status.Endpoint}");
        }

        if (check.Status != HealthStatus.Healthy || check.Description?.Contains("alone", StringComparison.Ordinal) != true)
        {
            failures.Add($"akka-hosting: a node with no seeds and no contacts should be healthy and say it is alone, got {check.Status}: {check.Description}");
        }

        await host.StopAsync();
        return failures;
    }
}
