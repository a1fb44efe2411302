using System.Text;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Core.Storage;

/// <summary>
/// Sizes that the bounds of PROTOCOL §6 are measured in: the canonical <c>value</c> for
/// <c>max-item-size</c>, the bytes an item takes in the store for <c>max-store-bytes</c>, and the length
/// of the <c>store</c> frame that must carry an item for <c>max-frame-size</c>.
/// </summary>
public static class ItemSize
{
    /// <summary>Bytes of a row beyond its variable fields: key (64), two times and two ticks (32).</summary>
    public const int FixedRowBytes = 96;

    // The envelope a store frame carries at most: a 36-character uuid, port 65535, and a version string
    // of up to this many characters more than the item-only encoding below.
    private const int EnvelopeSlack = 16;

    /// <summary>
    /// The bytes <paramref name="item"/> counts for against <c>max-store-bytes</c>: value, signature, the
    /// UTF-8 of public key, name and created_with, the canonical msgpack meta map, and
    /// <see cref="FixedRowBytes"/>. A store can compute the same figure from its rows without values.
    /// </summary>
    public static long Of(SignedItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Of(
            item.Value.Length,
            item.Signature.Length,
            Encoding.UTF8.GetByteCount(item.PublicKey),
            Encoding.UTF8.GetByteCount(item.Name),
            Encoding.UTF8.GetByteCount(item.CreatedWith),
            CanonicalMsgPack.Encode(item.Meta).Length);
    }

    /// <summary>The figure of <see cref="Of(SignedItem)"/> from the lengths of the fields, in bytes.</summary>
    public static long Of(long value, long signature, long publicKey, long name, long createdWith, long meta) =>
        FixedRowBytes + value + signature + publicKey + name + createdWith + meta;

    /// <summary>Whether the canonical <c>value</c> of <paramref name="item"/> is at most <paramref name="maxItemSize"/> bytes.</summary>
    public static bool ValueFits(SignedItem item, int maxItemSize)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Value.Length <= maxItemSize;
    }

    /// <summary>
    /// An upper bound on the payload of a <c>store</c> frame carrying <paramref name="item"/>: the
    /// message encoded with the longest envelope a node writes, plus slack for a longer version string.
    /// </summary>
    public static int StoreFrameBound(SignedItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var message = new StoreMessage(new string('0', 36), default(Key), 65535, ProtocolVersion.Current, item);
        return MessageCodec.Encode(message).Length + EnvelopeSlack;
    }
}
