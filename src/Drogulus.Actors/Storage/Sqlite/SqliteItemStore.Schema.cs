using Drogulus.Core.Limits;
using Microsoft.Data.Sqlite;

namespace Drogulus.Actors.Storage.Sqlite;

/// <summary>The file: schema creation, format checks (application_id, user_version, quick_check) and pragmas.</summary>
public sealed partial class SqliteItemStore
{
    /// <summary>The value of <c>PRAGMA <paramref name="name"/></c> on this connection, for tests.</summary>
    internal object? ReadPragma(string name)
    {
        ThrowIfDisposed();
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA " + name;
        return command.ExecuteScalar();
    }

    private static void PrepareFile(SqliteConnection connection, string path)
    {
        // Reading the header first gives "not a database" before any write is attempted.
        var applicationId = Convert.ToInt32(Scalar(connection, "PRAGMA application_id"), System.Globalization.CultureInfo.InvariantCulture);
        var userVersion = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        var objects = Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_master"), System.Globalization.CultureInfo.InvariantCulture);
        if (applicationId == 0 && userVersion == 0 && objects == 0)
        {
            CreateSchema(connection);
        }
        else if (applicationId != ApplicationId)
        {
            throw new InvalidDataException(
                $"'{path}' is a SQLite database of another application (application_id 0x{applicationId:x8}), not a Drogulus item store.");
        }
        else if (userVersion is 1 or 2)
        {
            Upgrade(connection, userVersion);
        }
        else if (userVersion != SchemaVersion)
        {
            throw new InvalidDataException(
                $"'{path}' is a Drogulus item store of schema version {userVersion}; this build reads version {SchemaVersion} only.");
        }

        var journal = Scalar(connection, "PRAGMA journal_mode = WAL") as string;
        if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"'{path}' cannot use WAL journal mode (SQLite answered '{journal}').");
        }

        Execute(connection, "PRAGMA synchronous = FULL");

        // A damaged page would otherwise surface on some later read, in the middle of serving requests.
        var check = Scalar(connection, "PRAGMA quick_check(1)") as string;
        if (!string.Equals(check, "ok", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}' is a corrupt SQLite item store: {check}");
        }
    }

    private static void CreateSchema(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, """
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
                cached INTEGER NOT NULL DEFAULT 0,
                unpublished INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID
            """, transaction);
        Execute(connection, $"PRAGMA application_id = {ApplicationId}", transaction);
        Execute(connection, $"PRAGMA user_version = {SchemaVersion}", transaction);
        transaction.Commit();
    }

    // Schema version 1 kept no address group (PROTOCOL second edition). Its rows are charged to the group
    // "unknown" (PROTOCOL §6, upgrade), as the column defaults say, and count as close copies; items past
    // max-item-age are dropped by the node's first republish pass, which applies the new rule 3. Version 2 kept no
    // unpublished mark: its rows read as published (a put that reached no peer before the upgrade is republished
    // only if the node is among the closest it knows, as version 2 did). One transaction: a crash leaves the old
    // version or the new one.
    private static void Upgrade(SqliteConnection connection, int from)
    {
        using var transaction = connection.BeginTransaction();
        if (from == 1)
        {
            Execute(connection, $"ALTER TABLE items ADD COLUMN address_group TEXT NOT NULL DEFAULT '{AddressGroup.Unknown.Value}'", transaction);
            Execute(connection, "ALTER TABLE items ADD COLUMN group_exempt INTEGER NOT NULL DEFAULT 0", transaction);
            Execute(connection, "ALTER TABLE items ADD COLUMN cached INTEGER NOT NULL DEFAULT 0", transaction);
        }

        Execute(connection, "ALTER TABLE items ADD COLUMN unpublished INTEGER NOT NULL DEFAULT 0", transaction);
        Execute(connection, $"PRAGMA user_version = {SchemaVersion}", transaction);
        transaction.Commit();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }
}
