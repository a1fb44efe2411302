using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Integration;

/// <summary>
/// Newest-mode gets over the memory network (PROTOCOL §9 "Newest mode", §10 get): a latest get returns the
/// newest copy among the k closest from every reader and repairs the stale holders; a plain get still stops
/// at the first valid copy.
/// </summary>
public sealed class NewestGetTests : TestKit
{
    private const int K = 4;
    private static readonly PublisherKey Publisher = PublisherKey.Generate();
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120); // a ceiling: each wait ends with its answer

    private readonly TestNetwork _network;
    private readonly IActorRef[] _nodes;

    public NewestGetTests()
        : base(VirtualTime.Config)
    {
        _network = TestNetwork.Start(this, 12, DrogulusConfig.SettingsFrom($"drogulus {{ k = {K}, alpha = 2 }}"));
        _nodes = _network.Nodes.Select(n => n.Node).ToArray();
    }

    [Fact]
    public async Task Latest_get_should_return_the_newest_copy_from_every_reader_and_repair_every_stale_holder()
    {
        var v1 = Item("counter", "v1", 0);
        var v2 = Item("counter", "v2", 10);
        Assert.IsType<PutCompleted>(await _nodes[0].Ask<IPutReply>(new Put(v1), Wait));

        // Only the two closest hear of the update; the other two of the k closest keep v1.
        var update = Assert.IsType<PutCompleted>(await _nodes[1].Ask<IPutReply>(new Put(v2, Duplicate: 2), Wait));
        Assert.Equal(2, update.StoredCount);
        var closest = ClosestNodes(v1.Key);
        Assert.Equal(2, await CountHolding(closest, v1));

        var first = true;
        foreach (var reader in _nodes)
        {
            var found = Assert.IsType<ValueFound>(await reader.Ask<IGetReply>(new Get(v1.Key, Latest: true), Wait));
            Assert.Equal(v2, found.Item);
            if (first)
            {
                Assert.True(found.StaleCopies >= 1, $"the first latest get saw {found.StaleCopies} stale copies");
                Assert.True(found.RepairStores >= 1, $"the first latest get sent {found.RepairStores} repair stores");
                first = false;
            }
        }

        // The repairs reached every live node among the k closest (their stores answer a plain local get).
        await AwaitAssertAsync(async () => Assert.Equal(K, await CountHolding(closest, v2)), Wait);
    }

    [Fact]
    public async Task Plain_get_should_stop_at_the_first_valid_copy_without_repairing()
    {
        var v1 = Item("plain", "v1", 0);
        Assert.IsType<PutCompleted>(await _nodes[0].Ask<IPutReply>(new Put(v1), Wait));
        var reader = _nodes.Select((n, i) => (n, i)).First(x => !ClosestIndexes(v1.Key).Contains(x.i)).n;

        var found = Assert.IsType<ValueFound>(await reader.Ask<IGetReply>(new Get(v1.Key), Wait));

        Assert.Equal(v1, found.Item);
        Assert.Equal(1, found.CopiesSeen);
        Assert.Equal(0, found.RepairStores);
        Assert.Contains(found.AnsweredBy!.Value, _network.ClosestTo(v1.Key, K).Select(n => n.Id));
    }

    [Fact]
    public async Task Latest_get_should_return_the_only_version_and_repair_nothing_when_every_closest_node_holds_it()
    {
        var v1 = Item("settled", "v1", 0);
        Assert.IsType<PutCompleted>(await _nodes[0].Ask<IPutReply>(new Put(v1), Wait));

        // A reader outside the k closest: its lookup's k closest are exactly the holders.
        var reader = _nodes.Select((n, i) => (n, i)).First(x => !ClosestIndexes(v1.Key).Contains(x.i)).n;

        var found = Assert.IsType<ValueFound>(await reader.Ask<IGetReply>(new Get(v1.Key, Latest: true), Wait));

        Assert.Equal(v1, found.Item);
        Assert.Equal(0, found.StaleCopies);
        Assert.Equal(0, found.RepairStores);
        Assert.True(found.CopiesSeen >= K, $"{found.CopiesSeen} copies seen");
    }

    private int[] ClosestIndexes(Key key) => _network.ClosestTo(key, K).Select(n => _network.IndexOf(n.Id)).ToArray();

    private IActorRef[] ClosestNodes(Key key) => _network.ClosestTo(key, K).Select(n => n.Node).ToArray();

    // The nodes' local stores tell which version each holds.
    private static async Task<int> CountHolding(IEnumerable<IActorRef> nodes, SignedItem version)
    {
        var stores = await Task.WhenAll(nodes.Select(n => n.Ask<LocalItems>(GetLocalItems.Instance, Wait)));
        return stores.Count(s => s.Copies.Any(c => c.Item.Equals(version)));
    }

    private SignedItem Item(string name, string value, int offset) =>
        SignedItem.Create(Publisher, name, value, Sys.Scheduler.Now.ToUnixTimeSeconds() + offset, 0);
}
