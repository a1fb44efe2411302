using System.Buffers;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using MessagePack;

namespace Drogulus.Core.Tests.Wire;

/// <summary>Sample messages and a hand-rolled msgpack map writer for building invalid payloads.</summary>
internal static class WireSamples
{
    public static readonly Key NodeId = Key.Hash("node"u8);
    public static readonly Key Target = Key.Hash("target"u8);

    public static SignedItem Item(string value = "hello", int sigLength = 128)
    {
        var sig = new byte[sigLength];
        new Random(sigLength).NextBytes(sig);
        return new SignedItem(
            Key.Hash("item"u8),
            CanonicalMsgPack.Encode(value),
            1350544046.084875,
            0,
            "0.1",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "name",
            new Dictionary<string, string> { ["meta"] = "value", ["ä"] = "ü" },
            sig);
    }

    public static IReadOnlyList<Message> AllTypes() =>
    [
        new PingMessage("uuid-1", NodeId, 1908, ProtocolVersion.Current),
        new PongMessage("uuid-2", NodeId, 0, ProtocolVersion.Current),
        new StoreMessage("uuid-3", NodeId, 65535, ProtocolVersion.Current, Item()),
        new FindNodeMessage("uuid-4", NodeId, 1, ProtocolVersion.Current, Target),
        new NodesMessage("uuid-5", NodeId, 2, ProtocolVersion.Current,
        [
            new NodeInfo(Key.Hash("a"u8), "10.0.0.1", 1908, "1.0"),
            new NodeInfo(Key.Hash("b"u8), "::1", 65535, "1.3"),
        ]),
        new NodesMessage("uuid-6", NodeId, 2, ProtocolVersion.Current, []),
        new FindValueMessage("uuid-7", NodeId, 3, ProtocolVersion.Current, Target),
        new ValueMessage("uuid-8", NodeId, 4, ProtocolVersion.Current, Item("another value", 256)),
        new ErrorMessage("uuid-9", NodeId, 5, ProtocolVersion.Current, ErrorCode.SupersededValue, "Superseded value",
            new Dictionary<string, string> { ["new_timestamp"] = "1350544046" }),
        new PingMessage("uuid-10", NodeId, 0, ProtocolVersion.Current) { Nonce = Nonce },
        new PongMessage("uuid-11", NodeId, 1908, ProtocolVersion.Current) { Seen = new SeenAddress("203.0.113.7", 40000) },
        new NodesMessage("uuid-12", NodeId, 2, ProtocolVersion.Current, []) { Seen = new SeenAddress("2001:db8::1", 1) },
        new ValueMessage("uuid-13", NodeId, 4, ProtocolVersion.Current, Item()) { Seen = new SeenAddress("10.0.0.1", 65535) },
        new ErrorMessage("uuid-14", NodeId, 5, ProtocolVersion.Current, ErrorCode.Unreachable, "Unreachable",
            new Dictionary<string, string> { ["reason"] = "connection refused" }) { Seen = new SeenAddress("127.0.0.1", 0) },
        new DialbackMessage("uuid-15", NodeId, 0, ProtocolVersion.Current, 65535, Nonce),
        new DialbackMessage("uuid-16", NodeId, 0, ProtocolVersion.Current, 1, Nonce),
    ];

    /// <summary>A dial-back nonce whose bytes are 0x00..0x0f.</summary>
    public static readonly DialbackNonce Nonce = new(Enumerable.Range(0, 16).Select(i => (byte)i).ToArray());

    /// <summary>Fields of a valid dialback request.</summary>
    public static List<(string Key, object? Value)> DialbackFields()
    {
        var fields = Set(PingFields(), "message", "dialback");
        fields.Add(("port", 1908));
        fields.Add(("nonce", Nonce.ToArray()));
        return fields;
    }

    /// <summary>Fields of a valid pong.</summary>
    public static List<(string Key, object? Value)> PongFields() => Set(PingFields(), "message", "pong");

    /// <summary>A valid ping as an ordered field list that tests can edit.</summary>
    public static List<(string Key, object? Value)> PingFields() =>
    [
        ("message", "ping"),
        ("uuid", "the-uuid"),
        ("node", NodeId.ToArray()),
        ("reply_port", 1908),
        ("version", "1.0"),
    ];

    /// <summary>Fields of a valid store message.</summary>
    public static List<(string Key, object? Value)> StoreFields()
    {
        var item = Item();
        var fields = PingFields();
        Set(fields, "message", "store");
        fields.AddRange(
        [
            ("key", item.Key.ToArray()),
            ("value", new Raw(item.Value.ToArray())),
            ("timestamp", item.Timestamp),
            ("expires", item.Expires),
            ("created_with", item.CreatedWith),
            ("public_key", item.PublicKey),
            ("name", item.Name),
            ("meta", new Dictionary<string, string>(item.Meta)),
            ("sig", item.Signature.ToArray()),
        ]);
        return fields;
    }

    public static List<(string Key, object? Value)> Set(List<(string Key, object? Value)> fields, string key, object? value)
    {
        var index = fields.FindIndex(f => f.Key == key);
        if (index < 0)
        {
            fields.Add((key, value));
        }
        else
        {
            fields[index] = (key, value);
        }

        return fields;
    }

    public static List<(string Key, object? Value)> Without(List<(string Key, object? Value)> fields, string key)
    {
        fields.RemoveAll(f => f.Key == key);
        return fields;
    }

    /// <summary>Writes the fields in the given order (not sorted), to show the decoder does not rely on order.</summary>
    public static byte[] Map(IEnumerable<(string Key, object? Value)> fields)
    {
        var list = fields.ToList();
        var buffer = new ArrayBufferWriter<byte>();
        var writer = CanonicalMsgPack.CreateWriter(buffer);
        writer.WriteMapHeader(list.Count);
        foreach (var (key, value) in list)
        {
            writer.Write(key);
            WriteValue(ref writer, value);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case string s: writer.Write(s); break;
            case byte[] b: writer.WriteString(b); break;
            case Bin bin:
                // The old-spec writer turns bin headers into raw ones, so write bin8/bin16 by hand.
                writer.WriteRaw(bin.Bytes.Length < 256
                    ? new byte[] { 0xc4, (byte)bin.Bytes.Length }
                    : new byte[] { 0xc5, (byte)(bin.Bytes.Length >> 8), (byte)bin.Bytes.Length });
                writer.WriteRaw(bin.Bytes);
                break;
            case Raw raw: writer.WriteRaw(raw.Bytes); break;
            case int i: writer.Write(i); break;
            case long l: writer.Write(l); break;
            case double d: writer.Write(d); break;
            case bool b: writer.Write(b); break;
            case IReadOnlyDictionary<string, string> map:
                writer.WriteMapHeader(map.Count);
                foreach (var (k, v) in map)
                {
                    writer.Write(k);
                    writer.Write(v);
                }

                break;
            case object[] array:
                writer.WriteArrayHeader(array.Length);
                foreach (var item in array)
                {
                    WriteValue(ref writer, item);
                }

                break;
            default: throw new ArgumentException($"Cannot write {value.GetType()}.");
        }
    }

    /// <summary>Bytes written with a bin-family header (0xc4..0xc6), which only the new spec has.</summary>
    public sealed record Bin(byte[] Bytes);

    /// <summary>Already encoded msgpack, spliced in verbatim.</summary>
    public sealed record Raw(byte[] Bytes);
}
