using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using Drogulus.Core.Wire;
using static Drogulus.Core.Tests.Routing.RoutingFixtures;

namespace Drogulus.Core.Tests.Routing;

public sealed class RoutingTablePersistenceTests
{
    private const int K = 8;
    private const int Fails = 3;
    private static readonly DateTimeOffset LoadTime = Epoch.AddDays(2);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RoutingTableSnapshot_should_preserve_contacts_blacklist_and_closest_when_round_tripped(int seed)
    {
        var random = new Random(seed);
        var (table, blacklisted) = BusyTable(random);

        var loaded = RoutingTableSnapshot.Load(RoutingTableSnapshot.Save(table), table.OwnId, K, Fails, LoadTime);

        AssertInvariants(loaded);
        Assert.Equal(table.OwnId, loaded.OwnId);
        Assert.Equal(table.Count, loaded.Count);
        Assert.Equal(
            table.AllContacts().Select(c => c with { FailureCount = 0 }).OrderBy(c => c.Id),
            loaded.AllContacts().OrderBy(c => c.Id));
        Assert.NotEmpty(blacklisted);
        foreach (var id in blacklisted)
        {
            Assert.True(loaded.IsBlacklisted(id));
            Assert.Equal(AddResult.Ignored, loaded.Add(ContactFor(id)));
        }

        for (var i = 0; i < 50; i++)
        {
            var target = Key.Random(random);
            Assert.Equal(table.Closest(target, K).Select(c => c.Id), loaded.Closest(target, K).Select(c => c.Id));
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void RoutingTableSnapshot_should_rebuild_same_or_coarser_buckets_in_seen_order_when_loaded(int seed)
    {
        var (table, _) = BusyTable(new Random(seed));

        var loaded = RoutingTableSnapshot.Load(RoutingTableSnapshot.Save(table), table.OwnId, K, Fails, LoadTime);

        var original = table.Snapshot();
        var rebuilt = loaded.Snapshot();
        Assert.InRange(rebuilt.Count, 1, original.Count);
        foreach (var bucket in original)
        {
            // Each original bucket lies inside one rebuilt bucket, which holds all of its contacts.
            var holder = Assert.Single(rebuilt, r => r.Range.Min <= bucket.Range.Min && bucket.Range.Max <= r.Range.Max);
            Assert.Subset(holder.Contacts.Select(c => c.Id).ToHashSet(), bucket.Contacts.Select(c => c.Id).ToHashSet());
        }

        Assert.All(rebuilt, bucket =>
        {
            // Least recently seen first. (The original puts a replacement promoted from the cache last,
            // whatever its last-seen time; the rebuilt table orders it by that time.)
            Assert.Equal(bucket.Contacts.OrderBy(c => c.LastSeen), bucket.Contacts);
            Assert.Equal(LoadTime, bucket.LastTouched);
            Assert.Empty(bucket.ReplacementCache);
        });
    }

    [Fact]
    public void RoutingTableSnapshot_should_rebuild_identical_buckets_when_no_contact_left()
    {
        var own = Upper(0);
        var table = new RoutingTable(own, K, Fails, Epoch);
        for (var i = 1; i <= 3 * K; i++)
        {
            table.Add(ContactFor(i % 2 == 0 ? Upper(i) : Lower(i), 9000 + i, Epoch.AddSeconds(i)));
        }

        var loaded = RoutingTableSnapshot.Load(RoutingTableSnapshot.Save(table), own, K, Fails, LoadTime);

        Assert.Equal(
            table.Snapshot().Select(b => (b.Range, Ids: string.Join(",", b.Contacts))),
            loaded.Snapshot().Select(b => (b.Range, Ids: string.Join(",", b.Contacts))));
    }

    [Fact]
    public void RoutingTableSnapshot_should_keep_every_contact_field_when_round_tripped()
    {
        var own = Upper(0);
        var table = new RoutingTable(own, K, Fails, Epoch);
        var seen = new DateTimeOffset(2030, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(9)).AddTicks(9);
        var contacts = new[]
        {
            new Contact(Lower(1), "2001:db8::1", 65535, "1.0", seen),
            new Contact(Lower(2), "nœud.example", 1, "0.9-β", seen.AddTicks(1)),
            new Contact(Upper(3), "192.0.2.7", 4000, "", seen.AddTicks(2)),
        };
        foreach (var contact in contacts)
        {
            table.Add(contact);
        }

        var loaded = RoutingTableSnapshot.Load(RoutingTableSnapshot.Save(table), own, K, Fails, LoadTime);

        foreach (var contact in contacts)
        {
            var found = loaded.Find(contact.Id);
            Assert.Equal(contact, found);
            Assert.Equal(contact.LastSeen.UtcTicks, found!.LastSeen.UtcTicks);
        }
    }

    [Fact]
    public void RoutingTableSnapshot_should_leave_out_own_id_when_loaded_by_a_saved_contact()
    {
        var table = new RoutingTable(Upper(0), K, Fails, Epoch);
        table.Add(ContactFor(Lower(1)));
        table.Add(ContactFor(Lower(2)));

        var loaded = RoutingTableSnapshot.Load(RoutingTableSnapshot.Save(table), Lower(1), K, Fails, LoadTime);

        Assert.Null(loaded.Find(Lower(1)));
        Assert.NotNull(loaded.Find(Lower(2)));
        Assert.Equal(1, loaded.Count);
    }

    [Fact]
    public void RoutingTableSnapshot_should_save_same_bytes_when_table_is_saved_twice()
    {
        var (table, _) = BusyTable(new Random(9));

        Assert.Equal(RoutingTableSnapshot.Save(table), RoutingTableSnapshot.Save(table));
    }

    [Fact]
    public void RoutingTableSnapshot_should_load_empty_table_when_nothing_was_known()
    {
        var table = new RoutingTable(Upper(0), K, Fails, Epoch);

        var loaded = RoutingTableSnapshot.Load(RoutingTableSnapshot.Save(table), Upper(0), K, Fails, LoadTime);

        Assert.Equal(0, loaded.Count);
        Assert.Equal(1, loaded.BucketCount);
    }

    [Fact]
    public void RoutingTableSnapshot_should_throw_format_exception_when_input_is_garbage()
    {
        Assert.Throws<ArgumentNullException>(() => RoutingTableSnapshot.Load(null!, Upper(0), K, Fails, LoadTime));
        Assert.Throws<FormatException>(() => Load([]));
        Assert.Throws<FormatException>(() => Load([0xc0]));
        Assert.Throws<FormatException>(() => Load(CanonicalMsgPack.Encode("drogulus-routing-table")));
        // An array header claiming four billion contacts, with nothing after it.
        Assert.Throws<FormatException>(() => Load([0x94, 0xb6, .. "drogulus-routing-table"u8, 0x01, 0xdd, 0xff, 0xff, 0xff, 0xff]));
        var random = new Random(17);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            Assert.Throws<FormatException>(() => Load(bytes));
        }
    }

    [Fact]
    public void RoutingTableSnapshot_should_throw_format_exception_when_snapshot_is_truncated_or_extended()
    {
        var (table, _) = BusyTable(new Random(21));
        var saved = RoutingTableSnapshot.Save(table);

        for (var length = 0; length < saved.Length; length += 7)
        {
            Assert.Throws<FormatException>(() => Load(saved[..length]));
        }

        Assert.Throws<FormatException>(() => Load(saved[..^1]));
        Assert.Throws<FormatException>(() => Load([.. saved, 0x00]));
    }

    [Fact]
    public void RoutingTableSnapshot_should_load_or_throw_format_exception_when_bytes_are_flipped()
    {
        var (table, _) = BusyTable(new Random(22));
        var saved = RoutingTableSnapshot.Save(table);
        var random = new Random(23);
        var failures = 0;
        for (var i = 0; i < 2000; i++)
        {
            var damaged = (byte[])saved.Clone();
            damaged[random.Next(damaged.Length)] ^= (byte)random.Next(1, 256);
            try
            {
                AssertInvariants(Load(damaged));
            }
            catch (FormatException)
            {
                failures++;
            }
        }

        Assert.InRange(failures, 1, 2000);
    }

    [Fact]
    public void RoutingTableSnapshot_should_name_the_version_when_format_is_unknown()
    {
        var table = new RoutingTable(Upper(0), K, Fails, Epoch);
        var saved = RoutingTableSnapshot.Save(table);
        // [magic, 1, [], []]: the version is the positive fixint right after the 22-byte magic.
        var index = 1 + 1 + "drogulus-routing-table".Length;
        Assert.Equal(RoutingTableSnapshot.FormatVersion, saved[index]);
        saved[index] = 2;

        var error = Assert.Throws<FormatException>(() => Load(saved));

        Assert.Contains("format 2", error.Message, StringComparison.Ordinal);
    }

    private static RoutingTable Load(byte[] bytes) => RoutingTableSnapshot.Load(bytes, Upper(0), K, Fails, LoadTime);

    /// <summary>
    /// A table shaped by a seeded history: contacts near and far from the own id, re-seen contacts, failed
    /// and forced removals and a few blacklisted ids. Time moves forward one second per event.
    /// </summary>
    private static (RoutingTable Table, List<Key> Blacklisted) BusyTable(Random random)
    {
        var own = Key.Random(random);
        var table = new RoutingTable(own, K, Fails, Epoch);
        var known = new List<Key>();
        var blacklisted = new List<Key>();
        var time = Epoch;
        for (var step = 0; step < 600; step++)
        {
            time = time.AddSeconds(1);
            var roll = random.Next(100);
            if (roll < 60 || known.Count == 0)
            {
                // Half the newcomers share a long prefix with the own id, so the own bucket splits deeply.
                var id = random.Next(2) == 0 ? Key.Random(random) : own ^ Key.FromBigInteger(new System.Numerics.BigInteger(random.NextInt64(1, 1L << 40)));
                known.Add(id);
                table.Add(new Contact(id, $"10.0.{random.Next(256)}.{random.Next(256)}", random.Next(1, 65536), "1.0", time));
            }
            else if (roll < 80)
            {
                var id = known[random.Next(known.Count)];
                table.Add(new Contact(id, "10.1.0.1", 7000, "1.1", time));
            }
            else if (roll < 95)
            {
                table.Remove(known[random.Next(known.Count)], forced: random.Next(3) == 0);
            }
            else
            {
                var id = known[random.Next(known.Count)];
                table.Blacklist(id);
                blacklisted.Add(id);
            }
        }

        return (table, blacklisted);
    }
}
