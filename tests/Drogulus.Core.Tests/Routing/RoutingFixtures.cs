using System.Numerics;
using Drogulus.Core.Identity;
using Drogulus.Core.Routing;

namespace Drogulus.Core.Tests.Routing;

internal static class RoutingFixtures
{
    public static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Contact ContactFor(Key id, int port = 9000, DateTimeOffset? seen = null) =>
        new(id, "192.0.2.1", port, "1.0", seen ?? Epoch);

    public static Contact ContactFor(BigInteger id, int port = 9000) => ContactFor(Key.FromBigInteger(id), port);

    /// <summary>A key whose top bit is set (upper half) plus a small distinguishing number.</summary>
    public static Key Upper(int n) => Key.FromBigInteger((BigInteger.One << 511) + n);

    /// <summary>A key in the lower half, far from 0 (bit 510 set) plus a small distinguishing number.</summary>
    public static Key Lower(int n) => Key.FromBigInteger((BigInteger.One << 510) + n);

    /// <summary>The range of depth <paramref name="depth"/> (size 2^(512 - depth)) holding <paramref name="key"/>.</summary>
    public static KeyRange RangeOf(Key key, int depth)
    {
        var range = KeyRange.Whole;
        for (var i = 0; i < depth; i++)
        {
            var (lower, upper) = range.Split();
            range = lower.Contains(key) ? lower : upper;
        }

        return range;
    }

    /// <summary>Checks every structural invariant of the table.</summary>
    public static void AssertInvariants(RoutingTable table)
    {
        var buckets = table.Buckets;
        Assert.Equal(BigInteger.Zero, buckets[0].Range.Min);
        Assert.Equal(Key.SpaceSize, buckets[^1].Range.Max);
        var ids = new HashSet<Key>();
        var count = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            if (i > 0)
            {
                Assert.Equal(buckets[i - 1].Range.Max, bucket.Range.Min);
            }

            var size = bucket.Range.Size;
            Assert.True(size.IsPowerOfTwo);
            Assert.True((bucket.Range.Min % size).IsZero);
            Assert.InRange(bucket.Contacts.Count, 0, table.K);
            Assert.InRange(bucket.Cache.Count, 0, table.K);
            foreach (var contact in bucket.Contacts.Concat(bucket.Cache))
            {
                Assert.True(bucket.Range.Contains(contact.Id));
                Assert.True(ids.Add(contact.Id), "a contact appears twice");
                Assert.NotEqual(table.OwnId, contact.Id);
                Assert.False(table.IsBlacklisted(contact.Id));
            }

            count += bucket.Contacts.Count;
        }

        Assert.Equal(count, table.Count);
        Assert.Equal(buckets.Count, table.BucketCount);
    }
}
