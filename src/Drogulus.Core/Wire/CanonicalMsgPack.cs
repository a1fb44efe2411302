using System.Buffers;
using System.Text;
using MessagePack;

namespace Drogulus.Core.Wire;

/// <summary>
/// Canonical msgpack (PROTOCOL §3): old-spec raw strings for text and bytes alike, the smallest integer
/// encoding, float64 for every float, and map entries in ascending ordinal order of their keys' UTF-8
/// bytes. Used for signing and for the whole wire encoding, so every node hashes an item the same way.
/// </summary>
public static class CanonicalMsgPack
{
    /// <summary>Deepest nesting of arrays and maps accepted, so hostile input cannot exhaust the stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>A writer in old-spec mode over <paramref name="buffer"/>.</summary>
    public static MessagePackWriter CreateWriter(IBufferWriter<byte> buffer) => new(buffer) { OldSpec = true };

    /// <summary>
    /// Re-encodes exactly one msgpack value in canonical form.
    /// </summary>
    /// <exception cref="FormatException">when the input is not exactly one valid msgpack value, uses an
    /// extension type, repeats a map key or nests deeper than <see cref="MaxDepth"/>.</exception>
    public static byte[] Canonicalize(ReadOnlyMemory<byte> msgpack)
    {
        var reader = new MessagePackReader(msgpack);
        var buffer = new ArrayBufferWriter<byte>(msgpack.Length + 8);
        var writer = CreateWriter(buffer);
        try
        {
            CopyCanonical(ref reader, ref writer);
            if (!reader.End)
            {
                throw new FormatException("Trailing bytes after the msgpack value.");
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException("Not a valid msgpack value: " + e.Message, e);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads one value from <paramref name="reader"/> and writes it canonically.</summary>
    /// <exception cref="FormatException">on extension types, repeated map keys or excessive depth.</exception>
    public static void CopyCanonical(ref MessagePackReader reader, ref MessagePackWriter writer) =>
        Copy(ref reader, ref writer, 0);

    /// <summary>The canonical encoding of a string (a raw string of its UTF-8 bytes).</summary>
    public static byte[] Encode(string value) => Write((ref MessagePackWriter w) => w.Write(value));

    /// <summary>The canonical encoding of a float64.</summary>
    public static byte[] Encode(double value) => Write((ref MessagePackWriter w) => w.Write(value));

    /// <summary>The canonical encoding of a string map, entries in ordinal UTF-8 key order.</summary>
    public static byte[] Encode(IReadOnlyDictionary<string, string> map)
    {
        return Write((ref MessagePackWriter w) => WriteStringMap(ref w, map));
    }

    /// <summary>Writes a string map with entries in ordinal UTF-8 key order.</summary>
    public static void WriteStringMap(ref MessagePackWriter writer, IReadOnlyDictionary<string, string> map)
    {
        var entries = map.Select(kv => (Key: Encoding.UTF8.GetBytes(kv.Key), kv.Value)).ToList();
        entries.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        writer.WriteMapHeader(entries.Count);
        foreach (var (key, value) in entries)
        {
            writer.WriteString(key);
            writer.Write(value);
        }
    }

    /// <summary>Ordinal comparison of two strings by their UTF-8 bytes (differs from UTF-16 order for
    /// characters above U+FFFF versus U+E000..U+FFFF).</summary>
    public static int CompareUtf8(string a, string b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    private delegate void WriteAction(ref MessagePackWriter writer);

    private static byte[] Write(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = CreateWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Copy(ref MessagePackReader reader, ref MessagePackWriter writer, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"msgpack nested deeper than {MaxDepth}.");
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                writer.WriteNil();
                break;
            case MessagePackType.Boolean:
                writer.Write(reader.ReadBoolean());
                break;
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    writer.Write(reader.ReadUInt64());
                }
                else
                {
                    writer.Write(reader.ReadInt64());
                }

                break;
            case MessagePackType.Float:
                writer.Write(reader.ReadDouble());
                break;
            case MessagePackType.String:
            case MessagePackType.Binary:
                writer.WriteString(ReadRaw(ref reader));
                break;
            case MessagePackType.Array:
                var count = MsgPackBounds.ReadArrayHeader(ref reader);
                writer.WriteArrayHeader(count);
                for (var i = 0; i < count; i++)
                {
                    Copy(ref reader, ref writer, depth + 1);
                }

                break;
            case MessagePackType.Map:
                CopyMap(ref reader, ref writer, depth);
                break;
            default:
                throw new FormatException("msgpack extension types are not part of the old spec.");
        }
    }

    private static void CopyMap(ref MessagePackReader reader, ref MessagePackWriter writer, int depth)
    {
        var count = MsgPackBounds.ReadMapHeader(ref reader);
        var entries = new List<(byte[] SortKey, byte[] Key, byte[] Value)>(count);
        for (var i = 0; i < count; i++)
        {
            var isRaw = reader.NextMessagePackType is MessagePackType.String or MessagePackType.Binary;
            var key = CopyToArray(ref reader, depth + 1);
            var value = CopyToArray(ref reader, depth + 1);
            var sortKey = isRaw ? RawPayload(key) : key;
            entries.Add((sortKey, key, value));
        }

        // A non-string key can tie with a string key's payload (97 is 0x61, like "a"); breaking ties on the
        // whole encoding keeps the order unique and puts repeated keys next to each other.
        entries.Sort((a, b) =>
        {
            var bySortKey = a.SortKey.AsSpan().SequenceCompareTo(b.SortKey);
            return bySortKey != 0 ? bySortKey : a.Key.AsSpan().SequenceCompareTo(b.Key);
        });
        for (var i = 1; i < entries.Count; i++)
        {
            if (entries[i].Key.AsSpan().SequenceEqual(entries[i - 1].Key))
            {
                throw new FormatException("A msgpack map repeats a key.");
            }
        }

        writer.WriteMapHeader(entries.Count);
        foreach (var entry in entries)
        {
            writer.WriteRaw(entry.Key);
            writer.WriteRaw(entry.Value);
        }
    }

    private static byte[] CopyToArray(ref MessagePackReader reader, int depth)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = CreateWriter(buffer);
        Copy(ref reader, ref writer, depth);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The payload of a canonical raw string encoding (header stripped).</summary>
    private static byte[] RawPayload(byte[] encoded)
    {
        var header = encoded[0] switch
        {
            >= 0xa0 and <= 0xbf => 1,
            0xda => 3,
            _ => 5,
        };
        return encoded[header..];
    }

    private static byte[] ReadRaw(ref MessagePackReader reader)
    {
        MsgPackBounds.EnsureFits(ref reader);
        var sequence = reader.NextMessagePackType == MessagePackType.String ? reader.ReadStringSequence() : reader.ReadBytes();
        return sequence is { } s ? s.ToArray() : [];
    }
}
