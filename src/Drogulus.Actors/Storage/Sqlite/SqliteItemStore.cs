using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using MessagePack;
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
/// <see cref="DateTimeOffset"/> comes back as the same instant to the tick, with offset zero.
/// </para>
/// <para>
/// The file is tagged with <c>PRAGMA application_id</c> and its schema version with <c>PRAGMA user_version</c>;
/// <see cref="Open"/> refuses other SQLite databases, newer schema versions and files that are not SQLite, and
/// runs <c>PRAGMA quick_check</c> (linear in the file size) so that a damaged file is refused at start.
/// </para>
/// </remarks>
public sealed class SqliteItemStore : IItemStore, IDisposable
{
    /// <summary>The <c>PRAGMA application_id</c> of an item store file: ASCII <c>"DrgI"</c>.</summary>
    public const int ApplicationId = 0x44726749;

    /// <summary>The schema version this class writes and reads (<c>PRAGMA user_version</c>).</summary>
    public const int SchemaVersion = 1;

    private const string Columns =
        "key, value, timestamp_bits, expires_bits, created_with, public_key, name, meta, signature, updated_at, accessed_at";

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
            $"INSERT OR REPLACE INTO items ({Columns}) VALUES ($key, $value, $timestamp, $expires, $created_with, $public_key, $name, $meta, $signature, $updated_at, $accessed_at)",
            "$key", "$value", "$timestamp", "$expires", "$created_with", "$public_key", "$name", "$meta", "$signature", "$updated_at", "$accessed_at");
        _remove = Prepare("DELETE FROM items WHERE key = $key", "$key");
        _touch = Prepare("UPDATE items SET accessed_at = $accessed_at WHERE key = $key", "$key", "$accessed_at");
        _count = Prepare("SELECT count(*) FROM items");
        _all = Prepare($"SELECT {Columns} FROM items");
        _entries = Prepare(
            "SELECT key, public_key, length(value), length(signature), length(CAST(public_key AS BLOB)), length(CAST(name AS BLOB)), "
            + "length(CAST(created_with AS BLOB)), length(meta), timestamp_bits, expires_bits, updated_at, accessed_at FROM items");
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

    /// <inheritdoc />
    public StoredItem? Get(Key key)
    {
        ThrowIfDisposed();
        _get.Parameters[0].Value = key.ToArray();
        using var reader = _get.ExecuteReader();
        return reader.Read() ? ReadRow(reader) : null;
    }

    /// <inheritdoc />
    public void Upsert(StoredItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        ThrowIfDisposed();
        var signed = item.Item;
        var p = _upsert.Parameters;
        p[0].Value = signed.Key.ToArray();
        p[1].Value = signed.Value.ToArray();
        p[2].Value = BitConverter.DoubleToInt64Bits(signed.Timestamp);
        p[3].Value = BitConverter.DoubleToInt64Bits(signed.Expires);
        p[4].Value = signed.CreatedWith;
        p[5].Value = signed.PublicKey;
        p[6].Value = signed.Name;
        p[7].Value = CanonicalMsgPack.Encode(signed.Meta);
        p[8].Value = signed.Signature.ToArray();
        p[9].Value = item.UpdatedAt.UtcTicks;
        p[10].Value = item.AccessedAt.UtcTicks;
        _upsert.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public bool Remove(Key key)
    {
        ThrowIfDisposed();
        _remove.Parameters[0].Value = key.ToArray();
        return _remove.ExecuteNonQuery() > 0;
    }

    /// <inheritdoc />
    public int Count()
    {
        ThrowIfDisposed();
        return Convert.ToInt32(_count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Reads every row into a list before returning, so no cursor stays open while the caller writes.
    /// </remarks>
    public IEnumerable<StoredItem> All()
    {
        ThrowIfDisposed();
        var rows = new List<StoredItem>();
        using var reader = _all.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(ReadRow(reader));
        }

        return rows;
    }

    /// <inheritdoc />
    public bool Touch(Key key, DateTimeOffset accessedAt)
    {
        ThrowIfDisposed();
        _touch.Parameters[0].Value = key.ToArray();
        _touch.Parameters[1].Value = accessedAt.UtcTicks;
        return _touch.ExecuteNonQuery() > 0;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Reads no value: only the key, the public key (to name the publisher) and the lengths of the other
    /// columns. Streams from a cursor; callers finish enumerating before writing, as the interface says.
    /// </remarks>
    public IEnumerable<StoredEntry> Entries()
    {
        ThrowIfDisposed();
        var publishers = new Dictionary<string, Key>(StringComparer.Ordinal);
        using var reader = _entries.ExecuteReader();
        while (reader.Read())
        {
            var key = ReadBlob(reader, 0);
            if (key.Length != Key.Length)
            {
                throw new InvalidDataException($"An item store row has a key of {key.Length} bytes instead of {Key.Length}.");
            }

            var pem = reader.GetString(1);
            if (!publishers.TryGetValue(pem, out var publisher))
            {
                publisher = StoredEntry.PublisherOf(pem);
                if (publishers.Count < 4096)
                {
                    publishers.Add(pem, publisher);
                }
            }

            var size = ItemSize.Of(reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7));
            yield return new StoredEntry(
                new Key(key),
                publisher,
                size,
                BitConverter.Int64BitsToDouble(reader.GetInt64(8)),
                BitConverter.Int64BitsToDouble(reader.GetInt64(9)),
                FromTicks(reader.GetInt64(10)),
                FromTicks(reader.GetInt64(11)));
        }
    }

    /// <inheritdoc />
    /// <remarks>One transaction committed with <c>synchronous=NORMAL</c>: no fsync (see the class remarks).</remarks>
    public void SetTimes(IReadOnlyCollection<StoredEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ThrowIfDisposed();
        if (entries.Count == 0)
        {
            return;
        }

        Execute(_connection, "PRAGMA synchronous = NORMAL");
        try
        {
            using var transaction = _connection.BeginTransaction();
            _setTimes.Transaction = transaction;
            foreach (var entry in entries)
            {
                _setTimes.Parameters[0].Value = entry.Key.ToArray();
                _setTimes.Parameters[1].Value = entry.UpdatedAt.UtcTicks;
                _setTimes.Parameters[2].Value = entry.AccessedAt.UtcTicks;
                _setTimes.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        finally
        {
            _setTimes.Transaction = null;
            Execute(_connection, "PRAGMA synchronous = FULL");
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
                accessed_at INTEGER NOT NULL
            ) WITHOUT ROWID
            """, transaction);
        Execute(connection, $"PRAGMA application_id = {ApplicationId}", transaction);
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

    private static StoredItem ReadRow(SqliteDataReader reader)
    {
        var key = ReadBlob(reader, 0);
        if (key.Length != Key.Length)
        {
            throw new InvalidDataException($"An item store row has a key of {key.Length} bytes instead of {Key.Length}.");
        }

        var item = new SignedItem(
            new Key(key),
            ReadBlob(reader, 1),
            BitConverter.Int64BitsToDouble(reader.GetInt64(2)),
            BitConverter.Int64BitsToDouble(reader.GetInt64(3)),
            reader.GetString(4),
            reader.GetString(5),
            reader.GetString(6),
            ReadMeta(ReadBlob(reader, 7)),
            ReadBlob(reader, 8));
        return new StoredItem(item, FromTicks(reader.GetInt64(9)), FromTicks(reader.GetInt64(10)));
    }

    private static byte[] ReadBlob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : reader.GetFieldValue<byte[]>(ordinal);

    private static DateTimeOffset FromTicks(long ticks)
    {
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new InvalidDataException($"An item store row has a time of {ticks} ticks, out of range.");
        }

        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    private static Dictionary<string, string> ReadMeta(byte[] encoded)
    {
        try
        {
            var reader = new MessagePackReader(encoded);
            var count = reader.ReadMapHeader();
            var meta = new Dictionary<string, string>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString() ?? throw new InvalidDataException("A meta key is nil.");
                meta[name] = reader.ReadString() ?? throw new InvalidDataException("A meta value is nil.");
            }

            if (!reader.End)
            {
                throw new InvalidDataException("Trailing bytes after the meta map.");
            }

            return meta;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            throw new InvalidDataException("An item store row has an unreadable meta map: " + e.Message, e);
        }
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
