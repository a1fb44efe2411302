// README: actor-system
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;
// README: end

namespace Drogulus.HostingSample;

/// <summary>The README's "Hosting a node in your actor system" snippet.</summary>
internal static class ActorSystemSnippet
{
    public static async Task<IReadOnlyList<string>> RunAsync()
    {
        // README: actor-system
        var system = ActorSystem.Create("app", "drogulus.k = 20");
        var node = DrogulusExtension.Get(system).Node;              // the default node: TLS on 127.0.0.1, port from drogulus.listen

        // Any number of further nodes: NodeActor.Props(settings, identity, transport) — TlsTransport, or a
        // MemoryNetwork shared by the nodes of one process for tests and simulations.
        var settings = DrogulusConfig.SettingsFrom("drogulus.alpha = 3");
        var other = system.ActorOf(NodeActor.Props(settings, NodeIdentity.Generate(system.Scheduler.Now),
                                                   new TlsTransport()), "second-node");

        var status = await node.Ask<NodeStatus>(GetNodeStatus.Instance);
        await other.Ask<IJoinReply>(new Join([status.Endpoint]));   // seeds: "host:port" or "<id hex>@host:port"

        using var publisher = PublisherKey.Generate();              // RSA 2048; keep it (ExportEncryptedPkcs8Pem)
        var item = SignedItem.Create(publisher, "greeting", "hello", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), expires: 0);
        var put = await other.Ask<IPutReply>(new Put(item));        // PutCompleted lists every node's answer
        var got = await node.Ask<IGetReply>(new Get(item.Key));     // ValueFound(item, stats) | ValueNotFound | GetFailed
        var newest = await node.Ask<IGetReply>(new Get(item.Key, Latest: true)); // newest copy among the k closest, stale holders repaired
        var health = await other.Ask<NodeHealth>(GetNodeHealth.Instance); // IsHealthy, or Reasons in words
        // README: end

        var failures = new List<string>();
        if (put is not PutCompleted { StoredCount: 2 })
        {
            failures.Add($"actor-system: the put should be stored on both nodes, got {put}");
        }

        if (got is not ValueFound found || !found.Item.Equals(item))
        {
            failures.Add($"actor-system: the get should find the item, got {got}");
        }

        if (newest is not ValueFound latest || !latest.Item.Equals(item))
        {
            failures.Add($"actor-system: the latest get should find the item, got {newest}");
        }

        if (!health.IsHealthy)
        {
            failures.Add("actor-system: the joined node should be healthy: " + string.Join("; ", health.Reasons));
        }

        await system.Terminate();
        return failures;
    }
}
