using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Unicode;
using Drogulus.Core.Identity;
using MessagePack;

namespace Drogulus.Core.Wire;

/// <summary>
/// Reads the typed fields of one decoded map, recording <c>Missing field.</c> or <c>Invalid value.</c>
/// for each bad one (PROTOCOL §4) so that all of them are reported together.
/// Old-spec msgpack does not tell text from bytes, so both the str and the bin families are accepted.
/// </summary>
/// <param name="fields">The map's values by field name.</param>
/// <param name="repeated">The field names the map holds more than once.</param>
/// <param name="uuid">The uuid field's text as read while the map was sliced (null when absent or not text), so it is not read twice.</param>
internal sealed class MessageFieldReader(
    IReadOnlyDictionary<string, ReadOnlyMemory<byte>> fields, IReadOnlySet<string> repeated, string? uuid = null)
{
    private static readonly IReadOnlyDictionary<string, string> NoErrors =
        ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    // Created with the first error: a well-formed frame has none.
    private SortedDictionary<string, string>? _errors;

    public bool Complete => _errors is null;

    public IReadOnlyDictionary<string, string> Errors => _errors?.ToImmutableSortedDictionary(StringComparer.Ordinal) ?? NoErrors;

    public void Report(string field, string text) => (_errors ??= new SortedDictionary<string, string>(StringComparer.Ordinal))[field] = text;

    public string? Text(string name) =>
        name == WireNames.UuidField && uuid is not null && Locate(name, out _)
            ? uuid
            : Read(name, static (ref MessagePackReader r) => TryText(ref r));

    public byte[]? Bytes(string name) => Read(name, static (ref MessagePackReader r) => TryRaw(ref r)?.ToArray());

    public Key? Id(string name) => Read(name, static (ref MessagePackReader r) => TryId(ref r));

    public int? Port(string name) => Read(name, static (ref MessagePackReader r) => TryPort(ref r));

    /// <summary>A port no lower than <paramref name="minimum"/> (a <c>dialback</c>'s is 1..65535).</summary>
    public int? Port(string name, int minimum) =>
        Read(name, (ref MessagePackReader r) => TryPort(ref r) is { } port && port >= minimum ? (int?)port : null);

    /// <summary>Whether the map holds <paramref name="name"/> (an optional field), without reporting it missing.</summary>
    public bool Has(string name) => fields.ContainsKey(name);

    public DialbackNonce? Nonce(string name) => Read(name, static (ref MessagePackReader r) =>
        TryRaw(ref r) is { Length: DialbackNonce.Length } raw ? (DialbackNonce?)new DialbackNonce(raw.IsSingleSegment ? raw.FirstSpan : raw.ToArray()) : null);

    /// <summary>A <c>seen</c> field: <c>[address (text), port (int 0..65535)]</c>.</summary>
    public SeenAddress? Seen(string name) => Read(name, static (ref MessagePackReader r) =>
    {
        if (r.NextMessagePackType != MessagePackType.Array || MsgPackBounds.ReadArrayHeader(ref r) != 2)
        {
            return null;
        }

        var address = TryText(ref r);
        var port = address is { Length: > 0 } ? TryPort(ref r) : null;
        return port is null ? null : new SeenAddress(address!, port.Value);
    });

    public int? Int32(string name) => Read(name, static (ref MessagePackReader r) =>
        TryInteger(ref r) is { } n && n is >= int.MinValue and <= int.MaxValue ? (int?)n : null);

    public double? Float(string name) => Read(name, static (ref MessagePackReader r) =>
        r.NextMessagePackType == MessagePackType.Float ? (double?)r.ReadDouble() : null);

    public IReadOnlyDictionary<string, string>? StringMap(string name) =>
        Read(name, static (ref MessagePackReader r) => TryStringMap(ref r));

    public IReadOnlyList<NodeInfo>? NodeList(string name) => Read(name, static (ref MessagePackReader r) => TryNodes(ref r));

    /// <summary>The field's msgpack value re-encoded canonically, so every node digests the same bytes.</summary>
    public byte[]? CanonicalValue(string name)
    {
        if (!Locate(name, out var value))
        {
            return null;
        }

        try
        {
            return CanonicalMsgPack.Canonicalize(value);
        }
        catch (Exception e) when (e is FormatException or MessagePackSerializationException or EndOfStreamException or ArgumentException)
        {
            Report(name, WireNames.InvalidValue);
            return null;
        }
    }

    /// <summary>The text of a lone raw value, or null.</summary>
    public static string? TryText(ReadOnlyMemory<byte> value)
    {
        try
        {
            var reader = new MessagePackReader(value);
            return TryText(ref reader);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Reads a raw value as strict UTF-8 text; null when it is not a raw or not valid UTF-8.</summary>
    public static string? TryText(ref MessagePackReader reader)
    {
        if (!TryRawSpan(ref reader, out var span))
        {
            return null;
        }

        return KnownText.Value(span) ?? (Utf8.IsValid(span) ? Encoding.UTF8.GetString(span) : null);
    }

    /// <summary>The bytes of a raw value (str or bin family); false when the next value is not a raw.</summary>
    public static bool TryRawSpan(ref MessagePackReader reader, out ReadOnlySpan<byte> bytes)
    {
        if (TryRaw(ref reader) is not { } raw)
        {
            bytes = default;
            return false;
        }

        bytes = raw.IsSingleSegment ? raw.FirstSpan : raw.ToArray();
        return true;
    }

    private delegate T? Parse<T>(ref MessagePackReader reader);

    private T? Read<T>(string name, Parse<T> parse)
    {
        if (!Locate(name, out var value))
        {
            return default;
        }

        T? result;
        try
        {
            var reader = new MessagePackReader(value);
            result = parse(ref reader);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidOperationException or ArgumentException)
        {
            result = default;
        }

        if (result is null)
        {
            Report(name, WireNames.InvalidValue);
        }

        return result;
    }

    private bool Locate(string name, out ReadOnlyMemory<byte> value)
    {
        if (!fields.TryGetValue(name, out value))
        {
            Report(name, WireNames.MissingField);
            return false;
        }

        if (repeated.Contains(name))
        {
            // Two values for one field would let two nodes read one frame differently.
            Report(name, WireNames.InvalidValue);
            return false;
        }

        return true;
    }

    private static ReadOnlySequence<byte>? TryRaw(ref MessagePackReader reader)
    {
        var type = reader.NextMessagePackType;
        if (type is not (MessagePackType.String or MessagePackType.Binary))
        {
            return null;
        }

        MsgPackBounds.EnsureFits(ref reader);
        return type == MessagePackType.String ? reader.ReadStringSequence() : reader.ReadBytes();
    }

    private static Key? TryId(ref MessagePackReader reader)
    {
        var raw = TryRaw(ref reader);
        if (raw is not { Length: Key.Length } bytes)
        {
            return null;
        }

        return new Key(bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray());
    }

    private static long? TryInteger(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.Integer)
        {
            return null;
        }

        if (reader.NextCode == MessagePackCode.UInt64)
        {
            var big = reader.ReadUInt64();
            return big <= long.MaxValue ? (long)big : null;
        }

        return reader.ReadInt64();
    }

    private static int? TryPort(ref MessagePackReader reader) =>
        TryInteger(ref reader) is { } n && n is >= 0 and <= 65535 ? (int)n : null;

    private static Dictionary<string, string>? TryStringMap(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            return null;
        }

        var count = MsgPackBounds.ReadMapHeader(ref reader);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = TryText(ref reader);
            var value = key is null ? null : TryText(ref reader);
            if (key is null || value is null || !map.TryAdd(key, value))
            {
                return null;
            }
        }

        return map;
    }

    private static ImmutableArray<NodeInfo>? TryNodes(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            return null;
        }

        var count = MsgPackBounds.ReadArrayHeader(ref reader);
        var nodes = ImmutableArray.CreateBuilder<NodeInfo>();
        for (var i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.Array || MsgPackBounds.ReadArrayHeader(ref reader) != 4)
            {
                return null;
            }

            var id = TryId(ref reader);
            var address = id is null ? null : TryText(ref reader);
            var port = address is null ? null : TryPort(ref reader);
            var version = port is null ? null : TryText(ref reader);
            if (version is null)
            {
                return null;
            }

            nodes.Add(new NodeInfo(id!.Value, address!, port!.Value, version));
        }

        return nodes.ToImmutable();
    }
}
