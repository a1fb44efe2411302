using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Tests.Storage.Sqlite.StoreRows;

namespace Drogulus.Actors.Tests.Storage.Sqlite;

/// <summary>
/// The behaviour every <see cref="IItemStore"/> owes <see cref="LocalStore"/>, run against each store.
/// Plain xunit classes: nothing here needs an actor system.
/// </summary>
public abstract class ItemStoreContractTests : IDisposable
{
    private IItemStore? _store;

    /// <summary>The store under test, created on first use.</summary>
    protected IItemStore Store => _store ??= CreateStore();

    /// <summary>Creates an empty store.</summary>
    protected abstract IItemStore CreateStore();

    public virtual void Dispose()
    {
        (_store as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void ItemStore_should_return_null_when_key_not_held()
    {
        Store.Upsert(Row("held"));

        Assert.Null(Store.Get(Item("other").Key));
    }

    [Fact]
    public void ItemStore_should_return_every_field_when_row_was_upserted()
    {
        var item = Item(
            name: "naïve ☃ 名前 𝄞",
            timestamp: 1350544046.375,
            expires: 1350547646.5,
            value: CanonicalMsgPack.Encode("ünïcödé value " + new string('z', 70_000)),
            meta: new Dictionary<string, string> { ["zeta"] = "last", ["alpha"] = "first", ["ключ"] = "значение", ["𝄞"] = "" },
            signature: SeededBytes(256),
            createdWith: "drogulus 0.1 ✓");
        var row = new StoredItem(item, T0.AddTicks(1234567), T0.AddHours(2).AddTicks(7));

        Store.Upsert(row);
        var read = Store.Get(item.Key);

        Assert.NotNull(read);
        Assert.Equal(row, read);
        Assert.Equal(item.Key, read.Item.Key);
        Assert.Equal(item.Value.ToArray(), read.Item.Value.ToArray());
        Assert.Equal(item.Signature.ToArray(), read.Item.Signature.ToArray());
        Assert.Equal(item.Meta.ToArray(), read.Item.Meta.ToArray());
        Assert.Equal(item.Name, read.Item.Name);
        Assert.Equal(item.CreatedWith, read.Item.CreatedWith);
        Assert.Equal(item.PublicKey, read.Item.PublicKey);
        Assert.Equal(row.UpdatedAt, read.UpdatedAt);
        Assert.Equal(row.AccessedAt, read.AccessedAt);
    }

    [Theory]
    [InlineData(0x0000000000000000L)] // 0.0
    [InlineData(unchecked((long)0x8000000000000000UL))] // -0.0
    [InlineData(0x41D41DF0EB87E76DL)] // 1350544046.123...
    [InlineData(unchecked((long)0xBFF8000000000000UL))] // -1.5
    [InlineData(0x7FEFFFFFFFFFFFFFL)] // double.MaxValue
    [InlineData(0x0000000000000001L)] // double.Epsilon
    [InlineData(0x7FF8000000000001L)] // a NaN with a payload
    [InlineData(0x7FF0000000000000L)] // +infinity
    public void ItemStore_should_keep_exact_bits_of_times_when_item_round_trips(long bits)
    {
        var time = BitConverter.Int64BitsToDouble(bits);
        var row = new StoredItem(Item(timestamp: time, expires: time), T0, T0);

        Store.Upsert(row);
        var read = Store.Get(row.Key)!;

        // The signature digest hashes the float64 bits, so -0.0 and NaN must come back bit for bit.
        Assert.Equal(BitConverter.DoubleToInt64Bits(time), BitConverter.DoubleToInt64Bits(read.Item.Timestamp));
        Assert.Equal(BitConverter.DoubleToInt64Bits(time), BitConverter.DoubleToInt64Bits(read.Item.Expires));
    }

    [Fact]
    public void ItemStore_should_keep_empty_fields_when_item_has_them()
    {
        var item = Item(name: "", value: [], meta: new Dictionary<string, string>(), signature: [], createdWith: "");
        Store.Upsert(new StoredItem(item, T0, T0));

        var read = Store.Get(item.Key)!;

        Assert.Equal(item, read.Item);
        Assert.Empty(read.Item.Value.ToArray());
        Assert.Empty(read.Item.Signature.ToArray());
        Assert.Empty(read.Item.Meta);
    }

    [Fact]
    public void ItemStore_should_return_same_instant_when_times_have_offsets()
    {
        var updated = new DateTimeOffset(2031, 5, 6, 7, 8, 9, 123, TimeSpan.FromHours(5.5)).AddTicks(4567);
        var accessed = new DateTimeOffset(1999, 12, 31, 23, 59, 59, 999, TimeSpan.FromHours(-8)).AddTicks(1);
        var row = new StoredItem(Item(), updated, accessed);

        Store.Upsert(row);
        var read = Store.Get(row.Key)!;

        Assert.Equal(updated.UtcTicks, read.UpdatedAt.UtcTicks);
        Assert.Equal(accessed.UtcTicks, read.AccessedAt.UtcTicks);
    }

    [Fact]
    public void ItemStore_should_replace_whole_row_when_upserting_same_key()
    {
        var first = new StoredItem(Item(value: CanonicalMsgPack.Encode("a"), meta: new Dictionary<string, string> { ["m"] = "1" }), T0, T0);
        var second = new StoredItem(Item(value: CanonicalMsgPack.Encode("b"), timestamp: 1350544047), T0.AddHours(1), T0.AddMinutes(1));

        Store.Upsert(first);
        Store.Upsert(second);

        Assert.Equal(1, Store.Count());
        Assert.Equal(second, Store.Get(second.Key));
        Assert.Empty(Store.Get(second.Key)!.Item.Meta);
    }

    [Fact]
    public void ItemStore_should_report_removal_only_when_row_was_held()
    {
        var row = Row("gone");
        var kept = Row("kept");
        Store.Upsert(row);
        Store.Upsert(kept);

        Assert.True(Store.Remove(row.Key));
        Assert.False(Store.Remove(row.Key));
        Assert.Null(Store.Get(row.Key));
        Assert.Equal(kept, Store.Get(kept.Key));
        Assert.Equal(1, Store.Count());
    }

    [Fact]
    public void ItemStore_should_count_distinct_keys_when_rows_are_upserted()
    {
        Assert.Equal(0, Store.Count());
        for (var i = 0; i < 25; i++)
        {
            Store.Upsert(Row("n" + i));
        }

        Store.Upsert(Row("n3", T0.AddDays(1)));

        Assert.Equal(25, Store.Count());
    }

    [Fact]
    public void ItemStore_should_enumerate_every_row_when_all_is_read()
    {
        var rows = Enumerable.Range(0, 40).Select(i => Row("row " + i, T0.AddSeconds(i), T0.AddSeconds(2 * i))).ToList();
        foreach (var row in rows)
        {
            Store.Upsert(row);
        }

        var all = Store.All().ToList();

        Assert.Equal(rows.Count, all.Count);
        Assert.Equal(rows.OrderBy(r => r.Key).ToList(), all.OrderBy(r => r.Key).ToList());
    }

    [Fact]
    public void ItemStore_should_allow_writes_when_written_during_enumeration()
    {
        for (var i = 0; i < 10; i++)
        {
            Store.Upsert(Row("w" + i));
        }

        var seen = 0;
        foreach (var row in Store.All())
        {
            Store.Remove(row.Key);
            Store.Upsert(Row("new" + seen));
            Store.Touch(Row("new" + seen).Key, T0.AddHours(1));
            seen++;
        }

        Assert.Equal(10, seen);
        Assert.Equal(10, Store.Count());
        Assert.All(Store.All(), row => Assert.StartsWith("new", row.Item.Name, StringComparison.Ordinal));
    }

    [Fact]
    public void ItemStore_should_set_only_accessed_at_when_touching_held_row()
    {
        var row = Row("touched", T0, T0);
        Assert.False(Store.Touch(row.Key, T0));
        Store.Upsert(row);

        Assert.True(Store.Touch(row.Key, T0.AddHours(1).AddTicks(3)));

        Assert.Equal(row with { AccessedAt = T0.AddHours(1).AddTicks(3) }, Store.Get(row.Key));
    }

    private static byte[] SeededBytes(int length)
    {
        var bytes = new byte[length];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void ItemStore_should_throw_when_upserting_null()
    {
        Assert.Throws<ArgumentNullException>(() => Store.Upsert(null!));
    }

    [Fact]
    public void ItemStore_should_follow_store_rules_when_used_by_local_store()
    {
        var local = new LocalStore(Store);
        var older = Item(timestamp: 100);
        var newer = Item(timestamp: 200);

        Assert.True(local.Store(newer, T0).IsStored);
        Assert.Equal(ErrorCode.SupersededValue, local.Store(older, T0.AddSeconds(1)).Error);
        Assert.Equal(newer, local.Get(newer.Key, T0.AddSeconds(2)));
        Assert.Equal(T0.AddSeconds(2), Store.Get(newer.Key)!.AccessedAt);
        Assert.Equal(new[] { newer.Key }, local.AllKeys());
    }

    [Fact]
    public void ItemStore_should_list_every_row_entry_without_values_when_entries_are_enumerated()
    {
        var rich = new StoredItem(
            Item(
                name: "naïve ☃",
                value: CanonicalMsgPack.Encode(new string('z', 300)),
                meta: new Dictionary<string, string> { ["ключ"] = "значение", ["a"] = "b" },
                signature: SeededBytes(256),
                createdWith: "specs ✓"),
            T0.AddTicks(5),
            T0.AddHours(1));
        var plain = Row("plain");
        Store.Upsert(rich);
        Store.Upsert(plain);

        var entries = Store.Entries().OrderBy(e => e.Key).ToArray();

        Assert.Equal(new[] { StoredEntry.Of(rich), StoredEntry.Of(plain) }.OrderBy(e => e.Key), entries);
        Assert.Equal(ItemSize.Of(rich.Item), entries.Single(e => e.Key == rich.Key).Size);
        Assert.Equal(StoredEntry.PublisherOf(Pem), entries[0].Publisher);
    }

    [Fact]
    public void ItemStore_should_write_times_of_held_rows_and_skip_others_when_set_in_a_batch()
    {
        var a = Row("a");
        var b = Row("b");
        Store.Upsert(a);
        Store.Upsert(b);
        var gone = StoredEntry.Of(Row("gone"));

        Store.SetTimes(
        [
            StoredEntry.Of(a) with { UpdatedAt = T0.AddHours(2), AccessedAt = T0.AddHours(3) },
            StoredEntry.Of(b) with { AccessedAt = T0.AddMinutes(7) },
            gone,
        ]);

        Assert.Equal(a with { UpdatedAt = T0.AddHours(2), AccessedAt = T0.AddHours(3) }, Store.Get(a.Key));
        Assert.Equal(b with { AccessedAt = T0.AddMinutes(7) }, Store.Get(b.Key));
        Assert.Null(Store.Get(gone.Key));
        Assert.Equal(2, Store.Count());
    }

    [Fact]
    public void ItemStore_should_give_a_local_store_its_accounting_when_reopened_by_a_new_local_store()
    {
        var first = new LocalStore(Store, new StoreLimits(1000, 1_000_000, 2));
        Assert.True(first.Store(Item("one"), T0).IsStored);
        Assert.True(first.Store(Item("two"), T0).IsStored);

        var second = new LocalStore(Store, new StoreLimits(1000, 1_000_000, 2));

        Assert.Equal(first.TotalBytes, second.TotalBytes);
        Assert.Equal(2, second.CountOf(Pem));
        Assert.Equal(ErrorCode.StorageFull, second.Store(Item("three"), T0).Error);
    }
}

public sealed class InMemoryItemStoreContractTests : ItemStoreContractTests
{
    protected override IItemStore CreateStore() => new InMemoryItemStore();
}

public sealed class SqliteItemStoreContractTests : ItemStoreContractTests
{
    private readonly TempDirectory _directory = new();

    protected override IItemStore CreateStore() => Actors.Storage.Sqlite.SqliteItemStore.Open(_directory.File("items.db"));

    public override void Dispose()
    {
        base.Dispose();
        _directory.Dispose();
    }
}
