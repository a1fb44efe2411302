using System.Numerics;
using System.Security.Cryptography;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// The request generators of the attacks of issue 10, each a function from a sequence number to the next
/// request: many publisher keys writing max-size items, stores signed by a key with a huge public exponent,
/// one valid store replayed with the same timestamp, and findvalue hits that make the node record reads.
/// </summary>
internal static class Attacks
{
    /// <summary>Fresh items from <paramref name="keys"/> publishers in turn, each value of <paramref name="valueBytes"/> (msgpack); every eighth one byte larger, to meet max-item-size.</summary>
    public static Func<long, Message> BigItems(IReadOnlyList<PublisherKey> keys, int valueBytes, double timestamp)
    {
        // A msgpack string has a 3-byte header below 64 KiB of text and a 5-byte one above.
        var text = new string('x', valueBytes - (valueBytes - 3 <= ushort.MaxValue ? 3 : 5));
        var larger = text + "x";
        return i => Store(SignedItem.Create(keys[(int)(i % keys.Count)], $"flood {i}", i % 8 == 7 ? larger : text, timestamp, 0));
    }

    /// <summary>Fresh small items signed by a 4096-bit key whose public exponent has 3,070 bits (a verification would cost several times a normal one).</summary>
    public static Func<long, Message> BigExponent(double timestamp)
    {
        using var rsa = KeyWithHugeExponent();
        using var key = PublisherKey.FromPem(rsa.ExportRSAPrivateKeyPem());
        var items = Enumerable.Range(0, 64).Select(i => SignedItem.Create(key, $"exponent {i}", "v", timestamp, 0)).ToArray();
        return i => Store(items[i % items.Length]);
    }

    /// <summary>The same valid store again and again (same timestamp, byte-identical item).</summary>
    public static Func<long, Message> Replay(SignedItem item) => _ => Store(item);

    /// <summary>findvalue for keys the node holds, in turn: every answer is a hit whose read the node records.</summary>
    public static Func<long, Message> FindValueHits(IReadOnlyList<SignedItem> held) =>
        i => new FindValueMessage("", default, 0, "", held[(int)(i % held.Count)].Key);

    public static StoreMessage Store(SignedItem item) => new("", default, 0, "", item);

    // A 4096-bit RSA key with a random 3,070-bit odd public exponent, from a generated key's primes.
    private static RSA KeyWithHugeExponent()
    {
        using var source = RSA.Create(4096);
        var parameters = source.ExportParameters(true);
        var p = Big(parameters.P!);
        var q = Big(parameters.Q!);
        var phi = (p - 1) * (q - 1);
        var random = new Random(3070);
        BigInteger e;
        do
        {
            var bytes = new byte[384];
            random.NextBytes(bytes);
            bytes[0] |= 0x20;
            bytes[0] &= 0x3f;
            bytes[^1] |= 1;
            e = Big(bytes);
        }
        while (BigInteger.GreatestCommonDivisor(e, phi) != BigInteger.One);

        var d = ModInverse(e, phi);
        var half = parameters.P!.Length;
        var huge = new RSAParameters
        {
            Modulus = parameters.Modulus,
            Exponent = e.ToByteArray(isUnsigned: true, isBigEndian: true),
            D = Bytes(d, parameters.Modulus!.Length),
            P = parameters.P,
            Q = parameters.Q,
            DP = Bytes(d % (p - 1), half),
            DQ = Bytes(d % (q - 1), half),
            InverseQ = Bytes(ModInverse(q, p), half),
        };
        var rsa = RSA.Create();
        rsa.ImportParameters(huge);
        return rsa;
    }

    private static BigInteger Big(byte[] bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    private static byte[] Bytes(BigInteger value, int length)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[length];
        bytes.CopyTo(padded, length - bytes.Length);
        return padded;
    }

    private static BigInteger ModInverse(BigInteger a, BigInteger m)
    {
        var (oldR, r) = (a % m, m);
        var (oldS, s) = (BigInteger.One, BigInteger.Zero);
        while (r != 0)
        {
            var quotient = oldR / r;
            (oldR, r) = (r, oldR - (quotient * r));
            (oldS, s) = (s, oldS - (quotient * s));
        }

        return ((oldS % m) + m) % m;
    }
}

/// <summary>
/// The junk of one attacking address group in the store-fill attack: fresh 64,000-byte items (a msgpack string of
/// 63,997 characters), timestamped now, named <c>junk G P N</c>, under a publisher key it replaces with a freshly
/// generated one every <see cref="ItemsPerKey"/> items (keys are free; the per-publisher quota must not be what
/// stops it). Used by one flood client at a time.
/// </summary>
internal sealed class JunkSource(int group, PublisherKey first) : IDisposable
{
    /// <summary>Items signed by one key before the next: half of max-items-per-publisher (1,000).</summary>
    public const int ItemsPerKey = 500;

    /// <summary>The msgpack value of every junk item: 64,000 bytes.</summary>
    public const int ValueBytes = 64_000;

    private static readonly string Text = new('x', ValueBytes - 3);
    private readonly List<PublisherKey> _keys = [first];
    private long _signed;

    /// <summary>The generator of one phase's flood client.</summary>
    public Func<long, Message> For(int phase) => i =>
    {
        if (_signed > 0 && _signed % ItemsPerKey == 0)
        {
            _keys.Add(PublisherKey.Generate());
        }

        _signed++;
        return Attacks.Store(SignedItem.Create(_keys[^1], $"junk {group} {phase} {i}", Text, StoreFill.Now(), 0));
    };

    /// <summary>Publisher keys used so far.</summary>
    public int Keys => _keys.Count;

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }
}
