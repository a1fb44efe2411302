using Drogulus.Core.Items;

namespace Drogulus.Core.Storage;

/// <summary>Why a put is refused before anything is sent (PROTOCOL §10, put).</summary>
public enum PutRefusal
{
    /// <summary>The item may be put.</summary>
    None,

    /// <summary>Its <c>value</c> is larger than <c>max-item-size</c>: no node would accept it.</summary>
    ValueTooLarge,

    /// <summary>Its <c>store</c> frame would exceed <c>max-frame-size</c>: it could never be sent or served.</summary>
    FrameTooLarge,
}

/// <summary>The size checks a put makes before its lookup, so that an item that can never be served is refused at once.</summary>
public static class PutCheck
{
    /// <summary>The first size rule <paramref name="item"/> breaks, or <see cref="PutRefusal.None"/>.</summary>
    public static PutRefusal Check(SignedItem item, int maxItemSize, int maxFrameSize)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!ItemSize.ValueFits(item, maxItemSize))
        {
            return PutRefusal.ValueTooLarge;
        }

        return ItemSize.StoreFrameBound(item) > maxFrameSize ? PutRefusal.FrameTooLarge : PutRefusal.None;
    }

    /// <summary>The reason in words, for <c>PutFailed</c>.</summary>
    public static string Describe(PutRefusal refusal) => refusal switch
    {
        PutRefusal.None => "none",
        PutRefusal.ValueTooLarge => "the value is larger than max-item-size",
        PutRefusal.FrameTooLarge => "the item's store message would be larger than max-frame-size",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };
}
