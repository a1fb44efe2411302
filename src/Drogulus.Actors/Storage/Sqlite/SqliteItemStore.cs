using Drogulus.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Drogulus.Actors.Storage.Sqlite;

/// <summary>
/// An <see cref="IItemStore"/> in one SQLite file, so a node's items (PROTOCOL §10) survive restarts,
/// crashes and power loss. Not thread-safe: one actor owns it and calls it serially, as the interface says.
/// </summary>
/// <remarks>
/// <para>
/// Durability: the file is in WAL journal mode with <c>synchronous=FULL</c>, and every write is its own
/// transaction, so a write has been synced to disk when <see cref="Upsert"/>, <see cref="Remove"/> or
/// <see cref="Touch"/> returns. A node answers <c>pong</c> to <c>store</c> only after that. The one
/// exception is <see cref="SetTimes"/>, the batched update and access times: it commits with
/// <c>synchronous=NORMAL</c> (no fsync; the next FULL commit or checkpoint syncs it), because a remote
/// peer must not be able to make the node fsync by reading, and those times are not worth one. A process
/// kill loses nothing either way; a power loss may lose the latest batch of times, never an item.
/// </para>
/// <para>
/// Layout: one table <c>items</c> keyed by the 64-byte item key (BLOB primary key, <c>WITHOUT ROWID</c>).
/// <c>value</c> and <c>signature</c> are BLOBs as received; <c>meta</c> is the canonical msgpack string map
/// (PROTOCOL §3); <c>created_with</c>, <c>public_key</c> and <c>name</c> are UTF-8 TEXT. <c>timestamp</c> and
/// <c>expires</c> are stored as the INTEGER IEEE 754 bit pattern of the double, because the signature digest
/// hashes those exact bits and SQLite would turn a NaN into NULL and fold <c>-0.0</c> into <c>0.0</c> in a
/// REAL column. <c>updated_at</c> and <c>accessed_at</c> are INTEGER UTC ticks (100 ns since 0001-01-01), so a
/// <see cref="DateTimeOffset"/> comes back as the same instant to the tick, with offset zero. <c>address_group</c>
/// (TEXT) and <c>group_exempt</c> (0 or 1) are the address group the copy is charged to (PROTOCOL §6), and
/// <c>cached</c> (0 or 1) whether it was a cached copy when stored or last classified; <c>unpublished</c> (0 or 1)
/// whether it is the node's own put that no peer has stored yet (<see cref="StoredEntry.Unpublished"/>). A row
/// written by schema version 1 reads as the group <c>unknown</c>, close; one written by version 1 or 2 as published.
/// </para>
/// <para>
/// The file is tagged with <c>PRAGMA application_id</c> and its schema version with <c>PRAGMA user_version</c>;
/// <see cref="Open"/> refuses other SQLite databases, newer schema versions and files that are not SQLite, and
/// runs <c>PRAGMA quick_check</c> (linear in the file size) so that a damaged file is refused at start.
/// </para>
/// <para>
/// The class is split by concern: this file opens and closes the store; <c>.Schema</c> creates and checks the
/// file, <c>.Reads</c> and <c>.Writes</c> hold the row operations, and <c>.Times</c> the batched times.
/// </para>
/// </remarks>
public sealed partial class SqliteItemStore : IItemStore, IDisposable
{
    /// <summary>The <c>PRAGMA application_id</c> of an item store file: ASCII <c>"DrgI"</c>.</summary>
    public const int ApplicationId = 0x44726749;

    /// <summary>
    /// The schema version this class writes and reads (<c>PRAGMA user_version</c>). Versions 1 (no address
    /// groups) and 2 (no <c>unpublished</c> column) are upgraded in place when opened (see <c>.Schema</c>).
    /// </summary>
    public const int SchemaVersion = 3;

    private const string Columns =
        "key, value, timestamp_bits, expires_bits, created_with, public_key, name, meta, signature, updated_at, accessed_at, "
        + "address_group, group_exempt, cached, unpublished";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _get;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _remove;
    private readonly SqliteCommand _touch;
    private readonly SqliteCommand _count;
    private readonly SqliteCommand _all;
    private readonly SqliteCommand _entries;
    private readonly SqliteCommand _setTimes;
    private bool _disposed;

    private SqliteItemStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
        _get = Prepare($"SELECT {Columns} FROM items WHERE key = $key", "$key");
        _upsert = Prepare(
            $"INSERT OR REPLACE INTO items ({Columns}) VALUES ($key, $value, $timestamp, $expires, $created_with, $public_key, $name, $meta, $signature, $updated_at, $accessed_at, $address_group, $group_exempt, $cached, $unpublished)",
            "$key", "$value", "$timestamp", "$expires", "$created_with", "$public_key", "$name", "$meta", "$signature", "$updated_at", "$accessed_at",
            "$address_group", "$group_exempt", "$cached", "$unpublished");
        _remove = Prepare("DELETE FROM items WHERE key = $key", "$key");
        _touch = Prepare("UPDATE items SET accessed_at = $accessed_at WHERE key = $key", "$key", "$accessed_at");
        _count = Prepare("SELECT count(*) FROM items");
        _all = Prepare($"SELECT {Columns} FROM items");
        _entries = Prepare(
            "SELECT key, public_key, length(value), length(signature), length(CAST(public_key AS BLOB)), length(CAST(name AS BLOB)), "
            + "length(CAST(created_with AS BLOB)), length(meta), timestamp_bits, expires_bits, updated_at, accessed_at, address_group, group_exempt, cached, unpublished FROM items");
        _setTimes = Prepare("UPDATE items SET updated_at = $updated_at, accessed_at = $accessed_at WHERE key = $key", "$key", "$updated_at", "$accessed_at");
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens the item store in the SQLite file at <paramref name="path"/>, creating the file and its schema
    /// when it does not exist.
    /// </summary>
    /// <exception cref="InvalidDataException">when the file is not SQLite, is corrupt, belongs to another
    /// application or has a newer schema version.</exception>
    public static SqliteItemStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Without pooling, Dispose closes the file, so the store can be reopened or deleted at once.
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            PrepareFile(connection, fullPath);
            return new SqliteItemStore(connection, fullPath);
        }
        catch (SqliteException e) when ((e.SqliteErrorCode & 0xff) is SQLitePCL.raw.SQLITE_NOTADB or SQLitePCL.raw.SQLITE_CORRUPT)
        {
            connection.Dispose();
            throw new InvalidDataException($"'{fullPath}' is not a readable SQLite item store: {e.Message}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Closes the database file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var command in new[] { _get, _upsert, _remove, _touch, _count, _all, _entries, _setTimes })
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
