using System.Collections.Immutable;
using Drogulus.Core.Items;
using MessagePack;

namespace Drogulus.Core.Wire;

/// <summary>
/// Decodes a frame payload into a message (PROTOCOL §4). Two passes: the first checks that the payload is
/// one msgpack map with a bounded depth and slices out its entries (failure: error 1); the second checks
/// every field and lists all bad ones together (failure: error 2, or 5 for another major version).
/// </summary>
internal static class MessageDecoder
{
    private static readonly IReadOnlySet<string> NoneRepeated = ImmutableHashSet<string>.Empty;

    public static DecodeResult Decode(ReadOnlyMemory<byte> payload)
    {
        string? uuid = null;
        try
        {
            return DecodeCore(payload, ref uuid);
        }
        catch (Exception)
        {
            // Hostile input must never escape as an exception: whatever the msgpack reader trips over
            // (truncation, bad codes, overflowing lengths) is a malformed frame.
            return Fail(uuid, ErrorCode.BadRequest, WireNames.Context, "The payload is not a valid msgpack map.");
        }
    }

    /// <summary>Whether <paramref name="msgpack"/> is exactly one msgpack value of bounded depth.</summary>
    public static bool IsSingleValue(ReadOnlyMemory<byte> msgpack)
    {
        try
        {
            var reader = new MessagePackReader(msgpack);
            Skip(ref reader, 0);
            return reader.End;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or FormatException or OverflowException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }

    private static DecodeResult DecodeCore(ReadOnlyMemory<byte> payload, ref string? uuid)
    {
        var reader = new MessagePackReader(payload);
        if (payload.IsEmpty || reader.NextMessagePackType != MessagePackType.Map)
        {
            return Fail(null, ErrorCode.BadRequest, WireNames.Context, "The payload is not a msgpack map.");
        }

        var count = MsgPackBounds.ReadMapHeader(ref reader);
        var fields = new Dictionary<string, ReadOnlyMemory<byte>>(Math.Min(count, 16), StringComparer.Ordinal);
        HashSet<string>? repeated = null;
        for (var i = 0; i < count; i++)
        {
            var name = ReadName(ref reader);
            var start = (int)reader.Consumed;
            Skip(ref reader, 1);
            var value = payload[start..(int)reader.Consumed];
            if (name is null)
            {
                continue;
            }

            if (!fields.TryAdd(name, value))
            {
                (repeated ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
            }
            else if (name == WireNames.UuidField)
            {
                // Read early so that a frame broken further on can still be answered under its uuid.
                uuid = MessageFieldReader.TryText(value);
            }
        }

        if (!reader.End)
        {
            return Fail(uuid, ErrorCode.BadRequest, WireNames.Context, "Trailing bytes after the msgpack map.");
        }

        return Validate(new MessageFieldReader(fields, repeated ?? NoneRepeated, uuid));
    }

    private static DecodeResult Validate(MessageFieldReader fields)
    {
        var uuid = fields.Text(WireNames.UuidField);
        var node = fields.Id(WireNames.NodeField);
        var replyPort = fields.Port(WireNames.ReplyPortField);
        var version = fields.Text(WireNames.VersionField);
        var type = fields.Text(WireNames.MessageField);

        // Checked before the body: another major version may have other fields.
        if (version is not null && !ProtocolVersion.IsSupported(version))
        {
            return Fail(uuid, ErrorCode.UnsupportedProtocol, WireNames.VersionField,
                $"Unsupported major version; this node speaks {ProtocolVersion.Current}.");
        }

        Message? message = null;
        switch (type)
        {
            case null:
                break;
            case WireNames.Ping:
                var nonce = fields.Has(WireNames.NonceField) ? fields.Nonce(WireNames.NonceField) : null;
                message = fields.Complete ? new PingMessage(uuid!, node!.Value, replyPort!.Value, version!) { Nonce = nonce } : null;
                break;
            case WireNames.Pong:
                message = fields.Complete ? new PongMessage(uuid!, node!.Value, replyPort!.Value, version!) : null;
                break;
            case WireNames.Dialback:
                // PROTOCOL §4: a port outside 1..65535 or a nonce of another size is an invalid value (error 2).
                var dialPort = fields.Port(WireNames.PortField, minimum: 1);
                var dialNonce = fields.Nonce(WireNames.NonceField);
                message = fields.Complete
                    ? new DialbackMessage(uuid!, node!.Value, replyPort!.Value, version!, dialPort!.Value, dialNonce!.Value)
                    : null;
                break;
            case WireNames.FindNode:
                var target = fields.Id(WireNames.KeyField);
                message = fields.Complete ? new FindNodeMessage(uuid!, node!.Value, replyPort!.Value, version!, target!.Value) : null;
                break;
            case WireNames.FindValue:
                var key = fields.Id(WireNames.KeyField);
                message = fields.Complete ? new FindValueMessage(uuid!, node!.Value, replyPort!.Value, version!, key!.Value) : null;
                break;
            case WireNames.Store:
                var stored = ReadItem(fields);
                message = fields.Complete ? new StoreMessage(uuid!, node!.Value, replyPort!.Value, version!, stored!) : null;
                break;
            case WireNames.Value:
                var held = ReadItem(fields);
                message = fields.Complete ? new ValueMessage(uuid!, node!.Value, replyPort!.Value, version!, held!) : null;
                break;
            case WireNames.Nodes:
                var nodes = fields.NodeList(WireNames.NodesField);
                message = fields.Complete ? new NodesMessage(uuid!, node!.Value, replyPort!.Value, version!, nodes!) : null;
                break;
            case WireNames.Error:
                var code = fields.Int32(WireNames.CodeField);
                var title = fields.Text(WireNames.TitleField);
                var details = fields.StringMap(WireNames.DetailsField);
                message = fields.Complete
                    ? new ErrorMessage(uuid!, node!.Value, replyPort!.Value, version!, (ErrorCode)code!.Value, title!, details!)
                    : null;
                break;
            default:
                fields.Report(WireNames.Context, $"{type} is not a valid message type.");
                break;
        }

        // `seen` is optional and read on replies only; a request's is ignored like any unknown field (PROTOCOL §4).
        if (message is { IsRequest: false } && fields.Has(WireNames.SeenField))
        {
            var seen = fields.Seen(WireNames.SeenField);
            message = fields.Complete ? message with { Seen = seen } : null;
        }

        return message is not null
            ? DecodeResult.Success(message)
            : DecodeResult.Fail(new DecodeFailure(uuid, ErrorCode.UnknownRequest, fields.Errors));
    }

    private static SignedItem? ReadItem(MessageFieldReader fields)
    {
        var key = fields.Id(WireNames.KeyField);
        var value = fields.CanonicalValue(WireNames.ValueField);
        var timestamp = fields.Float(WireNames.TimestampField);
        var expires = fields.Float(WireNames.ExpiresField);
        var createdWith = fields.Text(WireNames.CreatedWithField);
        var publicKey = fields.Text(WireNames.PublicKeyField);
        var name = fields.Text(WireNames.NameField);
        var meta = fields.StringMap(WireNames.MetaField);
        var sig = fields.Bytes(WireNames.SigField);
        if (key is null || value is null || timestamp is null || expires is null || createdWith is null
            || publicKey is null || name is null || meta is null || sig is null)
        {
            return null;
        }

        return new SignedItem(key.Value, value, timestamp.Value, expires.Value, createdWith, publicKey, name, meta, sig);
    }

    // The field a key names, or null: keys that are not text, or text that names no field of PROTOCOL §4, are skipped
    // like any unknown field (only known names are ever looked up, so an unknown one need not become a string).
    private static string? ReadName(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType is MessagePackType.String or MessagePackType.Binary)
        {
            return MessageFieldReader.TryRawSpan(ref reader, out var utf8) ? KnownText.FieldName(utf8) : null;
        }

        Skip(ref reader, 1);
        return null;
    }

    // MessagePackReader.Skip recurses without a bound; nesting is limited here so hostile input cannot
    // overflow the stack (which no catch could handle).
    private static void Skip(ref MessagePackReader reader, int depth)
    {
        if (depth > CanonicalMsgPack.MaxDepth + 1)
        {
            throw new FormatException("msgpack nested too deeply.");
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Array:
                var items = MsgPackBounds.ReadArrayHeader(ref reader);
                for (var i = 0; i < items; i++)
                {
                    Skip(ref reader, depth + 1);
                }

                break;
            case MessagePackType.Map:
                var entries = MsgPackBounds.ReadMapHeader(ref reader);
                for (var i = 0; i < entries; i++)
                {
                    Skip(ref reader, depth + 1);
                    Skip(ref reader, depth + 1);
                }

                break;
            default:
                MsgPackBounds.EnsureFits(ref reader);
                reader.Skip();
                break;
        }
    }

    private static DecodeResult Fail(string? uuid, ErrorCode code, string field, string text) =>
        DecodeResult.Fail(new DecodeFailure(
            uuid,
            code,
            ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal).Add(field, text)));
}
