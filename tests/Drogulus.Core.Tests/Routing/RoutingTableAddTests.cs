using System.Numerics;
using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using static Drogulus.Core.Tests.Routing.RoutingFixtures;

namespace Drogulus.Core.Tests.Routing;

public sealed class RoutingTableAddTests
{
    private const int K = 4;

    private static RoutingTable NewTable(Key? ownId = null) => new(ownId ?? Key.Zero, K, 3, Epoch);

    [Fact]
    public void Add_should_ignore_contact_when_id_is_own_id()
    {
        var own = Upper(7);
        var table = NewTable(own);
        var result = table.Add(ContactFor(own));
        Assert.Equal(AddOutcome.Ignored, result.Outcome);
        Assert.False(result.IsNew);
        Assert.Equal(0, table.Count);
        Assert.Null(table.Find(own));
    }

    [Fact]
    public void Add_should_ignore_contact_when_id_is_blacklisted()
    {
        var table = NewTable();
        table.Blacklist(Upper(1));
        Assert.Equal(AddOutcome.Ignored, table.Add(ContactFor(Upper(1))).Outcome);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Add_should_append_contact_as_new_when_bucket_has_room()
    {
        var table = NewTable();
        var result = table.Add(ContactFor(Upper(1)));
        Assert.Equal(AddOutcome.Inserted, result.Outcome);
        Assert.True(result.IsNew);
        table.Add(ContactFor(Upper(2)));
        Assert.Equal(2, table.Count);
        Assert.Equal([Upper(1), Upper(2)], table.AllContacts().Select(c => c.Id));
    }

    [Fact]
    public void Add_should_move_known_contact_to_tail_with_fresh_details_and_no_failures_when_seen_again()
    {
        var table = NewTable();
        for (var i = 1; i <= 3; i++)
        {
            table.Add(ContactFor(Upper(i)));
        }

        table.Remove(Upper(1), forced: false);
        Assert.Equal(1, table.Find(Upper(1))!.FailureCount);

        var fresh = ContactFor(Upper(1), port: 9100, seen: Epoch.AddMinutes(5)) with { FailureCount = 2 };
        var result = table.Add(fresh);

        Assert.Equal(AddOutcome.Updated, result.Outcome);
        Assert.False(result.IsNew);
        Assert.Equal([Upper(2), Upper(3), Upper(1)], table.AllContacts().Select(c => c.Id));
        var stored = table.Find(Upper(1))!;
        Assert.Equal(9100, stored.Port);
        Assert.Equal(Epoch.AddMinutes(5), stored.LastSeen);
        Assert.Equal(0, stored.FailureCount);
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void Add_should_split_at_exact_middle_when_full_bucket_holds_own_id()
    {
        var table = NewTable(Key.Zero);
        table.Add(ContactFor(Lower(1)));
        for (var i = 1; i < K; i++)
        {
            table.Add(ContactFor(Upper(i)));
        }

        Assert.Equal(1, table.BucketCount);
        var result = table.Add(ContactFor(Upper(K)));

        Assert.Equal(AddOutcome.Inserted, result.Outcome);
        var buckets = table.Snapshot();
        Assert.Equal(2, buckets.Count);
        var middle = (BigInteger.Zero + Key.SpaceSize) / 2;
        Assert.Equal(middle, buckets[0].Range.Max);
        Assert.Equal(middle, buckets[1].Range.Min);
        Assert.Equal([Lower(1)], buckets[0].Contacts.Select(c => c.Id));
        Assert.Equal(Enumerable.Range(1, K).Select(Upper), buckets[1].Contacts.Select(c => c.Id));
        AssertInvariants(table);
    }

    [Fact]
    public void Add_should_retry_after_each_split_when_first_split_frees_no_room()
    {
        // Own id 0; all members share the own id's top bit, so the split at 2^511 frees nothing and the
        // bucket splits again at 2^510, after which the newcomer's half has room.
        var table = NewTable(Key.Zero);
        for (var i = 1; i <= K; i++)
        {
            table.Add(ContactFor(Lower(i)));
        }

        var newcomer = Key.FromBigInteger(BigInteger.One << 509);
        Assert.Equal(AddOutcome.Inserted, table.Add(ContactFor(newcomer)).Outcome);

        var ranges = table.Snapshot().Select(b => (b.Range.Min, b.Range.Max)).ToList();
        Assert.Equal(
            [(BigInteger.Zero, BigInteger.One << 510), (BigInteger.One << 510, BigInteger.One << 511), (BigInteger.One << 511, Key.SpaceSize)],
            ranges);
        Assert.Equal(AddOutcome.Cached, table.Add(ContactFor(Lower(K + 1))).Outcome);
        Assert.Equal(3, table.BucketCount);
        AssertInvariants(table);
    }

    [Fact]
    public void Add_should_cache_contact_when_full_bucket_cannot_split()
    {
        var table = NewTable(Key.Zero);
        for (var i = 1; i <= K; i++)
        {
            table.Add(ContactFor(Upper(i)));
        }

        table.Add(ContactFor(Lower(1)));
        var result = table.Add(ContactFor(Upper(100)));

        Assert.Equal(AddOutcome.Cached, result.Outcome);
        Assert.False(result.IsNew);
        Assert.Null(table.Find(Upper(100)));
        Assert.NotNull(table.FindCached(Upper(100)));
        Assert.Equal(K + 1, table.Count);
        Assert.DoesNotContain(table.Closest(Upper(100), 100), c => c.Id == Upper(100));
    }

    [Fact]
    public void Add_should_keep_at_most_k_cached_contacts_dropping_the_oldest_when_cache_overflows()
    {
        var table = NewTable(Key.Zero);
        table.Add(ContactFor(Lower(1)));
        for (var i = 1; i <= K; i++)
        {
            table.Add(ContactFor(Upper(i)));
        }

        for (var i = 100; i < 100 + K + 2; i++)
        {
            Assert.Equal(AddOutcome.Cached, table.Add(ContactFor(Upper(i))).Outcome);
        }

        var upperBucket = table.Snapshot()[^1];
        Assert.Equal(Enumerable.Range(102, K).Select(Upper), upperBucket.ReplacementCache.Select(c => c.Id));
    }

    [Fact]
    public void Add_should_move_cached_contact_to_cache_tail_when_seen_again()
    {
        var table = NewTable(Key.Zero);
        table.Add(ContactFor(Lower(1)));
        for (var i = 1; i <= K + 3; i++)
        {
            table.Add(ContactFor(Upper(i)));
        }

        Assert.Equal(AddOutcome.Cached, table.Add(ContactFor(Upper(K + 1), port: 9500)).Outcome);

        var cache = table.Snapshot()[^1].ReplacementCache;
        Assert.Equal([Upper(K + 2), Upper(K + 3), Upper(K + 1)], cache.Select(c => c.Id));
        Assert.Equal(9500, cache[^1].Port);
    }

    [Fact]
    public void ReplacementCache_should_stay_with_its_range_when_other_buckets_split()
    {
        // The original node keyed caches by bucket index; splitting the own-id bucket shifts indexes.
        var table = NewTable(Key.Zero);
        for (var i = 1; i <= K; i++)
        {
            table.Add(ContactFor(Upper(i)));
        }

        table.Add(ContactFor(Lower(1)));
        table.Add(ContactFor(Upper(100)));
        var bucketsBefore = table.BucketCount;

        for (var shift = 1; shift <= 6; shift++)
        {
            for (var i = 0; i < K; i++)
            {
                table.Add(ContactFor((BigInteger.One << (511 - shift)) + i));
            }
        }

        Assert.True(table.BucketCount > bucketsBefore + 3);
        Assert.NotNull(table.FindCached(Upper(100)));
        var removed = table.Remove(Upper(1), forced: true);
        Assert.Equal(Upper(100), removed.Replacement!.Id);
        Assert.NotNull(table.Find(Upper(100)));
        AssertInvariants(table);
    }

    [Fact]
    public void ReplacementCache_should_be_redistributed_by_range_when_its_bucket_splits()
    {
        var bucket = new KBucket(KeyRange.Whole, K, Epoch);
        bucket.Append(ContactFor(Lower(1)));
        bucket.Append(ContactFor(Upper(1)));
        bucket.AddToCache(ContactFor(Upper(2)));
        bucket.AddToCache(ContactFor(Lower(2)));
        bucket.AddToCache(ContactFor(Upper(3)));

        var (lower, upper) = bucket.Split();

        Assert.Equal([Lower(1)], lower.Contacts.Select(c => c.Id));
        Assert.Equal([Lower(2)], lower.Cache.Select(c => c.Id));
        Assert.Equal([Upper(1)], upper.Contacts.Select(c => c.Id));
        Assert.Equal([Upper(2), Upper(3)], upper.Cache.Select(c => c.Id));
        Assert.Equal(Epoch, lower.LastTouched);
        Assert.Equal(Epoch, upper.LastTouched);
    }

    [Fact]
    public void Add_should_append_contact_as_new_when_removals_emptied_cache_and_left_room()
    {
        var table = NewTable(Key.Zero);
        table.Add(ContactFor(Lower(1)));
        for (var i = 1; i <= K + 2; i++)
        {
            table.Add(ContactFor(Upper(i)));
        }

        // The first two removals promote both cached contacts; the third leaves room.
        table.Remove(Upper(1), forced: true);
        table.Remove(Upper(2), forced: true);
        table.Remove(Upper(3), forced: true);
        Assert.Equal(K - 1, table.Snapshot()[^1].Contacts.Count);

        Assert.Equal(AddOutcome.Inserted, table.Add(ContactFor(Upper(50))).Outcome);
        AssertInvariants(table);
    }

    [Fact]
    public void RoutingTable_should_reject_parameters_when_k_or_allowed_fails_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RoutingTable(Key.Zero, 0, 5, Epoch));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RoutingTable(Key.Zero, 20, 0, Epoch));
    }

    [Fact]
    public void Add_should_report_first_sight_only_when_contact_was_in_no_bucket_and_no_cache()
    {
        var table = NewTable();
        for (var i = 1; i <= K; i++)
        {
            Assert.True(table.Add(ContactFor(Upper(i))).IsFirstSight);
        }

        var cached = table.Add(ContactFor(Upper(9)));
        var cachedAgain = table.Add(ContactFor(Upper(9)));
        var updated = table.Add(ContactFor(Upper(1)));
        table.Remove(Upper(2), forced: true);
        var promoted = table.Add(ContactFor(Upper(9)));

        Assert.Equal(AddOutcome.Cached, cached.Outcome);
        Assert.True(cached.IsFirstSight);
        Assert.False(cached.IsNew);
        Assert.Equal(AddOutcome.Cached, cachedAgain.Outcome);
        Assert.False(cachedAgain.IsFirstSight);
        Assert.False(updated.IsFirstSight);
        Assert.Equal(AddOutcome.Updated, promoted.Outcome);
        Assert.False(promoted.IsFirstSight);
        Assert.False(table.Add(ContactFor(Key.Zero)).IsFirstSight);
    }
}
