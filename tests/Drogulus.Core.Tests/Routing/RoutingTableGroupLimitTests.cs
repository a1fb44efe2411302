using Drogulus.Core.Identity;
using Drogulus.Core.Limits;
using Drogulus.Core.Routing;
using static Drogulus.Core.Tests.Routing.RoutingFixtures;

namespace Drogulus.Core.Tests.Routing;

/// <summary>PROTOCOL §8: contacts of one address group per bucket and per table.</summary>
public sealed class RoutingTableGroupLimitTests
{
    private static readonly RoutingLimits Defaults = new(MaxPerGroupInBucket: 2, MaxPerGroupInTable: 10, ExemptPrivate: true, MaxBlacklist: 10_000);

    private static Contact At(Key id, string address) => ContactFor(id) with { Address = address };

    [Fact]
    public void Add_should_ignore_a_third_contact_of_one_group_when_its_bucket_holds_two()
    {
        var table = new RoutingTable(Key.Zero, 20, 3, Epoch, Defaults);
        Assert.Equal(AddOutcome.Inserted, table.Add(At(Upper(1), "203.0.113.1")).Outcome);
        Assert.Equal(AddOutcome.Inserted, table.Add(At(Upper(2), "203.0.113.2")).Outcome);

        var third = table.Add(At(Upper(3), "203.0.113.3"));

        Assert.Equal(AddOutcome.Ignored, third.Outcome);
        Assert.Null(table.Find(Upper(3)));
        Assert.Null(table.FindCached(Upper(3)));
        Assert.Equal(AddOutcome.Inserted, table.Add(At(Upper(4), "198.51.100.1")).Outcome);
        Assert.Equal(2, table.ContactsInGroup(AddressGroup.Of("203.0.113.9", true)));
    }

    [Fact]
    public void CountedGroups_and_Changes_should_follow_the_members_of_the_buckets_and_not_a_seen_again_contact()
    {
        var table = new RoutingTable(Key.Zero, 20, 3, Epoch, Defaults);
        table.Add(At(Upper(1), "203.0.113.1"));
        table.Add(At(Upper(2), "203.0.113.2"));
        table.Add(At(Upper(3), "198.51.100.1"));
        table.Add(At(Upper(4), "10.0.0.1")); // private: exempt, not counted
        var changes = table.Changes;

        table.Add(At(Upper(1), "203.0.113.1")); // seen again: the same members

        Assert.Equal(2, table.CountedGroups);
        Assert.Equal(changes, table.Changes);
        table.Remove(Upper(3), forced: true);
        Assert.Equal(1, table.CountedGroups);
        Assert.Equal(changes + 1, table.Changes);
        table.Add(At(Upper(2), "192.0.2.1")); // moves to another group
        Assert.Equal(2, table.CountedGroups);
        Assert.Equal(changes + 2, table.Changes);
    }

    [Fact]
    public void Add_should_keep_a_full_bucket_group_out_of_the_replacement_cache_too()
    {
        // k = 2: the upper bucket cannot split (own id 0 lies in the lower half) once the first split happened.
        var table = new RoutingTable(Key.Zero, 2, 3, Epoch, Defaults with { MaxPerGroupInBucket = 1 });
        table.Add(At(Lower(1), "198.51.100.1"));
        table.Add(At(Lower(2), "192.0.2.77"));
        table.Add(At(Upper(1), "203.0.113.1"));
        table.Add(At(Upper(2), "192.0.2.1"));

        var result = table.Add(At(Upper(3), "203.0.113.2"));

        Assert.Equal(AddOutcome.Ignored, result.Outcome);
        Assert.Null(table.FindCached(Upper(3)));
        Assert.Equal(AddOutcome.Cached, table.Add(At(Upper(4), "233.252.0.1")).Outcome);
    }

    [Fact]
    public void Add_should_ignore_an_eleventh_contact_of_one_group_when_the_table_holds_ten()
    {
        // Ids spread over many buckets (each in its own distance band), so only the table limit bites.
        var table = new RoutingTable(Key.Zero, 2, 3, Epoch, Defaults);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(AddOutcome.Inserted, table.Add(At(Band(i), "203.0.113." + (i + 1))).Outcome);
        }

