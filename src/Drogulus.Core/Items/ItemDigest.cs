using System.Buffers;
using System.Security.Cryptography;
using Drogulus.Core.Wire;
using MessagePack;

namespace Drogulus.Core.Items;

/// <summary>
/// The compound digest of PROTOCOL §3: <c>h(x) = SHA-512(canonical msgpack of x)</c> and
/// <c>D = SHA-512(h(value) || h(timestamp) || h(expires) || h(name) || h(meta) || h(created_with))</c>.
/// </summary>
internal static class ItemDigest
{
    /// <summary>Length of <c>D</c> and of every partial hash, in bytes.</summary>
    public const int Length = 64;

    private const int Parts = 6;

    /// <summary>Computes <c>D</c>; <paramref name="canonicalValue"/> is already canonical msgpack.</summary>
    public static byte[] Compute(
        ReadOnlySpan<byte> canonicalValue,
        double timestamp,
        double expires,
        string name,
        IReadOnlyDictionary<string, string> meta,
        string createdWith)
    {
        var digest = new byte[Length];
        Compute(canonicalValue, timestamp, expires, name, meta, createdWith, digest);
        return digest;
    }

    /// <summary>Writes <c>D</c> into <paramref name="destination"/> (at least 64 bytes).</summary>
    public static void Compute(
        ReadOnlySpan<byte> canonicalValue,
        double timestamp,
        double expires,
        string name,
        IReadOnlyDictionary<string, string> meta,
        string createdWith,
        Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(createdWith);
        Span<byte> hashes = stackalloc byte[Parts * Length];
        SHA512.HashData(canonicalValue, hashes[..Length]);

        // One scratch buffer for the five small encodings keeps signing and verifying cheap.
        var buffer = new ArrayBufferWriter<byte>(64);
        HashEncoded(buffer, (ref MessagePackWriter w) => w.Write(timestamp), hashes.Slice(1 * Length, Length));
        HashEncoded(buffer, (ref MessagePackWriter w) => w.Write(expires), hashes.Slice(2 * Length, Length));
        HashEncoded(buffer, (ref MessagePackWriter w) => w.Write(name), hashes.Slice(3 * Length, Length));
        HashEncoded(buffer, (ref MessagePackWriter w) => CanonicalMsgPack.WriteStringMap(ref w, meta), hashes.Slice(4 * Length, Length));
        HashEncoded(buffer, (ref MessagePackWriter w) => w.Write(createdWith), hashes.Slice(5 * Length, Length));
        SHA512.HashData(hashes, destination);
    }

    private delegate void WriteAction(ref MessagePackWriter writer);

    private static void HashEncoded(ArrayBufferWriter<byte> buffer, WriteAction write, Span<byte> destination)
    {
        buffer.ResetWrittenCount();
        var writer = CanonicalMsgPack.CreateWriter(buffer);
        write(ref writer);
        writer.Flush();
        SHA512.HashData(buffer.WrittenSpan, destination);
    }
}
