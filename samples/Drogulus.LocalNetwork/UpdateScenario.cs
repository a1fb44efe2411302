using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Storage;

namespace Drogulus.LocalNetwork;

/// <summary>One node of the demo: its identity and item store outlive the actor, so a stopped node can come back.</summary>
internal sealed class DemoNode(int index, NodeIdentity identity, IItemStore store)
{
    public int Index { get; } = index;

    public NodeIdentity Identity { get; } = identity;

    public Key Id => Identity.Id;

    public IItemStore Store { get; } = store;

    public IActorRef Ref { get; set; } = ActorRefs.Nobody;

    public int Restarts { get; set; }
}

/// <summary>What the update scenario saw (issue 11): reads of an item updated while some of its holders were away.</summary>
internal sealed record UpdateReport(
    int Items,
    int HoldersOfV1,
    int HoldersStopped,
    int V2Stored,
    int PlainReads,
    int PlainReadsSawV1,
    int LatestReads,
    int LatestReadsSawV1,
    int ReadsFailed,
    string Restart);

/// <summary>
/// The update scenario of issue 11, per item: v1 is already stored; a quarter of v1's holders (at least one)
/// stop; v2 is put from another node; the stopped holders come back (a new node actor with the same identity
/// and the same item store, so they still hold v1, joining again through the seed); then the item is read from
/// other nodes, first plainly (the first copy found wins) and then with <c>Latest</c> (the newest of the k
/// closest, stale holders repaired). Items are updated one after another so the quarter is exact per item.
/// </summary>
internal sealed class UpdateScenario(ActorSystem system, DrogulusSettings settings, ITransportFactory transport, IReadOnlyList<DemoNode> nodes, string seedEndpoint, Random random)
{
    private const int ReadsPerMode = 4;

    public const string RestartMode = "node actors stopped, then started again with the same identity and item store (new endpoint, join through the seed)";

    private TimeSpan Timeout => settings.LookupTimeout + settings.RequestTimeout + settings.RequestTimeout;

    public async Task<UpdateReport> RunAsync(IReadOnlyList<(SignedItem V1, IReadOnlySet<Key> Holders)> updates, PublisherKey[] publishers, Action step)
    {
        int holders = 0, stopped = 0, v2Stored = 0, plain = 0, plainV1 = 0, latest = 0, latestV1 = 0, failed = 0;
        foreach (var (v1, holderIds) in updates)
        {
            var publisher = publishers.Single(p => p.PublicKeyPem == v1.PublicKey);
            var holderNodes = nodes.Where(n => holderIds.Contains(n.Id) && n.Index != 0).ToList();
            var away = holderNodes.OrderBy(_ => random.Next()).Take(Math.Max(1, holderIds.Count / 4)).ToList();
            holders += holderIds.Count;
            stopped += away.Count;
            foreach (var node in away)
            {
                await node.Ref.GracefulStop(Timeout);
            }

            var present = nodes.Where(n => !away.Contains(n)).ToList();
            var writer = present[random.Next(present.Count)];
            var v2 = SignedItem.Create(publisher, v1.Name, $"version 2 of {v1.Name}", v1.Timestamp + 1, 0);
            if (await writer.Ref.Ask<IPutReply>(new Put(v2), Timeout) is PutCompleted { StoredCount: > 0 })
            {
                v2Stored++;
            }

            foreach (var node in away)
            {
                await StartAsync(node);
            }

            foreach (var mode in new[] { false, true })
            {
                for (var r = 0; r < ReadsPerMode; r++)
                {
                    var reader = nodes[random.Next(nodes.Count)];
                    var reply = await reader.Ref.Ask<IGetReply>(new Get(v1.Key, Latest: mode), Timeout);
                    var sawV1 = reply is ValueFound found && found.Item.Timestamp == v1.Timestamp;
                    failed += reply is ValueFound ? 0 : 1;
                    (plain, plainV1, latest, latestV1) = mode
                        ? (plain, plainV1, latest + 1, latestV1 + (sawV1 ? 1 : 0))
                        : (plain + 1, plainV1 + (sawV1 ? 1 : 0), latest, latestV1);
                }
            }

            step();
        }

        return new UpdateReport(updates.Count, holders, stopped, v2Stored, plain, plainV1, latest, latestV1, failed, RestartMode);
    }

    /// <summary>Starts (or starts again) a node's actor and, unless it is the seed, joins it through the seed.</summary>
    public async Task StartAsync(DemoNode node)
    {
        var name = node.Restarts == 0 ? $"node-{node.Index}" : $"node-{node.Index}-restart-{node.Restarts}";
        node.Restarts++;
        node.Ref = system.ActorOf(NodeActor.Props(settings, node.Identity, transport, node.Store, seed: random.Next()), name);
        var reply = await node.Ref.Ask<IJoinReply>(new Join([seedEndpoint]), Timeout);
        if (reply is JoinFailed failed)
        {
            throw new InvalidOperationException($"node {node.Index} failed to join again: {failed.Reason}");
        }
    }
}
