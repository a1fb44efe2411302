using System.Numerics;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Routing;
using Drogulus.Core.Storage;
using static Drogulus.Core.Tests.Routing.RoutingFixtures;

namespace Drogulus.Core.Tests.Routing;

/// <summary>
/// <see cref="ClosenessProfile"/> and <see cref="HandOverNeighbourhood"/> replace copies of the whole routing
/// table sent to the data store; they must give exactly the answers the whole table gives (brute force).
/// </summary>
public sealed class ClosenessProfileTests
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    private static readonly Lazy<SignedItem[]> Items = new(() =>
        Enumerable.Range(0, 60).Select(i => SignedItem.Create(Publisher, $"item-{i}", "v", 1_700_000_000, 0)).ToArray());

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 20)]
    [InlineData(3, 1)]
    public void ClosenessProfile_should_count_exactly_the_contacts_closer_than_the_own_id_for_random_keys(int seed, int k)
    {
        var random = new Random(seed);
        var table = RandomTable(random, k, 600);
        var contacts = table.AllContacts();
        var profile = ClosenessProfile.Of(table.OwnId, contacts, k);

        for (var i = 0; i < 400; i++)
        {
            var key = i % 3 == 0 ? table.OwnId ^ Key.FromBigInteger(new BigInteger(random.NextInt64())) : Key.Random(random);
            var closer = contacts.Count(c => key.CompareDistance(c.Id, table.OwnId) < 0);
            Assert.Equal(closer, profile.CountCloserThanSelf(key));
            Assert.Equal(closer < k, profile.IsAmongClosest(key));
        }
    }

    [Theory]
    [InlineData(11, 4)]
    [InlineData(12, 20)]
    [InlineData(13, 2)]
    public void HandOverNeighbourhood_should_hand_over_the_same_items_as_the_whole_table_when_a_newcomer_arrives(int seed, int k)
    {
        var random = new Random(seed);
        var store = new LocalStore(new InMemoryItemStore());
        foreach (var item in Items.Value)
        {
            store.Store(item, Epoch);
        }

        // The own id sits next to one item's key, so the node is the closest holder of a few items; the
        // contacts are a sparse random table with some ids near the own id.
        var near = Items.Value[seed % Items.Value.Length].Key;
        var table = RandomTable(random, k, 40, near ^ Key.FromBigInteger(new BigInteger(random.NextInt64()) << random.Next(0, 200)), nearestShift: 250);

        var handedOver = 0;
        for (var n = 0; n < 40; n++)
        {
            var newcomer = n % 3 == 0 ? Key.Random(random) : table.OwnId ^ Key.FromBigInteger(new BigInteger(random.NextInt64()) << random.Next(0, 440));
            if (!table.Add(ContactFor(newcomer)).IsFirstSight)
            {
                continue;
            }

            var all = table.AllContacts().Select(c => c.Id).ToArray();
            var neighbourhood = HandOverNeighbourhood.For(table, newcomer).Select(c => c.Id).ToArray();
            var expected = store.HandOverTo(newcomer, key => Closest(all, key, k), k, table.OwnId, Epoch);
            var actual = neighbourhood.Length == 0 ? [] : store.HandOverTo(newcomer, key => Closest(neighbourhood, key, k), k, table.OwnId, Epoch);

            Assert.Equal(expected.Select(x => x.Key).Order(), actual.Select(x => x.Key).Order());
            Assert.True(neighbourhood.Length <= (2 * k) + Key.Bits, $"{neighbourhood.Length} contacts sent");
            handedOver += expected.Count;
        }

        Assert.True(handedOver > 0, "the scenario never handed anything over, so it proves nothing");
    }

    private static IReadOnlyList<Key> Closest(IEnumerable<Key> ids, Key key, int count) =>
        ids.Order(Comparer<Key>.Create(key.CompareDistance)).Take(count).ToArray();

    // Contacts near the own id share at most 512 - 63 - nearestShift leading bits with it.
    private static RoutingTable RandomTable(Random random, int k, int adds, Key? ownId = null, int nearestShift = 0)
    {
        var own = ownId ?? Key.Random(random);
        var table = new RoutingTable(own, k, 3, Epoch);
        for (var i = 0; i < adds; i++)
        {
            var id = random.Next(2) == 0 ? Key.Random(random) : own ^ Key.FromBigInteger(new BigInteger(random.NextInt64()) << random.Next(nearestShift, 440));
            table.Add(ContactFor(id));
        }

        return table;
    }
}
