using Akka.Actor;
using Akka.Hosting;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Drogulus.Hosting.Tests;

public sealed class DrogulusHostingExtensionsTests
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(60); // each wait ends with its answer

    [Fact]
    public async Task WithDrogulusNode_should_register_a_running_node_when_a_generic_host_starts()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("hosted", akka => akka
            .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
            .WithDrogulusNode(options => options.Hocon = "drogulus { k = 8, transport = memory }"));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var node = host.Services.GetRequiredService<IRequiredActor<DrogulusNode>>();
            var status = await (await node.GetAsync()).Ask<NodeStatus>(GetNodeStatus.Instance, Ceiling);

            // A memory node is reached at its simulated IP address (one address group per node unless a test chooses).
            Assert.Matches(@"^\d+\.\d+\.\d+\.\d+:\d+$", status.Endpoint);
            Assert.Equal(0, status.Contacts);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task WithDrogulusNode_should_start_the_node_with_options_bound_from_configuration()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Drogulus:K"] = "8",
            ["Drogulus:Transport"] = "memory",
            ["Drogulus:ActorName"] = "configured-node",
        });
        builder.Services.AddAkka("hosted", akka => akka
            .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
            .WithDrogulusNode(builder.Configuration.GetSection("Drogulus")));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var node = await host.Services.GetRequiredService<IRequiredActor<DrogulusNode>>().GetAsync();
            var status = await node.Ask<NodeStatus>(GetNodeStatus.Instance, Ceiling);

            Assert.Equal("configured-node", node.Path.Name);
            // A memory node is reached at its simulated IP address (one address group per node unless a test chooses).
            Assert.Matches(@"^\d+\.\d+\.\d+\.\d+:\d+$", status.Endpoint);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Health_check_should_report_alone_before_join_and_healthy_after_a_contact_answered()
    {
        var network = new MemoryNetwork();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHealthChecks();
        builder.Services.AddAkka("hosted", akka => akka
            .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
            .WithDrogulusNode(options =>
            {
                options.K = 8;
                options.TransportFactory = network;
            }));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var health = host.Services.GetRequiredService<HealthCheckService>();
            var before = await health.CheckHealthAsync();
            var entry = before.Entries[DrogulusNodeHealthCheck.Name];

            // Issue 26: no seeds and no contacts is the first node of a network, ready while it waits.
            Assert.Equal(HealthStatus.Healthy, entry.Status);
            Assert.Contains("alone", entry.Description, StringComparison.Ordinal);
            Assert.Equal(true, entry.Data["alone"]);

            // A second node on the same memory network; the hosted node joins through it.
            var system = host.Services.GetRequiredService<ActorSystem>();
            var settings = DrogulusConfig.SettingsFrom("drogulus.k = 8");
            var seed = system.ActorOf(NodeActor.Props(settings, NodeIdentity.Generate(system.Scheduler.Now), network, seed: 1));
            var seedStatus = await seed.Ask<NodeStatus>(GetNodeStatus.Instance, Ceiling);
            var node = await host.Services.GetRequiredService<IRequiredActor<DrogulusNode>>().GetAsync();
            Assert.IsType<Joined>(await node.Ask<IJoinReply>(new Join([seedStatus.Endpoint]), Ceiling));

            var after = await health.CheckHealthAsync();
            Assert.Equal(HealthStatus.Healthy, after.Entries[DrogulusNodeHealthCheck.Name].Status);
            Assert.Equal(HealthStatus.Healthy, after.Status);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
