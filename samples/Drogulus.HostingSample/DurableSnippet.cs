using Akka.Actor;
using Akka.Hosting;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;
using Drogulus.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Drogulus.HostingSample;

/// <summary>
/// The README's "A hosted node that survives restarts" snippet: a hosted node with an identity file, a SQLite store
/// and a routing-table file, stopped and started again without seeds, keeps its id, its items and its contacts.
/// </summary>
internal static class DurableSnippet
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<IReadOnlyList<string>> RunAsync()
    {
        var failures = new List<string>();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "drogulus-hosting-sample-" + Guid.NewGuid().ToString("N"));
        using var peerSystem = ActorSystem.Create("peer", "akka.loglevel = WARNING");
        using var peerIdentity = NodeIdentity.Generate(peerSystem.Scheduler.Now);
        var peer = peerSystem.ActorOf(NodeActor.Props(DrogulusConfig.SettingsFrom("drogulus.transport = tls"), peerIdentity, new TlsTransport()), "peer");
        var seed = (await peer.Ask<NodeStatus>(GetNodeStatus.Instance, Timeout)).Endpoint;
        using var publisher = PublisherKey.Generate();
        var item = SignedItem.Create(publisher, "kept", "across restarts", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 0);
        try
        {
            NodeStatus before;
            using (var host = Durable(dataDirectory, [seed]))
            {
                await host.StartAsync();
                var node = await host.Services.GetRequiredService<IRequiredActor<DrogulusNode>>().GetAsync();
                await node.Ask<IJoinReply>(new Join([seed]), Timeout);
                await node.Ask<IPutReply>(new Put(item), Timeout);
                before = await node.Ask<NodeStatus>(GetNodeStatus.Instance, Timeout);
                await host.StopAsync();
            }

            using (var host = Durable(dataDirectory, []))
            {
                await host.StartAsync();
                var node = await host.Services.GetRequiredService<IRequiredActor<DrogulusNode>>().GetAsync();
                var after = await node.Ask<NodeStatus>(GetNodeStatus.Instance, Timeout);
                if (after.NodeId != before.NodeId || after.Items != before.Items || after.Contacts != before.Contacts || before.Contacts == 0)
                {
                    failures.Add($"durable-hosting: expected the same id, items and contacts after a restart, got {before} then {after}");
                }

                await host.StopAsync();
            }
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        return failures;
    }

    private static IHost Durable(string dataDirectory, string[] seeds)
    {
        // README: durable-hosting
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("app", akka => akka.WithDrogulusNode(options =>
        {
            options.IdentityFile = Path.Combine(dataDirectory, "node-identity.pfx");           // made on first start, encrypted
            options.IdentityPassphrase = Environment.GetEnvironmentVariable("DROGULUS_PASSPHRASE") ?? "correct horse battery staple";
            options.SqliteStore = Path.Combine(dataDirectory, "items.db");                    // items survive restarts
            options.RoutingTableFile = Path.Combine(dataDirectory, "routing-table.bin");      // saved while running; rejoins without seeds
            foreach (var seed in seeds)
            {
                options.Seeds.Add(seed);
            }
        }));
        return builder.Build();
        // README: end
    }
}
