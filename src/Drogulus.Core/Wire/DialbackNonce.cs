using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Drogulus.Core.Wire;

/// <summary>
/// The 16 random bytes of a dial-back test (PROTOCOL §4, §10): the tested node sends them in a <c>dialback</c>
/// request and recognises the <c>ping</c> that carries them back on a new inbound connection. Held as two
/// integers so that equality and hashing are by value and the type cannot be mutated.
/// </summary>
public readonly record struct DialbackNonce
{
    /// <summary>The nonce's size on the wire, in bytes.</summary>
    public const int Length = 16;

    private readonly ulong _high;
    private readonly ulong _low;

    /// <summary>The nonce whose wire bytes are <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentException">when <paramref name="bytes"/> is not exactly <see cref="Length"/> bytes.</exception>
    public DialbackNonce(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A dial-back nonce is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
    }

    /// <summary>A fresh nonce from the operating system's random source, which nobody can predict.</summary>
    public static DialbackNonce NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Length];
        RandomNumberGenerator.Fill(bytes);
        return new DialbackNonce(bytes);
    }

    /// <summary>A nonce drawn from <paramref name="random"/> (seeded in tests, so their runs repeat).</summary>
    public static DialbackNonce From(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[Length];
        random.NextBytes(bytes);
        return new DialbackNonce(bytes);
    }

    /// <summary>Writes the wire bytes to <paramref name="destination"/>, which holds at least <see cref="Length"/> bytes.</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
    }

    /// <summary>The wire bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <inheritdoc />
    public override string ToString() => $"{_high:x16}{_low:x16}";
}
