using System.Buffers;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using MessagePack;

namespace Drogulus.Core.Wire;

/// <summary>
/// Encodes messages as one canonical msgpack map each (PROTOCOL §3, §4: old-spec raw strings, ids as
/// 64-byte raws, float64, keys in ascending UTF-8 byte order) and decodes received payloads without
/// ever throwing.
/// </summary>
public static class MessageCodec
{
    private enum Field
    {
        Message, Uuid, Node, ReplyPort, Version,
        Key, Value, Timestamp, Expires, CreatedWith, PublicKey, Name, Meta, Sig,
        Nodes, Code, Title, Details,
        Seen, Nonce, Port,
    }

    private static readonly Field[] CommonFields = [Field.Message, Field.Uuid, Field.Node, Field.ReplyPort, Field.Version];
    private static readonly Field[] ItemFields =
        [Field.Key, Field.Value, Field.Timestamp, Field.Expires, Field.CreatedWith, Field.PublicKey, Field.Name, Field.Meta, Field.Sig];

    private static readonly (Field Field, byte[] EncodedName)[] PingOrder = Order(CommonFields);
    private static readonly (Field Field, byte[] EncodedName)[] KeyOrder = Order([.. CommonFields, Field.Key]);
    private static readonly (Field Field, byte[] EncodedName)[] ItemOrder = Order([.. CommonFields, .. ItemFields]);
    private static readonly (Field Field, byte[] EncodedName)[] NodesOrder = Order([.. CommonFields, Field.Nodes]);
    private static readonly (Field Field, byte[] EncodedName)[] ErrorOrder =
        Order([.. CommonFields, Field.Code, Field.Title, Field.Details]);

    // The optional fields (PROTOCOL §4): `seen` on replies, `nonce` on a dial-back's ping.
    private static readonly (Field Field, byte[] EncodedName)[] PingNonceOrder = Order([.. CommonFields, Field.Nonce]);
    private static readonly (Field Field, byte[] EncodedName)[] PongSeenOrder = Order([.. CommonFields, Field.Seen]);
    private static readonly (Field Field, byte[] EncodedName)[] ItemSeenOrder = Order([.. CommonFields, .. ItemFields, Field.Seen]);
    private static readonly (Field Field, byte[] EncodedName)[] NodesSeenOrder = Order([.. CommonFields, Field.Nodes, Field.Seen]);
    private static readonly (Field Field, byte[] EncodedName)[] ErrorSeenOrder =
        Order([.. CommonFields, Field.Code, Field.Title, Field.Details, Field.Seen]);
    private static readonly (Field Field, byte[] EncodedName)[] DialbackOrder = Order([.. CommonFields, Field.Port, Field.Nonce]);

    /// <summary>The canonical msgpack encoding of <paramref name="message"/>.</summary>
    /// <exception cref="ArgumentException">when a field cannot be encoded (a port outside 0..65535, or an
    /// item value that is not one msgpack value).</exception>
    public static byte[] Encode(Message message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the canonical msgpack encoding of <paramref name="message"/> to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">when a field cannot be encoded (see <see cref="Encode(Message)"/>).</exception>
    public static void Encode(Message message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        Check(message);
        // `seen` is written on replies only: on a request it would be the sender's own claim about itself.
        var seen = message.Seen is not null;
        var order = message switch
        {
            PingMessage { Nonce: not null } => PingNonceOrder,
            PingMessage => PingOrder,
            PongMessage => seen ? PongSeenOrder : PingOrder,
            FindNodeMessage or FindValueMessage => KeyOrder,
            StoreMessage => ItemOrder,
            ValueMessage => seen ? ItemSeenOrder : ItemOrder,
            NodesMessage => seen ? NodesSeenOrder : NodesOrder,
            ErrorMessage => seen ? ErrorSeenOrder : ErrorOrder,
            DialbackMessage => DialbackOrder,
            _ => throw new ArgumentException($"Unknown message type {message.GetType().Name}.", nameof(message)),
        };
        var writer = CanonicalMsgPack.CreateWriter(output);
        writer.WriteMapHeader(order.Length);
        foreach (var (field, name) in order)
        {
            writer.WriteRaw(name);
            WriteField(ref writer, field, message);
        }

        writer.Flush();
    }

    /// <summary>
    /// Decodes one frame payload. Never throws: any payload gives either a message or a failure naming
    /// the error code and details to answer with (PROTOCOL §4).
    /// </summary>
    public static DecodeResult Decode(ReadOnlyMemory<byte> payload) => MessageDecoder.Decode(payload);

    private static void Check(Message message)
    {
        ArgumentNullException.ThrowIfNull(message.Uuid);
        ArgumentNullException.ThrowIfNull(message.Version);
        CheckPort(message.ReplyPort);
        if (message.Seen is { } seen)
        {
            ArgumentNullException.ThrowIfNull(seen.Address);
            CheckPort(seen.Port);
        }

        switch (message)
        {
            case DialbackMessage d when d.Port is < 1 or > 65535:
                throw new ArgumentException($"A dial-back port lies in 1..65535, not {d.Port}.", nameof(message));
            case StoreMessage s:
                CheckItem(s.Item);
                break;
            case ValueMessage v:
                CheckItem(v.Item);
                break;
            case NodesMessage n:
                foreach (var node in n.Nodes)
                {
                    ArgumentNullException.ThrowIfNull(node);
                    ArgumentNullException.ThrowIfNull(node.Address);
                    ArgumentNullException.ThrowIfNull(node.Version);
                    CheckPort(node.Port);
                }

                break;
            case ErrorMessage e:
                ArgumentNullException.ThrowIfNull(e.Title);
                break;
        }
    }

    private static void CheckPort(int port)
    {
        if (port is < 0 or > 65535)
        {
            throw new ArgumentException($"A port lies in 0..65535, not {port}.", nameof(port));
        }
    }

    // The value is spliced in verbatim, so a broken one would corrupt the whole map.
    private static void CheckItem(SignedItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!MessageDecoder.IsSingleValue(item.Value))
        {
            throw new ArgumentException("The item's value is not exactly one msgpack value.", nameof(item));
        }
    }

