using System.Buffers;
using System.Text;
using MessagePack;

namespace Drogulus.Node;

/// <summary>Shows an item's msgpack value to a person: a raw string as text, anything else as hex.</summary>
internal static class ValueText
{
    public static string Describe(ReadOnlyMemory<byte> msgpack)
    {
        try
        {
            var reader = new MessagePackReader(msgpack);
            if (reader.NextMessagePackType is MessagePackType.String or MessagePackType.Binary)
            {
                var bytes = reader.NextMessagePackType == MessagePackType.String ? reader.ReadStringSequence() : reader.ReadBytes();
                var text = bytes is { } b ? new UTF8Encoding(false, true).GetString(b.ToArray()) : "";
                if (reader.End)
                {
                    return text;
                }
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or DecoderFallbackException or EndOfStreamException)
        {
            // Not text: shown as hex below.
        }

        return "msgpack:" + Convert.ToHexStringLower(msgpack.Span);
    }
}
