using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Drogulus.Core.Identity;

/// <summary>
/// A point of the 512-bit Kademlia key space (PROTOCOL §2): a node id or an item key. Always exactly
/// 64 bytes, big-endian, unsigned. Ordering is unsigned numeric order; distance is XOR.
/// </summary>
public readonly struct Key : IEquatable<Key>, IComparable<Key>
{
    /// <summary>Length of a key in bytes.</summary>
    public const int Length = 64;

    /// <summary>Number of bits in the key space.</summary>
    public const int Bits = 512;

    private const int Words = 8;

    // Eight explicit words rather than an inline array so that reflection-based serializers (Hyperion,
    // used for users' Akka.Remote traffic) see every bit of the key.
    private readonly ulong _w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7;

    /// <summary>The number 0.</summary>
    public static Key Zero => default;

    /// <summary>The number 2^512 - 1, the largest key.</summary>
    public static Key Max { get; } = FromWords(ulong.MaxValue);

    /// <summary>2^512, the exclusive upper bound of the key space.</summary>
    public static BigInteger SpaceSize { get; } = BigInteger.One << Bits;

    private ReadOnlySpan<ulong> _w => MemoryMarshal.CreateReadOnlySpan(in _w0, Words);

    private Key(ReadOnlySpan<ulong> w)
    {
        (_w0, _w1, _w2, _w3) = (w[0], w[1], w[2], w[3]);
        (_w4, _w5, _w6, _w7) = (w[4], w[5], w[6], w[7]);
    }

    /// <summary>Creates a key from exactly 64 big-endian bytes.</summary>
    /// <exception cref="ArgumentException">when <paramref name="bytes"/> is not 64 bytes long.</exception>
    public Key(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A key is exactly {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }

        Span<ulong> w = stackalloc ulong[Words];
        for (var i = 0; i < Words; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt64BigEndian(bytes.Slice(i * 8, 8));
        }

        this = new Key(w);
    }

    /// <summary>Creates a key when <paramref name="bytes"/> is exactly 64 bytes long.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> bytes, out Key key)
    {
        if (bytes.Length != Length)
        {
            key = default;
            return false;
        }

        key = new Key(bytes);
        return true;
    }

    /// <summary>SHA-512 of <paramref name="data"/> as a key.</summary>
    public static Key Hash(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Length];
        SHA512.HashData(data, digest);
        return new Key(digest);
    }

    /// <summary>
    /// construct_key (PROTOCOL §2): SHA-512 of the trimmed PEM text when <paramref name="name"/> is empty,
    /// otherwise SHA-512(p || SHA-512(UTF-8 name)).
    /// </summary>
    public static Key For(string publicKeyPem, string name)
    {
        ArgumentNullException.ThrowIfNull(publicKeyPem);
        ArgumentNullException.ThrowIfNull(name);
        var p = Hash(Encoding.ASCII.GetBytes(publicKeyPem.Trim()));
        if (name.Length == 0)
        {
            return p;
        }

        Span<byte> both = stackalloc byte[2 * Length];
        p.CopyTo(both[..Length]);
        SHA512.HashData(Encoding.UTF8.GetBytes(name), both[Length..]);
        return Hash(both);
    }

    /// <summary>A uniformly random key from a seeded or shared <see cref="Random"/>.</summary>
    public static Key Random(Random random)
    {
        Span<byte> bytes = stackalloc byte[Length];
        random.NextBytes(bytes);
        return new Key(bytes);
    }

    /// <summary>Parses 128 hexadecimal digits.</summary>
    public static Key Parse(string hex)
    {
        if (!TryParse(hex, out var key))
        {
            throw new FormatException($"A key is {2 * Length} hexadecimal digits.");
        }

        return key;
    }

    /// <summary>Parses 128 hexadecimal digits, returning false on any other input.</summary>
    public static bool TryParse(string? hex, out Key key)
    {
        key = default;
        if (hex is null || hex.Length != 2 * Length)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Length];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Length)
        {
            return false;
        }

        key = new Key(bytes);
        return true;
    }

    /// <summary>The key as an unsigned integer.</summary>
    public BigInteger ToBigInteger()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>The key whose value is <paramref name="value"/>, which must lie in [0, 2^512).</summary>
    public static Key FromBigInteger(BigInteger value)
    {
        if (value.Sign < 0 || value >= SpaceSize)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "A key lies in [0, 2^512).");
        }

        Span<byte> bytes = stackalloc byte[Length];
        var count = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(bytes[(Length - count)..], out _, isUnsigned: true, isBigEndian: true);
        return new Key(bytes);
    }

    /// <summary>Writes the 64 big-endian bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"Needs {Length} bytes.", nameof(destination));
        }

        for (var i = 0; i < Words; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(i * 8, 8), _w[i]);
        }
    }

    /// <summary>The 64 big-endian bytes as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>XOR distance between two keys (PROTOCOL §2).</summary>
    public static Key operator ^(Key a, Key b)
    {
        Span<ulong> w = stackalloc ulong[Words];
        for (var i = 0; i < Words; i++)
        {
            w[i] = a._w[i] ^ b._w[i];
        }

        return new Key(w);
    }

    /// <summary>XOR distance to <paramref name="other"/>.</summary>
    public Key DistanceTo(Key other) => this ^ other;

    /// <summary>
    /// Compares the distances of <paramref name="a"/> and <paramref name="b"/> to this key without
    /// allocating: negative when <paramref name="a"/> is closer.
    /// </summary>
    public int CompareDistance(Key a, Key b)
    {
        for (var i = 0; i < Words; i++)
        {
            var da = a._w[i] ^ _w[i];
            var db = b._w[i] ^ _w[i];
            if (da != db)
            {
                return da < db ? -1 : 1;
            }
        }

        return 0;
    }

    /// <summary>Whether bit <paramref name="index"/> is set, counting from the most significant bit (index 0).</summary>
    public bool IsBitSet(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Bits);
        return (_w[index / 64] & (1UL << (63 - (index % 64)))) != 0;
    }

    /// <summary>Number of leading zero bits (512 for <see cref="Zero"/>).</summary>
    public int LeadingZeroBits()
    {
        for (var i = 0; i < Words; i++)
        {
            if (_w[i] != 0)
            {
                return (i * 64) + BitOperations.LeadingZeroCount(_w[i]);
            }
        }

        return Bits;
    }

    /// <inheritdoc />
    public int CompareTo(Key other)
    {
        for (var i = 0; i < Words; i++)
        {
            if (_w[i] != other._w[i])
            {
                return _w[i] < other._w[i] ? -1 : 1;
            }
        }

        return 0;
    }

    /// <inheritdoc />
    public bool Equals(Key other)
    {
        for (var i = 0; i < Words; i++)
        {
            if (_w[i] != other._w[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Key other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w7);

    /// <summary>128 lowercase hexadecimal digits.</summary>
    public override string ToString() => Convert.ToHexStringLower(ToArray());

    /// <summary>The first 16 hexadecimal digits, for logs.</summary>
    public string ToShortString() => ToString()[..16];

    /// <summary>Equality.</summary>
    public static bool operator ==(Key a, Key b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Key a, Key b) => !a.Equals(b);

    /// <summary>Unsigned order.</summary>
    public static bool operator <(Key a, Key b) => a.CompareTo(b) < 0;

    /// <summary>Unsigned order.</summary>
    public static bool operator >(Key a, Key b) => a.CompareTo(b) > 0;

    /// <summary>Unsigned order.</summary>
    public static bool operator <=(Key a, Key b) => a.CompareTo(b) <= 0;

    /// <summary>Unsigned order.</summary>
    public static bool operator >=(Key a, Key b) => a.CompareTo(b) >= 0;

    private static Key FromWords(ulong fill)
    {
        Span<ulong> w = stackalloc ulong[Words];
        w.Fill(fill);
        return new Key(w);
    }
}
