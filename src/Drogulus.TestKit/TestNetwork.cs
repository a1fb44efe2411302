using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Akka.TestKit;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;

namespace Drogulus.Testing;

/// <summary>
/// N nodes on one <see cref="MemoryNetwork"/> in a TestKit test, started and joined in one call. Node i has
/// the identity <see cref="SeededIdentity.Create"/> of <c>seed × 100000 + i</c> (the same ids on every run)
/// and is named <c>{name}-{i}</c>; every node but the first joins through the first. With
/// <see cref="Start"/> the nodes start and join one after another, so ports and routing tables come out the
/// same on every run; <see cref="StartAsync"/> starts them all at once and joins them concurrently, which is
/// faster for hundreds of nodes. Run the kit on <see cref="VirtualTime"/> to drive the nodes' timers by hand.
/// Each node has an IP address that its peers see (PROTOCOL §1 address groups): by default one distinct,
/// non-private group per node (<see cref="MemoryNetwork.DefaultAddress"/>); pass <c>addresses</c> to choose
/// them, say to put many nodes in one group.
/// </summary>
public sealed class TestNetwork
{
    private readonly TestKitBase _kit;
    private readonly List<TestNode> _nodes = new();
    private readonly string _name;
    private readonly int _seed;
    private readonly TimeSpan _wait;
    private readonly ConcurrentDictionary<Key, int> _indexOf = new();
    private int _nextPeer;

    private TestNetwork(TestKitBase kit, DrogulusSettings settings, int seed, string name, TimeSpan wait, Func<int, IPAddress>? addresses)
    {
        _kit = kit;
        Settings = settings;
        _seed = seed;
        _name = name;
        _wait = wait;
        if (addresses is not null)
        {
            Network.AddressFor = (id, port) => _indexOf.TryGetValue(id, out var index) ? addresses(index) : MemoryNetwork.DefaultAddress(port);
        }
    }

    /// <summary>The memory network the nodes are on; its <see cref="MemoryNetwork.Drop"/> loses messages on purpose.</summary>
    public MemoryNetwork Network { get; } = new();

    /// <summary>The settings every node of this network was started with.</summary>
    public DrogulusSettings Settings { get; }

    /// <summary>Every node started, stopped ones included, in the order they started.</summary>
    public IReadOnlyList<TestNode> Nodes => _nodes;

    /// <summary>The nodes not stopped.</summary>
    public IReadOnlyList<TestNode> Live => _nodes.Where(n => !n.IsStopped).ToArray();

    /// <summary>Node <paramref name="index"/>, in start order.</summary>
    public TestNode this[int index] => _nodes[index];

    /// <summary>How many nodes were started.</summary>
    public int Count => _nodes.Count;

    /// <summary>
    /// Starts <paramref name="count"/> nodes one after another and joins each through the first (unless
    /// <paramref name="join"/> is false); returns when every node has joined.
    /// </summary>
    /// <param name="kit">The test's kit.</param>
    /// <param name="count">Nodes to start (0 for an empty network that <see cref="AddNode(bool)"/> fills).</param>
    /// <param name="settings">Settings of every node; the reference settings when null.</param>
    /// <param name="seed">Seed of the nodes' identities and randomness.</param>
    /// <param name="join">Join every node through the first.</param>
    /// <param name="name">Prefix of the actor names (two networks in one actor system need two prefixes).</param>
    /// <param name="wait">How long each step waits at most for its answer (real time); 60 s when null.</param>
    /// <param name="addresses">The IP address of node i (raw peers keep the default); one distinct group per node when null.</param>
    public static TestNetwork Start(TestKitBase kit, int count, DrogulusSettings? settings = null, int seed = 1, bool join = true, string name = "node", TimeSpan? wait = null, Func<int, IPAddress>? addresses = null)
    {
        var network = Create(kit, count, settings, seed, name, wait, addresses);
        for (var i = 0; i < count; i++)
        {
            network.AddNode(join: join && i > 0);
        }

        return network;
    }

