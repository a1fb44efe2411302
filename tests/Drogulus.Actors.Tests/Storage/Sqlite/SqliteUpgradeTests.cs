using Drogulus.Actors.Storage.Sqlite;
using Drogulus.Core.Items;
using Drogulus.Core.Limits;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using Microsoft.Data.Sqlite;
using static Drogulus.Actors.Tests.Storage.Sqlite.StoreRows;

namespace Drogulus.Actors.Tests.Storage.Sqlite;

/// <summary>
/// PROTOCOL §6 (third edition), upgrade: a store written by the previous release (schema version 1, no address
/// groups) opens under the new rules: its rows are charged to the group "unknown" and items past
/// <c>max-item-age</c> are dropped by the first republish pass. A store of schema version 2 (no unpublished mark,
/// PROTOCOL §10 implementation note) opens with every row published and its group and standing kept.
/// </summary>
public sealed class SqliteUpgradeTests : IDisposable
{
    private static readonly ItemLifetime Lifetime = new(TimeSpan.FromHours(48), TimeSpan.FromMinutes(10));
    private readonly TempDirectory _directory = new();

    private string DbPath => _directory.File("items.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Open_should_charge_version_1_rows_to_the_unknown_group_when_upgrading_the_file()
    {
        var fresh = Item("fresh", timestamp: Seconds(T0));
        WriteVersion1Store(fresh);

        using var store = SqliteItemStore.Open(DbPath);

        Assert.Equal((long)SqliteItemStore.SchemaVersion, store.ReadPragma("user_version"));
        var row = store.Get(fresh.Key)!;
        Assert.Equal(fresh, row.Item);
        Assert.Equal(AddressGroup.Unknown, row.Group);
        Assert.False(row.Cached);
        Assert.Equal(AddressGroup.Unknown, Assert.Single(store.Entries()).Group);
    }

    [Fact]
    public void LocalStore_should_drop_aged_rows_at_the_first_pass_and_evict_unknown_rows_first_when_opened_over_a_version_1_store()
    {
        var aged = Item("aged", timestamp: Seconds(T0) - TimeSpan.FromHours(49).TotalSeconds);
        var fresh = Item("fresh1", timestamp: Seconds(T0));
        var fresh2 = Item("fresh2", timestamp: Seconds(T0));
        WriteVersion1Store(aged, fresh, fresh2);
        using var rows = SqliteItemStore.Open(DbPath);
        var size = ItemSize.Of(fresh);
        var store = new LocalStore(rows, new StoreLimits(1000, 2 * size + (size / 2), 100) { Lifetime = Lifetime });

        var plan = store.PlanRepublish(T0 + TimeSpan.FromHours(2), TimeSpan.FromHours(1), _ => true);
        Assert.Equal([aged.Key], plan.Delete.Select(e => e.Key));
        Assert.Equal(1, store.ApplyDeletions(plan));

        // A full store: a copy from a real group evicts from "unknown", the largest group.
        var honest = AddressGroup.Of("192.0.2.1", exemptPrivate: true);
        var outcome = store.Store(Item("honest", timestamp: Seconds(T0)), T0 + TimeSpan.FromHours(2), honest, amongClosest: true);

        Assert.True(outcome.IsStored);
        Assert.Equal(size, store.BytesOf(AddressGroup.Unknown));
        Assert.Equal(honest, rows.Get(Item("honest").Key)!.Group);
        Assert.Null(rows.Get(aged.Key));
    }

    [Fact]
    public void Open_should_read_version_2_rows_as_published_and_keep_their_group_and_standing_when_upgrading_the_file()
    {
        var cached = Item("cached", timestamp: Seconds(T0));
        var close = Item("close", timestamp: Seconds(T0));
        var group = AddressGroup.Of("192.0.2.1", exemptPrivate: true);
        WriteVersion2Store((cached, group, true), (close, AddressGroup.Local, false));

        using (var store = SqliteItemStore.Open(DbPath))
        {
            Assert.Equal((long)SqliteItemStore.SchemaVersion, store.ReadPragma("user_version"));
            var row = store.Get(cached.Key)!;
            Assert.Equal(cached, row.Item);
            Assert.Equal(group, row.Group);
            Assert.True(row.Cached);
            Assert.False(row.Unpublished);
            Assert.All(store.Entries(), e => Assert.False(e.Unpublished));

            // The new column is written and read back like the others.
            store.Upsert(store.Get(close.Key)! with { Unpublished = true });
        }

        using var reopened = SqliteItemStore.Open(DbPath);
        Assert.True(reopened.Get(close.Key)!.Unpublished);
        Assert.Equal([close.Key], reopened.Entries().Where(e => e.Unpublished).Select(e => e.Key));
        Assert.Equal(AddressGroup.Local, reopened.Get(close.Key)!.Group);
    }

    private static double Seconds(DateTimeOffset time) => SignedItem.UnixSeconds(time);

    // The file exactly as the release before the unpublished mark created and wrote it (schema version 2).
    private void WriteVersion2Store(params (SignedItem Item, AddressGroup Group, bool Cached)[] rows)
    {
        using var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        connection.Open();
        Run(connection, """
            CREATE TABLE items (
                key BLOB NOT NULL PRIMARY KEY CHECK (length(key) = 64),
                value BLOB NOT NULL,
                timestamp_bits INTEGER NOT NULL,
                expires_bits INTEGER NOT NULL,
                created_with TEXT NOT NULL,
                public_key TEXT NOT NULL,
                name TEXT NOT NULL,
                meta BLOB NOT NULL,
                signature BLOB NOT NULL,
                updated_at INTEGER NOT NULL,
                accessed_at INTEGER NOT NULL,
                address_group TEXT NOT NULL DEFAULT 'unknown',
                group_exempt INTEGER NOT NULL DEFAULT 0,
                cached INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID
            """);
        Run(connection, $"PRAGMA application_id = {SqliteItemStore.ApplicationId}");
        Run(connection, "PRAGMA user_version = 2");
        foreach (var (item, group, cached) in rows)
        {
            using var insert = InsertOf(connection, item, ", $g, $x, $d");
            insert.Parameters.AddWithValue("$g", group.Value);
            insert.Parameters.AddWithValue("$x", group.IsExempt ? 1 : 0);
            insert.Parameters.AddWithValue("$d", cached ? 1 : 0);
            insert.ExecuteNonQuery();
        }
    }

    // The file exactly as the previous release created and wrote it (its CreateSchema and Upsert).
    private void WriteVersion1Store(params SignedItem[] items)
    {
        using var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        connection.Open();
        Run(connection, """
            CREATE TABLE items (
                key BLOB NOT NULL PRIMARY KEY CHECK (length(key) = 64),
                value BLOB NOT NULL,
                timestamp_bits INTEGER NOT NULL,
                expires_bits INTEGER NOT NULL,
                created_with TEXT NOT NULL,
                public_key TEXT NOT NULL,
                name TEXT NOT NULL,
                meta BLOB NOT NULL,
                signature BLOB NOT NULL,
                updated_at INTEGER NOT NULL,
                accessed_at INTEGER NOT NULL
            ) WITHOUT ROWID
            """);
        Run(connection, $"PRAGMA application_id = {SqliteItemStore.ApplicationId}");
        Run(connection, "PRAGMA user_version = 1");
        foreach (var item in items)
        {
            using var insert = InsertOf(connection, item, "");
            insert.ExecuteNonQuery();
        }
    }

    // An INSERT of the columns every schema version has, at T0, followed by the named parameters of later columns.
    private static SqliteCommand InsertOf(SqliteConnection connection, SignedItem item, string laterColumns)
    {
        var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO items VALUES ($k, $v, $t, $e, $c, $p, $n, $m, $s, $u, $a{laterColumns})";
        insert.Parameters.AddWithValue("$k", item.Key.ToArray());
        insert.Parameters.AddWithValue("$v", item.Value.ToArray());
        insert.Parameters.AddWithValue("$t", BitConverter.DoubleToInt64Bits(item.Timestamp));
        insert.Parameters.AddWithValue("$e", BitConverter.DoubleToInt64Bits(item.Expires));
        insert.Parameters.AddWithValue("$c", item.CreatedWith);
        insert.Parameters.AddWithValue("$p", item.PublicKey);
        insert.Parameters.AddWithValue("$n", item.Name);
        insert.Parameters.AddWithValue("$m", CanonicalMsgPack.Encode(item.Meta));
        insert.Parameters.AddWithValue("$s", item.Signature.ToArray());
        insert.Parameters.AddWithValue("$u", T0.UtcTicks);
        insert.Parameters.AddWithValue("$a", T0.UtcTicks);
        return insert;
    }

    private static void Run(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