        Assert.Equal(AddOutcome.Ignored, table.Add(At(Band(10), "203.0.113.11")).Outcome);
        Assert.Equal(AddOutcome.Inserted, table.Add(At(Band(11), "198.51.100.1")).Outcome);
        Assert.Equal(10, table.ContactsInGroup(AddressGroup.Of("203.0.113.1", true)));
    }

    [Fact]
    public void Add_should_admit_a_group_again_when_one_of_its_contacts_was_removed()
    {
        var table = new RoutingTable(Key.Zero, 20, 3, Epoch, Defaults);
        table.Add(At(Upper(1), "203.0.113.1"));
        table.Add(At(Upper(2), "203.0.113.2"));
        Assert.Equal(AddOutcome.Ignored, table.Add(At(Upper(3), "203.0.113.3")).Outcome);

        table.Remove(Upper(1), forced: true);

        Assert.Equal(AddOutcome.Inserted, table.Add(At(Upper(3), "203.0.113.3")).Outcome);
    }

    [Fact]
    public void Add_should_not_count_loopback_and_private_addresses_when_they_are_exempt()
    {
        var table = new RoutingTable(Key.Zero, 20, 3, Epoch, Defaults);
        for (var i = 1; i <= 15; i++)
        {
            Assert.Equal(AddOutcome.Inserted, table.Add(At(Upper(i), i % 2 == 0 ? "127.0.0.1" : "10.1.2." + i)).Outcome);
        }
    }

    [Fact]
    public void Add_should_count_private_addresses_when_the_exemption_is_off()
    {
        var table = new RoutingTable(Key.Zero, 20, 3, Epoch, Defaults with { ExemptPrivate = false });
        table.Add(At(Upper(1), "127.0.0.1"));
        table.Add(At(Upper(2), "127.0.0.1"));

        Assert.Equal(AddOutcome.Ignored, table.Add(At(Upper(3), "127.0.0.1")).Outcome);
    }

    [Fact]
    public void Add_should_keep_the_old_address_when_a_known_contact_moves_into_a_full_group()
    {
        var table = new RoutingTable(Key.Zero, 20, 3, Epoch, Defaults);
        table.Add(At(Upper(1), "203.0.113.1"));
        table.Add(At(Upper(2), "203.0.113.2"));
        table.Add(At(Upper(3), "198.51.100.1"));

        var moved = table.Add(At(Upper(3), "203.0.113.3"));

        Assert.Equal(AddOutcome.Updated, moved.Outcome);
        Assert.Equal("198.51.100.1", table.Find(Upper(3))!.Address);
        Assert.Equal(2, table.ContactsInGroup(AddressGroup.Of("203.0.113.1", true)));
    }

    [Fact]
    public void Remove_should_promote_the_most_recent_cached_contact_whose_group_has_room()
    {
        var table = new RoutingTable(Key.Zero, 2, 3, Epoch, Defaults with { MaxPerGroupInBucket = 1 });
        table.Add(At(Lower(1), "198.51.100.1"));
        table.Add(At(Lower(2), "192.0.2.77"));
        table.Add(At(Upper(1), "203.0.113.1"));
        table.Add(At(Upper(2), "233.252.0.1"));
        Assert.Equal(AddOutcome.Cached, table.Add(At(Upper(5), "192.0.2.9")).Outcome);
        Assert.Equal(AddOutcome.Cached, table.Add(At(Upper(4), "198.51.100.1")).Outcome);

        // Upper(1) moves into Upper(4)'s group: Upper(4), the most recent in the cache, no longer fits the bucket.
        table.Add(At(Upper(1), "198.51.100.2"));
        var removed = table.Remove(Upper(2), forced: true);

        Assert.Equal(Upper(5), removed.Replacement!.Id);
        Assert.NotNull(table.FindCached(Upper(4)));
        AssertInvariants(table);
    }

    [Fact]
    public void HasRoomFor_should_be_false_for_a_contact_whose_group_is_full()
    {
        var table = new RoutingTable(Key.Zero, 20, 3, Epoch, Defaults);
        table.Add(At(Upper(1), "203.0.113.1"));
        table.Add(At(Upper(2), "203.0.113.2"));

        Assert.False(table.HasRoomFor(At(Upper(3), "203.0.113.3")));
        Assert.True(table.HasRoomFor(At(Upper(3), "198.51.100.3")));
    }

    [Fact]
    public void Load_should_leave_out_saved_contacts_past_a_groups_share_when_limits_apply()
    {
        var unlimited = new RoutingTable(Key.Zero, 20, 3, Epoch);
        for (var i = 1; i <= 5; i++)
        {
            unlimited.Add(At(Upper(i), "203.0.113." + i));
        }

        var loaded = RoutingTableSnapshot.Load(RoutingTableSnapshot.Save(unlimited), Key.Zero, 20, 3, Epoch, Defaults);

        Assert.Equal(2, loaded.Count);
    }

    [Fact]
    public void Add_should_take_every_contact_of_one_group_when_the_limits_are_off()
    {
        var table = new RoutingTable(Key.Zero, 20, 3, Epoch, RoutingLimits.None);
        for (var i = 1; i <= 15; i++)
        {
            Assert.Equal(AddOutcome.Inserted, table.Add(At(Upper(i), "203.0.113." + i)).Outcome);
        }
    }

    // An id whose distance from 0 has its top bit at 511 - i: one per bucket after the splits toward 0.
    private static Key Band(int i) => Key.FromBigInteger(System.Numerics.BigInteger.One << (511 - i));
}

