using System.Numerics;
using Drogulus.Core.Identity;

namespace Drogulus.Core.Routing;

/// <summary>
/// The range <c>[Min, Max)</c> of the key space covered by one k-bucket (PROTOCOL §8). Ranges start as
/// <see cref="Whole"/> and are only ever halved by <see cref="Split"/>, so every range is a power-of-two
/// sized block aligned on its size: all keys in it share one prefix. Bounds are exact integers because the
/// original node computed midpoints in floating point (PROTOCOL §11).
/// </summary>
public sealed record KeyRange
{
    private KeyRange(BigInteger min, BigInteger max)
    {
        Min = min;
        Max = max;
    }

    /// <summary>The whole key space <c>[0, 2^512)</c>, the range of the first bucket.</summary>
    public static KeyRange Whole { get; } = new(BigInteger.Zero, Key.SpaceSize);

    /// <summary>Smallest key in the range (inclusive).</summary>
    public BigInteger Min { get; }

    /// <summary>Exclusive upper bound; at most <see cref="Key.SpaceSize"/> (2^512).</summary>
    public BigInteger Max { get; }

    /// <summary>Number of keys in the range.</summary>
    public BigInteger Size => Max - Min;

    /// <summary>Whether <paramref name="key"/> lies in <c>[Min, Max)</c>.</summary>
    public bool Contains(Key key) => Contains(key.ToBigInteger());

    /// <summary>Whether the unsigned integer <paramref name="value"/> lies in <c>[Min, Max)</c>.</summary>
    public bool Contains(BigInteger value) => value >= Min && value < Max;

    /// <summary>Whether the range holds at least two keys and so can be halved.</summary>
    public bool CanSplit => Size >= 2;

    /// <summary>Splits the range at its exact middle <c>(Min + Max) / 2</c>, computed in integers.</summary>
    /// <exception cref="InvalidOperationException">when the range holds a single key.</exception>
    public (KeyRange Lower, KeyRange Upper) Split()
    {
        if (!CanSplit)
        {
            throw new InvalidOperationException("A range of one key cannot be split.");
        }

        var middle = (Min + Max) / 2;
        return (new KeyRange(Min, middle), new KeyRange(middle, Max));
    }

    /// <summary>
    /// A uniformly random key inside the range. Rejection sampling over the smallest power of two that
    /// covers <see cref="Size"/> keeps every key equally likely (no modulo bias) with fewer than two draws
    /// expected.
    /// </summary>
    public Key RandomKey(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var size = Size;
        if (size.IsOne)
        {
            return Key.FromBigInteger(Min);
        }

        var bits = (int)(size - 1).GetBitLength();
        var bytes = new byte[(bits + 7) / 8];
        var topMask = (byte)(0xFF >> ((bytes.Length * 8) - bits));
        while (true)
        {
            random.NextBytes(bytes);
            bytes[0] &= topMask;
            var offset = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
            if (offset < size)
            {
                return Key.FromBigInteger(Min + offset);
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"[{Min:X}, {Max:X})";
}