    /// <summary>Like <see cref="Start"/>, but every node starts at once and the joins run concurrently.</summary>
    public static async Task<TestNetwork> StartAsync(TestKitBase kit, int count, DrogulusSettings? settings = null, int seed = 1, bool join = true, string name = "node", TimeSpan? wait = null, Func<int, IPAddress>? addresses = null)
    {
        var network = Create(kit, count, settings, seed, name, wait, addresses);
        var started = await Task.WhenAll(Enumerable.Range(0, count).Select(network.StartNodeAsync)).ConfigureAwait(false);
        network._nodes.AddRange(started);
        if (join && count > 1)
        {
            var seedEndpoint = started[0].Endpoint;
            var joins = await Task.WhenAll(started.Skip(1).Select(n => n.Node.Ask<IJoinReply>(new Join([seedEndpoint]), n.Wait))).ConfigureAwait(false);
            foreach (var (reply, node) in joins.Zip(started.Skip(1)))
            {
                if (reply is not Joined)
                {
                    throw kit.Failure($"{node} did not join: {reply}");
                }
            }
        }

        return network;
    }

    /// <summary>Starts one more node (the next seeded identity) and, unless <paramref name="join"/> is false, joins it through the first node.</summary>
    public TestNode AddNode(bool join = true) => AddNode(join, settings: null);

    /// <summary>
    /// Starts one more node (the next seeded identity) with its own <paramref name="settings"/> (say
    /// <c>reachability = auto</c>), at <paramref name="host"/> on the memory network (an IP address as text puts it
    /// in an address group), and, when <paramref name="dialable"/> is false, behind NAT: it can open connections
    /// and is answered over them, but nobody can dial it (PROTOCOL §10). Unless <paramref name="join"/> is false it
    /// joins through the first node.
    /// </summary>
    public TestNode AddNode(bool join, DrogulusSettings? settings, string? host = null, bool dialable = true)
    {
        var index = _nodes.Count;
        if (host is not null || !dialable)
        {
            Network.Place(SeededIdentity.Create(unchecked((_seed * 100_000) + index)).Id, host, dialable);
        }

        var node = StartNodeAsync(index, settings).GetAwaiter().GetResult();
        _nodes.Add(node);
        if (join && _nodes.Count > 1)
        {
            node.Join(_nodes[0].Endpoint);
        }

        return node;
    }

    /// <summary>A raw peer on this network with a seeded id (distinct from every node's and every other peer's).</summary>
    public RawPeer AddRawPeer() => new(_kit, Network, Key.Random(new Random(unchecked((_seed * 7919) + ++_nextPeer))));

    /// <summary>The node with id <paramref name="id"/>; null when none has it.</summary>
    public TestNode? NodeOf(Key id) => _nodes.FirstOrDefault(n => n.Id == id);

    /// <summary>Index of the node with id <paramref name="id"/> in <see cref="Nodes"/>; -1 when none has it.</summary>
    public int IndexOf(Key id) => _nodes.FindIndex(n => n.Id == id);

    /// <summary>The <paramref name="count"/> live nodes closest to <paramref name="key"/> by XOR distance, closest first.</summary>
    public IReadOnlyList<TestNode> ClosestTo(Key key, int count) =>
        Live.OrderBy(n => n.Id, Comparer<Key>.Create(key.CompareDistance)).Take(count).ToArray();

    /// <summary>Moves the virtual clock on (the kit must run on <see cref="VirtualTime"/>).</summary>
    public void Advance(TimeSpan by) => VirtualTime.Advance(_kit, by);

    private static TestNetwork Create(TestKitBase kit, int count, DrogulusSettings? settings, int seed, string name, TimeSpan? wait, Func<int, IPAddress>? addresses)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new TestNetwork(kit, settings ?? DrogulusConfig.SettingsFrom((Akka.Configuration.Config?)null), seed, name, wait ?? TimeSpan.FromSeconds(60), addresses);
    }

    private Task<TestNode> StartNodeAsync(int index) => StartNodeAsync(index, null);

    private Task<TestNode> StartNodeAsync(int index, DrogulusSettings? settings)
    {
        var seed = unchecked((_seed * 100_000) + index);
        var identity = SeededIdentity.Create(seed);
        _indexOf[identity.Id] = index;
        return TestNode.StartAsync(_kit, Network, settings ?? Settings, $"{_name}-{index}", seed, identity, wait: _wait);
    }
}
