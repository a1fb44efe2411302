using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Testing;

/// <summary>
/// Items that break one of the validation rules of PROTOCOL §3, for a <see cref="RawPeer"/> to send: a node
/// refuses each with the error the protocol names (and blacklists the sender of a forgery).
/// </summary>
public static class BadItems
{
    /// <summary><paramref name="item"/> with another value under the original signature: error 6, the signature does not verify.</summary>
    public static SignedItem Forged(SignedItem item, string value = "forged")
    {
        ArgumentNullException.ThrowIfNull(item);
        return new SignedItem(item.Key, CanonicalMsgPack.Encode(value), item.Timestamp, item.Expires, item.CreatedWith, item.PublicKey, item.Name, item.Meta, item.Signature.Span);
    }

    /// <summary><paramref name="item"/> filed under <paramref name="key"/>, not <c>construct_key(public key, name)</c>: error 7.</summary>
    public static SignedItem UnderKey(SignedItem item, Key key)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new SignedItem(key, item.Value.Span, item.Timestamp, item.Expires, item.CreatedWith, item.PublicKey, item.Name, item.Meta, item.Signature.Span);
    }
}
