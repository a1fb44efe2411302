using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.Core.Tests.Lookup;

/// <summary>
/// A network of pure nodes for lookup properties: random ids, and for every node a Kademlia routing table
/// built by brute force (per bucket, i.e. per shared-prefix length with its own id, up to k random peers).
/// A fraction of the nodes fail every RPC but stay in other nodes' tables, as dead peers do. Nodes may hold
/// a copy of an item (<see cref="Holdings"/>), which they answer a <c>findvalue</c> with.
/// </summary>
internal sealed class SimulatedNetwork
{
    private readonly Contact[][] _tables;
    private readonly Dictionary<Key, int> _index = [];
    private readonly bool[] _failing;

    public SimulatedNetwork(int size, int k, double failingFraction, Random random)
    {
        Nodes = new Contact[size];
        _failing = new bool[size];
        for (var i = 0; i < size; i++)
        {
            Nodes[i] = new Contact(Key.Random(random), "10.0.0.1", 10_000 + i, "1.0", LookupTestData.Start);
            _index.Add(Nodes[i].Id, i);
            _failing[i] = random.NextDouble() < failingFraction;
        }

        _tables = new Contact[size][];
        for (var i = 0; i < size; i++)
        {
            var buckets = new Dictionary<int, List<Contact>>();
            for (var j = 0; j < size; j++)
            {
                if (j != i)
                {
                    var bucket = (Nodes[i].Id ^ Nodes[j].Id).LeadingZeroBits();
                    if (!buckets.TryGetValue(bucket, out var list))
                    {
                        buckets[bucket] = list = [];
                    }

                    list.Add(Nodes[j]);
                }
            }

            _tables[i] = buckets.Values.SelectMany(b => b.Count <= k ? b : b.OrderBy(_ => random.Next()).Take(k)).ToArray();
        }
    }

    public Contact[] Nodes { get; }

    /// <summary>The copy each node holds of the item a run reads, by node id; a run sets it up.</summary>
    public Dictionary<Key, SignedItem> Holdings { get; } = [];

    public bool IsFailing(Key id) => _failing[_index[id]];

    /// <summary>What a node's routing table gives: its k closest known to the target, less the requester.</summary>
    public IReadOnlyList<Contact> ClosestKnown(Key node, Key target, Key requester, int k) =>
        _tables[_index[node]].Where(c => c.Id != requester).Order(ByDistance(target)).Take(k).ToArray();

    /// <summary>The true k closest nodes to the target by brute force, less <paramref name="excluded"/>.</summary>
    public Key[] TrueClosest(Key target, Key excluded, int k, bool liveOnly) =>
        Nodes.Where(c => c.Id != excluded && !(liveOnly && IsFailing(c.Id))).Order(ByDistance(target)).Take(k).Select(c => c.Id).ToArray();

    private static Comparer<Contact> ByDistance(Key target) => Comparer<Contact>.Create((a, b) => target.CompareDistance(a.Id, b.Id));
}
