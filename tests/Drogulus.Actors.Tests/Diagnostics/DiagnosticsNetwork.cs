using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.Actors.Tests.Diagnostics;

/// <summary>
/// A few nodes on a memory network for the diagnostics specs, joined through the first one, and the roles of a
/// put with duplicate 1 of <see cref="Item"/>: the holder (the node closest to its key), the putter and the
/// getter (the other two).
/// </summary>
internal sealed class DiagnosticsNetwork
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60); // a ceiling: each wait ends with its answer

    private readonly TestKit _kit;

    private DiagnosticsNetwork(TestKit kit, Key[] ids, IActorRef[] nodes, SignedItem item)
    {
        _kit = kit;
        Ids = ids;
        Nodes = nodes;
        Item = item;
        var byDistance = Enumerable.Range(0, ids.Length).OrderBy(i => ids[i], Comparer<Key>.Create(item.Key.CompareDistance)).ToArray();
        Holder = byDistance[0];
        Putter = byDistance[1];
        Getter = byDistance[2];
    }

    public Key[] Ids { get; }

    public IActorRef[] Nodes { get; }

    public SignedItem Item { get; }

    public int Holder { get; }

    public int Putter { get; }

    public int Getter { get; }

    /// <summary>Makes the identities (so that a listener can be made for them) before anything starts.</summary>
    public static NodeIdentity[] Identities(TestKit kit, int count) =>
        Enumerable.Range(0, count).Select(_ => NodeIdentity.Generate(kit.Sys.Scheduler.Now)).ToArray();

    /// <summary>Starts the nodes of <paramref name="identities"/> and joins them through the first.</summary>
    /// <param name="kit">The test kit whose system runs the nodes.</param>
    /// <param name="identities">The nodes' identities; the first is the seed.</param>
    /// <param name="hocon">The nodes' settings.</param>
    /// <param name="addressFor">The simulated address of the node with an id (null: one group per node).</param>
    public static DiagnosticsNetwork Start(TestKit kit, NodeIdentity[] identities, string hocon = "drogulus.k = 4", Func<Key, System.Net.IPAddress?>? addressFor = null)
    {
        var settings = DrogulusConfig.SettingsFrom(hocon);
        var network = new MemoryNetwork();
        if (addressFor is not null)
        {
            network.AddressFor = (id, port) => addressFor(id) ?? MemoryNetwork.DefaultAddress(port);
        }

        var nodes = identities.Select((identity, i) => kit.Sys.ActorOf(NodeActor.Props(settings, identity, network, seed: i))).ToArray();
        var seed = nodes[0].Ask<NodeStatus>(GetNodeStatus.Instance, Wait).GetAwaiter().GetResult();
        foreach (var node in nodes.Skip(1))
        {
            node.Tell(new Join([seed.Endpoint]), kit.TestActor);
            kit.ExpectMsg<Joined>(Wait);
        }

        var item = SignedItem.Create(Publisher, "metrics-" + Guid.NewGuid().ToString("N"), "observed", kit.Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
        return new DiagnosticsNetwork(kit, identities.Select(i => i.Id).ToArray(), nodes, item);
    }

    /// <summary>A signed item of the same publisher as <see cref="Item"/>.</summary>
    public SignedItem Another(string name) => SignedItem.Create(Publisher, name, "another", _kit.Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);

    /// <summary>The putter stores <see cref="Item"/> at the one closest node, the holder.</summary>
    public PutCompleted Put()
    {
        Nodes[Putter].Tell(new Put(Item, Duplicate: 1), _kit.TestActor);
        return _kit.ExpectMsg<PutCompleted>(Wait);
    }

    /// <summary>The getter, which holds no copy, finds <see cref="Item"/> with a findvalue lookup.</summary>
    public ValueFound Get()
    {
        Nodes[Getter].Tell(new Get(Item.Key), _kit.TestActor);
        return _kit.ExpectMsg<ValueFound>(Wait);
    }

    /// <summary>
    /// The status of node <paramref name="index"/>. Its routing table and data store answer it after every message
    /// they received before, so what those messages recorded or published is in place once it returns.
    /// </summary>
    public NodeStatus Status(int index) => Nodes[index].Ask<NodeStatus>(GetNodeStatus.Instance, Wait).GetAwaiter().GetResult();
}
