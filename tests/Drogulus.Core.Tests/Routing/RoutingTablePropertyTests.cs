using System.Numerics;
using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using static Drogulus.Core.Tests.Routing.RoutingFixtures;

namespace Drogulus.Core.Tests.Routing;

public sealed class RoutingTablePropertyTests
{
    [Theory]
    [InlineData(41, 1)]
    [InlineData(42, 2)]
    [InlineData(43, 8)]
    [InlineData(44, 20)]
    public void RoutingTable_should_never_exceed_k_per_bucket_when_adds_and_removes_are_random(int seed, int k)
    {
        var random = new Random(seed);
        var own = Key.Random(random);
        var table = new RoutingTable(own, k, 3, Epoch);
        var seen = new List<Key>();
        for (var step = 0; step < 4000; step++)
        {
            var roll = random.Next(100);
            if (roll < 55 || seen.Count == 0)
            {
                // Ids near the own id force deep splits; others land in far, full buckets.
                var id = random.Next(2) == 0 ? Key.Random(random) : own ^ Key.FromBigInteger(new BigInteger(random.NextInt64()));
                seen.Add(id);
                table.Add(ContactFor(id));
            }
            else if (roll < 70)
            {
                table.Add(ContactFor(seen[random.Next(seen.Count)], port: random.Next(1, 65536)));
            }
            else if (roll < 97)
            {
                table.Remove(seen[random.Next(seen.Count)], forced: random.Next(4) == 0);
            }
            else
            {
                table.Blacklist(seen[random.Next(seen.Count)]);
            }

            if (step % 50 == 0)
            {
                AssertInvariants(table);
            }
        }

        AssertInvariants(table);
        Assert.True(table.BucketCount > 1);
    }

    [Fact]
    public void RoutingTable_should_split_only_at_exact_midpoints_when_filled_with_thousands_of_contacts()
    {
        var random = new Random(45);
        var own = Key.Random(random);
        var table = new RoutingTable(own, 20, 5, Epoch);
        for (var i = 0; i < 5000; i++)
        {
            table.Add(ContactFor(Key.Random(random)));
        }

        var buckets = table.Snapshot();
        foreach (var bucket in buckets)
        {
            // Each range is one half of its parent: the parent's exact integer midpoint is one of its bounds.
            var size = bucket.Range.Size;
            var parentMin = bucket.Range.Min - (bucket.Range.Min % (2 * size));
            var middle = (parentMin + parentMin + (2 * size)) / 2;
            Assert.True(middle == bucket.Range.Min || middle == bucket.Range.Max);
            Assert.True(size.IsPowerOfTwo);
        }

        // Only the own-id bucket ever split: every other bucket is a sibling along the own id's path.
        var ownBucket = buckets.Single(b => b.Range.Contains(own));
        Assert.Equal(buckets.Count - 1, (int)(Key.Bits - (ownBucket.Range.Size.GetBitLength() - 1)));
        AssertInvariants(table);
    }
}
