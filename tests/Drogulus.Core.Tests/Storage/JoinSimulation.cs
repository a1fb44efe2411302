using Drogulus.Core.Identity;
using Drogulus.Core.Lookup;
using Drogulus.Core.Routing;

namespace Drogulus.Core.Tests.Storage;

/// <summary>
/// A network of pure nodes whose routing tables are built the way real ones are: every node owns a
/// <see cref="RoutingTable"/> and joins through a seed as PROTOCOL §10 says (ping the seed, look up its own
/// id, then refresh every bucket farther away than its closest neighbour). Each RPC makes the callee learn
/// the caller (§6) and the caller learn the callee when it answers; contacts named in a <c>nodes</c> reply
/// that the caller's table has room for are pinged, as the routing-table actor does, so that they learn the
/// caller too. Replies arrive in a random order. <see cref="NewContact"/> fires whenever a contact enters a
/// node's buckets or the node first hears of it, the moments at which a node may run its hand-over rule. No RPC fails. Without <c>probeNamedContacts</c>, a node messages
/// only the nodes its lookups ask, the least a newcomer can make known of itself.
/// </summary>
internal sealed class JoinSimulation
{
    private readonly int _k;
    private readonly bool _probeNamedContacts;
    private readonly int _alpha;
    private readonly Random _random;
    private readonly Dictionary<Key, Node> _nodes = [];
    private DateTimeOffset _now = TestItems.T0;

    public JoinSimulation(int k, int alpha, Random random, bool probeNamedContacts = true)
    {
        _probeNamedContacts = probeNamedContacts;
        _k = k;
        _alpha = alpha;
        _random = random;
    }

    /// <summary>
    /// Called with the learning node and the result of its add, right after a contact entered its buckets
    /// (<see cref="AddResult.IsNew"/>) or the node first heard of it (<see cref="AddResult.IsFirstSight"/>:
    /// a bucket, or the replacement cache when the bucket is full).
    /// </summary>
    public Action<Node, AddResult>? NewContact { get; set; }

    /// <summary>Every node, in the order they joined.</summary>
    public List<Node> Nodes { get; } = [];

    /// <summary>RPCs sent so far (pings and lookup requests).</summary>
    public long Rpcs { get; private set; }

    public DateTimeOffset Now => _now;

    public Node this[Key id] => _nodes[id];

    /// <summary>
    /// Adds a node with a random id and joins it through a random node already present (the first node
    /// has nobody to join).
    /// </summary>
    public Node Join() => Join(Key.Random(_random));

    /// <summary>Adds a node with <paramref name="id"/> and joins it as <see cref="Join()"/> does.</summary>
    public Node Join(Key id)
    {
        var node = new Node(new Contact(id, "10.0.0.1", 10_000 + Nodes.Count, "1.0", _now), new RoutingTable(id, _k, 5, _now));
        var seed = Nodes.Count == 0 ? null : Nodes[_random.Next(Nodes.Count)];
        _nodes.Add(id, node);
        Nodes.Add(node);
        if (seed is null)
        {
            return node;
        }

        Rpc(node, seed);
        Lookup(node, id);
        foreach (var target in node.Table.RefreshTargetsBeyondClosestNeighbour(_random))
        {
            Lookup(node, target);
        }

        return node;
    }

    /// <summary>The true k closest nodes to <paramref name="key"/>, by brute force over every node.</summary>
    public IEnumerable<Node> TrueClosest(Key key, int count) =>
        Nodes.OrderBy(n => n.Id, Comparer<Key>.Create(key.CompareDistance)).Take(count);

    // One request and its answer: the callee learns the caller as the request arrives, the caller learns
    // the callee as the answer arrives.
    private void Rpc(Node from, Node to)
    {
        Rpcs++;
        _now = _now.AddMilliseconds(1);
        Learn(to, from);
        Learn(from, to);
    }

    private void Learn(Node learner, Node peer)
    {
        var result = learner.Table.Add(peer.Contact with { LastSeen = _now });
        if (result.IsFirstSight || result.IsNew)
        {
            NewContact?.Invoke(learner, result);
        }
    }

    private void Lookup(Node origin, Key target)
    {
        var lookup = new LookupState(origin.Id, target, LookupKind.FindNode, origin.Table.Closest(target, _k), _k, _alpha, _now);
        var pending = new List<Contact>();
        while (lookup.Status == LookupStatus.Running)
        {
            pending.AddRange(lookup.NextRequests(_now));
            var index = _random.Next(pending.Count);
            var peer = _nodes[pending[index].Id];
            pending.RemoveAt(index);
            Rpc(origin, peer);
            var reply = peer.Table.Closest(target, _k, [origin.Id]);
            lookup.OnNodes(peer.Id, reply, _now);
            foreach (var named in reply)
            {
                if (_probeNamedContacts && origin.Table.HasRoomFor(named.Id))
                {
                    Rpc(origin, _nodes[named.Id]);
                }
            }
        }
    }

    /// <summary>A simulated node: its contact and its routing table.</summary>
    internal sealed class Node(Contact contact, RoutingTable table)
    {
        public Contact Contact { get; } = contact;

        public Key Id => Contact.Id;

        public RoutingTable Table { get; } = table;
    }
}
