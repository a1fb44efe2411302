using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Drogulus.Hosting.Tests;

/// <summary>
/// A hosted node as durable as the command-line node: with an identity file, a SQLite store and a routing-table
/// file it restarts with the same id, the same items and the same contacts (over TLS on 127.0.0.1).
/// </summary>
public sealed class DurableHostedNodeTests : IDisposable
{
    // A ceiling against a hung node only; every wait ends with the answer it waits for.
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(60);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "drogulus-hosted-specs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Hosted_node_should_keep_its_id_items_and_contacts_when_restarted_with_its_files()
    {
        using var peerSystem = ActorSystem.Create("peer", "akka.loglevel = WARNING");
        using var peerIdentity = NodeIdentity.Generate(peerSystem.Scheduler.Now);
        var peer = peerSystem.ActorOf(NodeActor.Props(DrogulusConfig.SettingsFrom("drogulus.k = 8"), peerIdentity, new TlsTransport()), "peer");
        var peerEndpoint = (await peer.Ask<NodeStatus>(GetNodeStatus.Instance, Ceiling)).Endpoint;
        using var publisher = PublisherKey.Generate();
        var item = SignedItem.Create(publisher, "kept", "across restarts", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 0);

        NodeStatus first;
        await using (var host = await StartAsync([peerEndpoint]))
        {
            var node = await NodeOf(host);
            Assert.IsType<Joined>(await node.Ask<IJoinReply>(new Join([peerEndpoint]), Ceiling));
            Assert.IsType<PutCompleted>(await node.Ask<IPutReply>(new Put(item), Ceiling));
            first = await node.Ask<NodeStatus>(GetNodeStatus.Instance, Ceiling);
            Assert.True(first.Contacts >= 1 && first.Items >= 1, first.ToString());
        }

        Assert.True(File.Exists(Path.Combine(_directory, "node-identity.pfx")), "no identity file was written");

        // No seeds this time: the node must find its peer through the saved table.
        await using (var host = await StartAsync([]))
        {
            var node = await NodeOf(host);
            var again = await node.Ask<NodeStatus>(GetNodeStatus.Instance, Ceiling);

            Assert.Equal(first.NodeId, again.NodeId);
            Assert.Equal(first.Items, again.Items);
            Assert.Equal(first.Contacts, again.Contacts);
            Assert.Equal(item, Assert.IsType<ValueFound>(await node.Ask<IGetReply>(new Get(item.Key), Ceiling)).Item);
        }
    }

    [Fact]
    public async Task Hosted_node_should_refuse_to_start_when_its_identity_file_has_no_passphrase()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("durable", akka => akka
            .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
            .WithDrogulusNode(options =>
            {
                options.Transport = "memory";
                options.IdentityFile = Path.Combine(_directory, "node-identity.pfx");
            }));
        using var host = builder.Build();

        var error = await Record.ExceptionAsync(() => host.StartAsync());

        Assert.NotNull(error);
        Assert.Contains("IdentityPassphrase", error.ToString(), StringComparison.Ordinal);
    }

    private async Task<RunningHost> StartAsync(string[] seeds)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("durable", akka => akka
            .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
            .WithDrogulusNode(options =>
            {
                options.K = 8;
                options.Transport = "tls";
                options.IdentityFile = Path.Combine(_directory, "node-identity.pfx");
                options.IdentityPassphrase = "correct horse battery staple";
                options.SqliteStore = Path.Combine(_directory, "items.db");
                options.RoutingTableFile = Path.Combine(_directory, "routing-table.bin");
                foreach (var seed in seeds)
                {
                    options.Seeds.Add(seed);
                }
            }));
        var host = builder.Build();
        await host.StartAsync();
        return new RunningHost(host);
    }

    private static Task<IActorRef> NodeOf(RunningHost host) =>
        host.Host.Services.GetRequiredService<IRequiredActor<DrogulusNode>>().GetAsync();

    private sealed record RunningHost(IHost Host) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Host.StopAsync();
            Host.Dispose();
        }
    }
}
