using Drogulus.Actors.Storage.Sqlite;
using Drogulus.Core.Storage;
using Microsoft.Data.Sqlite;
using static Drogulus.Actors.Tests.Storage.Sqlite.StoreRows;

namespace Drogulus.Actors.Tests.Storage.Sqlite;

public sealed class SqliteItemStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string DbPath => _directory.File("items.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void SqliteItemStore_should_keep_puts_synchronous_full_when_a_batch_of_times_was_written()
    {
        using var store = SqliteItemStore.Open(DbPath);
        var row = Row("timed");
        store.Upsert(row);

        store.SetTimes([StoredEntry.Of(row) with { AccessedAt = T0.AddHours(1) }]);

        Assert.Equal(2L, store.ReadPragma("synchronous"));
        Assert.Equal(T0.AddHours(1), store.Get(row.Key)!.AccessedAt);
    }

    [Fact]
    public void SqliteItemStore_should_keep_batched_times_when_reopened()
    {
        var row = Row("timed");
        using (var store = SqliteItemStore.Open(DbPath))
        {
            store.Upsert(row);
            store.SetTimes([StoredEntry.Of(row) with { UpdatedAt = T0.AddHours(2), AccessedAt = T0.AddHours(1) }]);
        }

        using var reopened = SqliteItemStore.Open(DbPath);

        Assert.Equal(row with { UpdatedAt = T0.AddHours(2), AccessedAt = T0.AddHours(1) }, reopened.Get(row.Key));
        Assert.Equal(StoredEntry.Of(reopened.Get(row.Key)!), Assert.Single(reopened.Entries()));
    }

    [Fact]
    public void SqliteItemStore_should_hold_identical_rows_when_reopened()
    {
        var rows = Enumerable.Range(0, 30)
            .Select(i => new StoredItem(
                Item("ré-" + i, timestamp: 1350544046.5 + i, expires: i % 2 == 0 ? 0 : 1360000000.25,
                    meta: new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["ü"] = "名" }),
                T0.AddTicks(i * 1_000_003), T0.AddSeconds(i).AddTicks(17)))
            .ToList();
        using (var store = SqliteItemStore.Open(DbPath))
        {
            rows.ForEach(store.Upsert);
            store.Remove(rows[0].Key);
            store.Touch(rows[1].Key, T0.AddDays(3));
        }

        using var reopened = SqliteItemStore.Open(DbPath);

        var expected = rows.Skip(1).Select(r => r.Key == rows[1].Key ? r with { AccessedAt = T0.AddDays(3) } : r).OrderBy(r => r.Key).ToList();
        Assert.Equal(expected, reopened.All().OrderBy(r => r.Key).ToList());
        Assert.Equal(29, reopened.Count());
        Assert.Null(reopened.Get(rows[0].Key));
    }

    [Fact]
    public void SqliteItemStore_should_use_wal_and_full_sync_when_opened()
    {
        using var store = SqliteItemStore.Open(DbPath);

        Assert.Equal("wal", store.ReadPragma("journal_mode"));
        Assert.Equal(2L, store.ReadPragma("synchronous"));
        Assert.Equal((long)SqliteItemStore.SchemaVersion, store.ReadPragma("user_version"));
        Assert.Equal((long)SqliteItemStore.ApplicationId, store.ReadPragma("application_id"));
    }

    [Fact]
    public void SqliteItemStore_should_throw_invalid_data_when_file_is_not_sqlite()
    {
        var bytes = new byte[8192];
        new Random(11).NextBytes(bytes);
        File.WriteAllBytes(DbPath, bytes);

        var error = Assert.Throws<InvalidDataException>(() => SqliteItemStore.Open(DbPath));

        Assert.Contains(DbPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SqliteItemStore_should_throw_invalid_data_when_file_is_text()
    {
        File.WriteAllText(DbPath, "this is not a database\n");

        Assert.Throws<InvalidDataException>(() => SqliteItemStore.Open(DbPath));
    }

    [Fact]
    public void SqliteItemStore_should_throw_invalid_data_when_database_belongs_to_another_application()
    {
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE items (key BLOB PRIMARY KEY, something TEXT)";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidDataException>(() => SqliteItemStore.Open(DbPath));

        Assert.Contains("another application", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SqliteItemStore_should_throw_invalid_data_when_schema_version_is_newer()
    {
        SqliteItemStore.Open(DbPath).Dispose();
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {SqliteItemStore.SchemaVersion + 1}";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidDataException>(() => SqliteItemStore.Open(DbPath));

        Assert.Contains($"schema version {SqliteItemStore.SchemaVersion + 1}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SqliteItemStore_should_throw_invalid_data_when_a_page_is_damaged()
    {
        using (var store = SqliteItemStore.Open(DbPath))
        {
            for (var i = 0; i < 200; i++)
            {
                store.Upsert(new StoredItem(Item("p" + i, value: new byte[1000]), T0, T0));
            }
        }

        // Closing the last connection checkpoints the WAL into the main file; damage a b-tree page there.
        var bytes = File.ReadAllBytes(DbPath);
        Assert.True(bytes.Length > 16 * 4096);
        new Random(5).NextBytes(bytes.AsSpan(4096 * 2, 4096 * 4));
        File.WriteAllBytes(DbPath, bytes);

        Assert.Throws<InvalidDataException>(() => SqliteItemStore.Open(DbPath));
    }

    [Fact]
    public void SqliteItemStore_should_create_file_when_none_exists()
    {
        Assert.False(File.Exists(DbPath));

        using var store = SqliteItemStore.Open(DbPath);

        Assert.True(File.Exists(DbPath));
        Assert.Equal(Path.GetFullPath(DbPath), store.Path);
        Assert.Equal(0, store.Count());
    }

    [Fact]
    public void SqliteItemStore_should_throw_object_disposed_when_used_after_dispose()
    {
        var store = SqliteItemStore.Open(DbPath);
        store.Dispose();
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.Count());
        Assert.Throws<ObjectDisposedException>(() => store.Upsert(Row()));
    }
}
