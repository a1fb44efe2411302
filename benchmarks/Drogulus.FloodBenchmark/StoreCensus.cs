using Microsoft.Data.Sqlite;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// What a live node's item database holds, read from its SQLite file (WAL mode, so a read-only connection sees the
/// last committed store while the node keeps writing): items and bytes per address group, counted as the quotas of
/// PROTOCOL §6 count them (<c>ItemSize.Of</c>: 96 bytes per row plus value, signature, public key, name, created_with
/// and meta), and the junk rows (names starting <c>junk </c>).
/// </summary>
internal static class StoreCensus
{
    private const string RowBytes = "96 + length(value) + length(signature) + length(CAST(public_key AS BLOB)) + length(CAST(name AS BLOB)) "
        + "+ length(CAST(created_with AS BLOB)) + length(meta)";

    /// <summary>One address group's copies.</summary>
    public sealed record GroupShare(string Group, long Items, long Bytes, long Cached);

    /// <summary>Items and bytes per address group, largest first.</summary>
    public static IReadOnlyList<GroupShare> Groups(string database)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT address_group, COUNT(*), SUM({RowBytes}), SUM(cached) FROM items GROUP BY address_group ORDER BY 3 DESC";
        using var reader = command.ExecuteReader();
        var rows = new List<GroupShare>();
        while (reader.Read())
        {
            rows.Add(new GroupShare(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return rows;
    }

    /// <summary>Junk rows held, and how many of them were stored (updated) after <paramref name="after"/>.</summary>
    public static (long Held, long StoredAfter) Junk(string database, DateTimeOffset after)
    {
        if (!File.Exists(database))
        {
            return (0, 0);
        }

        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COALESCE(SUM(updated_at > $after), 0) FROM items WHERE name LIKE 'junk %'";
        command.Parameters.AddWithValue("$after", after.UtcTicks);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static SqliteConnection Open(string database)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = database,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = 60,
        }.ToString());
        connection.Open();
        return connection;
    }
}
