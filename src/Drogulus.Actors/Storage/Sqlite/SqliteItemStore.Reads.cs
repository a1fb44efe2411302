using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Limits;
using Drogulus.Core.Storage;
using MessagePack;
using Microsoft.Data.Sqlite;

namespace Drogulus.Actors.Storage.Sqlite;

/// <summary>Reads: rows, counts and the value-less entries the store index is built from.</summary>
public sealed partial class SqliteItemStore
{
    /// <inheritdoc />
    public StoredItem? Get(Key key)
    {
        ThrowIfDisposed();
        _get.Parameters[0].Value = key.ToArray();
        using var reader = _get.ExecuteReader();
        return reader.Read() ? ReadRow(reader) : null;
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
                FromTicks(reader.GetInt64(11)))
            {
                Group = ReadGroup(reader, 12),
                Cached = reader.GetInt64(14) != 0,
                Unpublished = reader.GetInt64(15) != 0,
            };
        }
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
        return new StoredItem(item, FromTicks(reader.GetInt64(9)), FromTicks(reader.GetInt64(10)))
        {
            Group = ReadGroup(reader, 11),
            Cached = reader.GetInt64(13) != 0,
            Unpublished = reader.GetInt64(14) != 0,
        };
    }

    // The group column and the exemption flag after it.
    private static AddressGroup ReadGroup(SqliteDataReader reader, int ordinal) =>
        AddressGroup.FromValue(reader.GetString(ordinal), reader.GetInt64(ordinal + 1) != 0);

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
}
