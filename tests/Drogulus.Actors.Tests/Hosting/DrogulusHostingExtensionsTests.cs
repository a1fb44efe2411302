using Akka.Actor;
using Akka.Hosting;
using Drogulus.Actors.Hosting;
using Drogulus.Actors.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Drogulus.Actors.Tests.Hosting;

public sealed class DrogulusHostingExtensionsTests
{
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
            var status = await (await node.GetAsync()).Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(10));

            Assert.StartsWith("memory:", status.Endpoint);
            Assert.Equal(0, status.Contacts);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
