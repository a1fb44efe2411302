using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace Drogulus.Core.Wire;

/// <summary>
/// Checks every msgpack count (array items, map entries, raw and extension lengths) against the bytes left
/// before the reader acts on it (PROTOCOL §4): a header that promises more than the frame holds is a
/// malformed frame (error 1), never an allocation of the promised size or a count read as empty.
/// Each array item takes at least one byte and each map entry two, so a count that passes is bounded by
/// the frame size.
/// </summary>
internal static class MsgPackBounds
{
    /// <summary>Reads an array header whose count fits the bytes left.</summary>
    /// <exception cref="FormatException">when it cannot fit.</exception>
    public static int ReadArrayHeader(ref MessagePackReader reader)
    {
        EnsureFits(ref reader);
        return reader.ReadArrayHeader();
    }

    /// <summary>Reads a map header whose count fits the bytes left.</summary>
    /// <exception cref="FormatException">when it cannot fit.</exception>
    public static int ReadMapHeader(ref MessagePackReader reader)
    {
        EnsureFits(ref reader);
        return reader.ReadMapHeader();
    }

    /// <summary>
    /// Throws unless the next value's header (array, map, raw or extension) promises no more than the bytes
    /// left after it; other values pass.
    /// </summary>
    /// <exception cref="FormatException">when the count cannot fit.</exception>
    public static void EnsureFits(ref MessagePackReader reader)
    {
        var sequence = reader.Sequence;
        if (sequence.IsSingleSegment)
        {
            // The common case (a frame decoded from one buffer): read the header in place.
            EnsureFits(sequence.FirstSpan[(int)reader.Consumed..], sequence.Length - reader.Consumed);
            return;
        }

        var rest = sequence.Slice(reader.Position);
        Span<byte> head = stackalloc byte[6];
        var available = (int)Math.Min(head.Length, rest.Length);
        rest.Slice(0, available).CopyTo(head);
        EnsureFits(head[..available], rest.Length);
    }

    // head: the first bytes left (at least the header, when it is complete); left: how many bytes are left in all.
    private static void EnsureFits(ReadOnlySpan<byte> head, long left)
    {
        if (head.IsEmpty)
        {
            throw new FormatException("The msgpack value is truncated.");
        }

        var (count, header, unit) = Header(head[0]);
        if (header > head.Length)
        {
            throw new FormatException("The msgpack header is truncated.");
        }

        var n = count switch
        {
            Size.Fixed => (long)Fixed(head[0]),
            Size.Byte => head[1],
            Size.UInt16 => BinaryPrimitives.ReadUInt16BigEndian(head[1..]),
            Size.UInt32 => BinaryPrimitives.ReadUInt32BigEndian(head[1..]),
            _ => 0L,
        };

        // An extension's type byte follows its length.
        var after = left - header;
        if (n * unit > after)
        {
            throw new FormatException($"A msgpack header promises {n} elements but only {after} bytes are left.");
        }
    }

    private enum Size
    {
        None,
        Fixed,
        Byte,
        UInt16,
        UInt32,
    }

    // (how the count is stored, header length in bytes, least bytes each counted element takes)
    private static (Size Count, int Header, int Unit) Header(byte code) => code switch
    {
        >= 0x80 and <= 0x8f => (Size.Fixed, 1, 2),
        >= 0x90 and <= 0x9f => (Size.Fixed, 1, 1),
        >= 0xa0 and <= 0xbf => (Size.Fixed, 1, 1),
        MessagePackCode.Str8 or MessagePackCode.Bin8 => (Size.Byte, 2, 1),
        MessagePackCode.Str16 or MessagePackCode.Bin16 => (Size.UInt16, 3, 1),
        MessagePackCode.Str32 or MessagePackCode.Bin32 => (Size.UInt32, 5, 1),
        MessagePackCode.Array16 => (Size.UInt16, 3, 1),
        MessagePackCode.Array32 => (Size.UInt32, 5, 1),
        MessagePackCode.Map16 => (Size.UInt16, 3, 2),
        MessagePackCode.Map32 => (Size.UInt32, 5, 2),
        MessagePackCode.Ext8 => (Size.Byte, 3, 1),
        MessagePackCode.Ext16 => (Size.UInt16, 4, 1),
        MessagePackCode.Ext32 => (Size.UInt32, 6, 1),
        _ => (Size.None, 1, 0),
    };

    private static int Fixed(byte code) => code switch
    {
        >= 0x80 and <= 0x9f => code & 0x0f,
        _ => code & 0x1f,
    };
}
