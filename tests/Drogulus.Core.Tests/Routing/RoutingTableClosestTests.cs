using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using static Drogulus.Core.Tests.Routing.RoutingFixtures;

namespace Drogulus.Core.Tests.Routing;

public sealed class RoutingTableClosestTests
{
    private static RoutingTable RandomTable(Random random, int k, int offered)
    {
        var table = new RoutingTable(Key.Random(random), k, 5, Epoch);
        for (var i = 0; i < offered; i++)
        {
            table.Add(ContactFor(Key.Random(random)));
        }

        return table;
    }

    private static List<Key> BruteForce(RoutingTable table, Key target, int count, IReadOnlyCollection<Key>? exclude)
    {
        var excluded = new HashSet<Key>(exclude ?? []);
        var list = table.AllContacts().Select(c => c.Id).Where(id => !excluded.Contains(id)).ToList();
        list.Sort(target.CompareDistance);
        return list.Take(count).ToList();
    }

    [Fact]
    public void Closest_should_return_contacts_in_true_xor_order_when_asked_for_k()
    {
        var random = new Random(21);
        var table = RandomTable(random, 20, 500);
        var target = Key.Random(random);
        var closest = table.Closest(target, 20);

        Assert.Equal(20, closest.Count);
        for (var i = 1; i < closest.Count; i++)
        {
            Assert.True(target.CompareDistance(closest[i - 1].Id, closest[i].Id) < 0);
        }

        Assert.Equal(BruteForce(table, target, 20, null), closest.Select(c => c.Id));
    }

    [Fact]
    public void Closest_should_leave_out_excluded_ids_when_exclude_is_given()
    {
        var random = new Random(22);
        var table = RandomTable(random, 20, 300);
        var target = Key.Random(random);
        var nearest = table.Closest(target, 5).Select(c => c.Id).ToList();
        var exclude = new List<Key> { nearest[0], nearest[2], Key.Random(random) };

        var closest = table.Closest(target, 5, exclude).Select(c => c.Id).ToList();

        Assert.DoesNotContain(nearest[0], closest);
        Assert.DoesNotContain(nearest[2], closest);
        Assert.Equal(nearest[1], closest[0]);
        Assert.Equal(nearest[3], closest[1]);
        Assert.Equal(BruteForce(table, target, 5, exclude), closest);
    }

    [Fact]
    public void Closest_should_return_every_contact_when_count_exceeds_table()
    {
        var random = new Random(23);
        var table = RandomTable(random, 20, 30);
        var closest = table.Closest(Key.Random(random), 1000);
        Assert.Equal(table.Count, closest.Count);
    }

    [Fact]
    public void Closest_should_return_nothing_when_count_is_zero_or_table_empty()
    {
        var random = new Random(24);
        Assert.Empty(RandomTable(random, 20, 30).Closest(Key.Random(random), 0));
        Assert.Empty(new RoutingTable(Key.Zero, 20, 5, Epoch).Closest(Key.Random(random), 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomTable(random, 20, 3).Closest(Key.Zero, -1));
    }

    [Fact]
    public void Closest_should_equal_brute_force_sort_when_tables_are_random()
    {
        var random = new Random(25);
        var shapes = new (int K, int Offered)[] { (1, 200), (3, 1000), (20, 5000), (20, 37), (200, 3000), (5000, 5000) };
        foreach (var (k, offered) in shapes)
        {
            var table = RandomTable(random, k, offered);
            var ids = table.AllContacts().Select(c => c.Id).ToArray();
            for (var round = 0; round < 25; round++)
            {
                var target = round switch
                {
                    0 => table.OwnId,
                    1 when ids.Length > 0 => ids[random.Next(ids.Length)],
                    _ => Key.Random(random),
                };
                var count = round % 3 == 0 ? 20 : random.Next(0, table.Count + 5);
                IReadOnlyCollection<Key>? exclude = (round % 4) switch
                {
                    0 => null,
                    1 => ids.Where(_ => random.Next(10) == 0).ToList(),
                    2 => ids.Where(_ => random.Next(3) == 0).ToHashSet(),
                    _ => [],
                };

                var expected = BruteForce(table, target, count, exclude);
                Assert.Equal(expected, table.Closest(target, count, exclude).Select(c => c.Id));
            }
        }
    }
}
