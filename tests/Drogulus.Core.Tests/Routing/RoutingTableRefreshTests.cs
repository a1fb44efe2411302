using System.Numerics;
using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using static Drogulus.Core.Tests.Routing.RoutingFixtures;

namespace Drogulus.Core.Tests.Routing;

public sealed class RoutingTableRefreshTests
{
    private static readonly TimeSpan RefreshTimeout = TimeSpan.FromHours(1);

    /// <summary>Own id 0, k = 2; buckets [0,2^509) [2^509,2^510) [2^510,2^511) [2^511,2^512).</summary>
    private static RoutingTable FourBuckets()
    {
        var table = new RoutingTable(Key.Zero, 2, 5, Epoch);
        table.Add(ContactFor(Upper(1)));
        table.Add(ContactFor(Upper(2)));
        for (var i = 1; i <= 3; i++)
        {
            table.Add(ContactFor((BigInteger.One << 509) + i));
        }

        Assert.Equal(4, table.BucketCount);
        return table;
    }

    [Fact]
    public void Touch_should_mark_bucket_holding_key_as_used_when_called()
    {
        var table = FourBuckets();
        var later = Epoch.AddMinutes(30);
        table.Touch(Upper(77), later);

        var buckets = table.Snapshot();
        Assert.Equal(later, buckets[^1].LastTouched);
        Assert.All(buckets.Take(3), b => Assert.Equal(Epoch, b.LastTouched));
    }

    [Fact]
    public void RefreshTargets_should_give_random_id_inside_each_stale_bucket_when_refresh_timeout_passed()
    {
        var table = FourBuckets();
        var random = new Random(31);
        var buckets = table.Snapshot();

        var targets = table.RefreshTargets(Epoch + RefreshTimeout, RefreshTimeout, random);

        Assert.Equal(buckets.Count, targets.Count);
        for (var i = 0; i < targets.Count; i++)
        {
            Assert.True(buckets[i].Range.Contains(targets[i]));
        }

        Assert.NotEqual(targets, table.RefreshTargets(Epoch + RefreshTimeout, RefreshTimeout, random));
    }

    [Fact]
    public void RefreshTargets_should_skip_bucket_when_touched_within_refresh_timeout()
    {
        var table = FourBuckets();
        var now = Epoch + RefreshTimeout + TimeSpan.FromMinutes(10);
        table.Touch(Upper(5), now - TimeSpan.FromMinutes(59));
        table.Touch(Key.Zero, now - TimeSpan.FromMinutes(61));

        var targets = table.RefreshTargets(now, RefreshTimeout, new Random(32));

        Assert.Equal(3, targets.Count);
        Assert.DoesNotContain(targets, t => table.Snapshot()[^1].Range.Contains(t));
    }

    [Fact]
    public void RefreshTargets_should_count_from_creation_time_when_bucket_never_touched()
    {
        var table = FourBuckets();
        Assert.Empty(table.RefreshTargets(Epoch + RefreshTimeout - TimeSpan.FromSeconds(1), RefreshTimeout, new Random(33)));
        Assert.Equal(4, table.RefreshTargets(Epoch + RefreshTimeout, RefreshTimeout, new Random(33)).Count);
    }

    [Fact]
    public void RefreshTargetsBeyondClosestNeighbour_should_cover_only_buckets_farther_than_closest_neighbour()
    {
        // The closest neighbour (2^509 + 1) sits in [2^509, 2^510): [0, 2^509) is nearer, the two upper buckets farther.
        var table = FourBuckets();
        var buckets = table.Snapshot();

        var targets = table.RefreshTargetsBeyondClosestNeighbour(new Random(34));

        Assert.Equal(2, targets.Count);
        Assert.True(buckets[3].Range.Contains(targets[0]));
        Assert.True(buckets[2].Range.Contains(targets[1]));
    }

    [Fact]
    public void RefreshTargetsBeyondClosestNeighbour_should_cover_every_level_farther_than_neighbour_when_no_bucket_was_split_there()
    {
        // One contact, one bucket: the paper's per-bit buckets farther than the neighbour still get a target each.
        var own = Key.Random(new Random(40));
        var table = new RoutingTable(own, 20, 5, Epoch);
        var neighbour = own ^ Key.FromBigInteger(BigInteger.One << 500);
        table.Add(ContactFor(neighbour));
        Assert.Equal(1, table.BucketCount);

        var targets = table.RefreshTargetsBeyondClosestNeighbour(new Random(35));

        Assert.Equal(11, targets.Count);
        for (var level = 0; level < targets.Count; level++)
        {
            Assert.Equal(level, (targets[level] ^ own).LeadingZeroBits());
            Assert.True(own.CompareDistance(neighbour, targets[level]) < 0);
        }
    }

    [Fact]
    public void RefreshTargetsBeyondClosestNeighbour_should_draw_the_bits_below_each_level_at_random()
    {
        var table = FourBuckets();

        var first = table.RefreshTargetsBeyondClosestNeighbour(new Random(1));
        var second = table.RefreshTargetsBeyondClosestNeighbour(new Random(2));

        Assert.Equal(first.Count, second.Count);
        Assert.All(first.Zip(second), pair => Assert.NotEqual(pair.First, pair.Second));
    }

    [Fact]
    public void RefreshTargetsBeyondClosestNeighbour_should_be_empty_when_table_has_no_contact()
    {
        var table = new RoutingTable(Key.Zero, 20, 5, Epoch);
        Assert.Empty(table.RefreshTargetsBeyondClosestNeighbour(new Random(36)));
    }
}