    private static void WriteField(ref MessagePackWriter writer, Field field, Message message)
    {
        switch (field)
        {
            case Field.Message: writer.Write(message.WireName); break;
            case Field.Uuid: writer.Write(message.Uuid); break;
            case Field.Node: WriteKey(ref writer, message.Node); break;
            case Field.ReplyPort: writer.Write(message.ReplyPort); break;
            case Field.Version: writer.Write(message.Version); break;
            case Field.Key:
                WriteKey(ref writer, message switch
                {
                    FindNodeMessage f => f.Target,
                    FindValueMessage f => f.Key,
                    _ => ItemOf(message).Key,
                });
                break;
            case Field.Nodes: WriteNodes(ref writer, ((NodesMessage)message).Nodes); break;
            case Field.Code: writer.Write((int)((ErrorMessage)message).Code); break;
            case Field.Title: writer.Write(((ErrorMessage)message).Title); break;
            case Field.Details: CanonicalMsgPack.WriteStringMap(ref writer, ((ErrorMessage)message).Details); break;
            case Field.Seen:
                writer.WriteArrayHeader(2);
                writer.Write(message.Seen!.Address);
                writer.Write(message.Seen.Port);
                break;
            case Field.Nonce:
                WriteNonce(ref writer, message is DialbackMessage d ? d.Nonce : ((PingMessage)message).Nonce!.Value);
                break;
            case Field.Port: writer.Write(((DialbackMessage)message).Port); break;
            default: WriteItemField(ref writer, field, ItemOf(message)); break;
        }
    }

    private static void WriteItemField(ref MessagePackWriter writer, Field field, SignedItem item)
    {
        switch (field)
        {
            case Field.Value: writer.WriteRaw(item.Value.Span); break;
            case Field.Timestamp: writer.Write(item.Timestamp); break;
            case Field.Expires: writer.Write(item.Expires); break;
            case Field.CreatedWith: writer.Write(item.CreatedWith); break;
            case Field.PublicKey: writer.Write(item.PublicKey); break;
            case Field.Name: writer.Write(item.Name); break;
            case Field.Meta: CanonicalMsgPack.WriteStringMap(ref writer, item.Meta); break;
            case Field.Sig: writer.WriteString(item.Signature.Span); break;
            default: throw new InvalidOperationException($"No writer for field {field}.");
        }
    }

    private static SignedItem ItemOf(Message message) => message switch
    {
        StoreMessage s => s.Item,
        ValueMessage v => v.Item,
        _ => throw new InvalidOperationException($"{message.WireName} carries no item."),
    };

    private static void WriteNodes(ref MessagePackWriter writer, IReadOnlyList<NodeInfo> nodes)
    {
        writer.WriteArrayHeader(nodes.Count);
        foreach (var node in nodes)
        {
            writer.WriteArrayHeader(4);
            WriteKey(ref writer, node.Id);
            writer.Write(node.Address);
            writer.Write(node.Port);
            writer.Write(node.Version);
        }
    }

    // Ids go out as 64-byte raws, never shortened (PROTOCOL §2).
    private static void WriteKey(ref MessagePackWriter writer, Key key)
    {
        writer.WriteStringHeader(Key.Length);
        key.CopyTo(writer.GetSpan(Key.Length));
        writer.Advance(Key.Length);
    }

    private static void WriteNonce(ref MessagePackWriter writer, DialbackNonce nonce)
    {
        writer.WriteStringHeader(DialbackNonce.Length);
        nonce.CopyTo(writer.GetSpan(DialbackNonce.Length));
        writer.Advance(DialbackNonce.Length);
    }

    private static (Field, byte[])[] Order(Field[] fields)
    {
        var named = fields.Select(f => (Field: f, Name: Name(f))).ToList();
        named.Sort((a, b) => CanonicalMsgPack.CompareUtf8(a.Name, b.Name));
        return [.. named.Select(n => (n.Field, CanonicalMsgPack.Encode(n.Name)))];
    }

    private static string Name(Field field) => field switch
    {
        Field.Message => WireNames.MessageField,
        Field.Uuid => WireNames.UuidField,
        Field.Node => WireNames.NodeField,
        Field.ReplyPort => WireNames.ReplyPortField,
        Field.Version => WireNames.VersionField,
        Field.Key => WireNames.KeyField,
        Field.Value => WireNames.ValueField,
        Field.Timestamp => WireNames.TimestampField,
        Field.Expires => WireNames.ExpiresField,
        Field.CreatedWith => WireNames.CreatedWithField,
        Field.PublicKey => WireNames.PublicKeyField,
        Field.Name => WireNames.NameField,
        Field.Meta => WireNames.MetaField,
        Field.Sig => WireNames.SigField,
        Field.Nodes => WireNames.NodesField,
        Field.Code => WireNames.CodeField,
        Field.Title => WireNames.TitleField,
        Field.Details => WireNames.DetailsField,
        Field.Seen => WireNames.SeenField,
        Field.Nonce => WireNames.NonceField,
        Field.Port => WireNames.PortField,
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