public sealed class NeighbourhoodDiversityTests
{
    private static Contact At(int n, string address) => ContactFor(Upper(n)) with { Address = address };

    [Fact]
    public void Of_should_suspect_an_eclipse_when_few_groups_hold_most_of_the_neighbourhood()
    {
        var closest = Enumerable.Range(1, 20).Select(i => At(i, i <= 16 ? $"198.18.{i % 4}.{i}" : $"100.64.{i}.1")).ToArray();

        var diversity = NeighbourhoodDiversity.Of(closest, 20, exemptPrivate: true, tableGroups: 30);

        Assert.True(diversity.EclipseSuspected);
        Assert.Equal(8, diversity.NeighbourGroups);
        Assert.Equal(20, diversity.NeighboursCounted);
    }

    [Fact]
    public void Of_should_not_suspect_an_eclipse_when_every_neighbour_has_a_group_of_its_own()
    {
        var closest = Enumerable.Range(1, 20).Select(i => At(i, $"100.64.{i}.1")).ToArray();

        Assert.False(NeighbourhoodDiversity.Of(closest, 20, exemptPrivate: true, tableGroups: 20).EclipseSuspected);
    }

    [Fact]
    public void Of_should_suspect_an_eclipse_when_a_few_neighbours_ids_are_far_closer_together_than_the_neighbourhood_predicts()
    {
        // 15 random neighbours of a random own id and 5 ids ground to share 40 bits with one key, each in a group
        // of its own (so only the density tells); with 3 ground ids (and 17 random), no suspicion.
        var random = new Random(20);
        var own = Key.Random(random);
        var target = Key.Random(random);

        var dense = Neighbourhood(own, 15, Enumerable.Range(0, 5).Select(_ => Prefixed(target, 40, random)), random);
        var sparse = Neighbourhood(own, 17, Enumerable.Range(0, 3).Select(_ => Prefixed(target, 40, random)), random);

        Assert.InRange(dense.DenseCluster, 5, 6); // a random neighbour may share the sliver too
        Assert.True(dense.EclipseSuspected);
        Assert.InRange(sparse.DenseCluster, 3, 4);
        Assert.False(sparse.EclipseSuspected);
    }

    private static NeighbourhoodDiversity Neighbourhood(Key own, int randomCount, IEnumerable<Key> ground, Random random)
    {
        var ids = Enumerable.Range(0, randomCount).Select(_ => Key.Random(random)).Concat(ground).ToArray();
        var closest = ids.Select((id, i) => ContactFor(id) with { Address = $"100.64.{i}.1" }).OrderBy(c => c.Id, Comparer<Key>.Create(own.CompareDistance)).ToArray();
        return NeighbourhoodDiversity.Of(closest, 20, exemptPrivate: true, tableGroups: 20, own);
    }

    [Fact]
    public void Of_should_find_no_dense_cluster_among_random_neighbours()
    {
        var random = new Random(21);
        for (var trial = 0; trial < 200; trial++)
        {
            var own = Key.Random(random);
            var closest = Enumerable.Range(0, 20).Select(i => ContactFor(Key.Random(random)) with { Address = $"100.64.{i}.1" })
                .OrderBy(c => c.Id, Comparer<Key>.Create(own.CompareDistance)).ToArray();

            var diversity = NeighbourhoodDiversity.Of(closest, 20, exemptPrivate: true, tableGroups: 20, own);

            Assert.False(diversity.EclipseSuspected);
            Assert.InRange(diversity.DenseCluster, 1, 4);
        }
    }

    // An id sharing its first bits with target, the rest random (as an attacker grinds it).
    private static Key Prefixed(Key target, int bits, Random random)
    {
        var bytes = Key.Random(random).ToArray();
        var t = target.ToArray();
        for (var bit = 0; bit < bits; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            bytes[bit / 8] = (byte)((bytes[bit / 8] & ~mask) | (t[bit / 8] & mask));
        }

        return new Key(bytes);
    }

    [Fact]
    public void Of_should_not_suspect_an_eclipse_when_the_neighbours_are_on_loopback()
    {
        var closest = Enumerable.Range(1, 20).Select(i => At(i, "127.0.0.1")).ToArray();

        var diversity = NeighbourhoodDiversity.Of(closest, 20, exemptPrivate: true, tableGroups: 0);

        Assert.False(diversity.EclipseSuspected);
        Assert.Equal(0, diversity.NeighboursCounted);
    }
}
