using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Drogulus.Core.Items;

/// <summary>
/// Verifies PROTOCOL §3 signatures with parsed RSA public keys cached by PEM text, because every stored
/// item is verified and most come from few publishers. Importing a key costs about ten verifications, so
/// each cached key keeps a small pool of ready <see cref="RSA"/> instances; an instance is used by one
/// caller at a time, since <see cref="RSA"/> does not promise that concurrent use is safe.
/// The cache is bounded and simply cleared when full.
/// </summary>
internal sealed class RsaPublicKeyCache
{
    /// <summary>Entries kept before the cache is cleared.</summary>
    public const int DefaultCapacity = 256;

    /// <summary>Verification results kept before they are cleared.</summary>
    public const int DefaultResultCapacity = 16_384;

    /// <summary>Largest public exponent accepted: 32 bits (65537 is the usual one).</summary>
    public const long MaxPublicExponent = uint.MaxValue;

    /// <summary>PEM texts longer than this are parsed but never cached (16384-bit keys need about 2.9k).</summary>
    public const int MaxCachedPemLength = 4096;

    private static readonly int MaxPooledPerKey = Math.Max(2, Environment.ProcessorCount);

    private readonly ConcurrentDictionary<string, Entry?> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<VerificationKey, bool> _results = new();
    private readonly int _capacity;
    private readonly int _resultCapacity;

    /// <summary>
    /// Creates a cache holding at most <paramref name="capacity"/> keys and <paramref name="resultCapacity"/>
    /// verification results (each about 64 bytes).
    /// </summary>
    public RsaPublicKeyCache(int capacity = DefaultCapacity, int resultCapacity = DefaultResultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(resultCapacity, 1);
        _capacity = capacity;
        _resultCapacity = resultCapacity;
    }

    /// <summary>The process-wide cache used by <see cref="SignedItem"/>.</summary>
    public static RsaPublicKeyCache Shared { get; } = new();

    /// <summary>Number of cached PEM texts (parseable or not).</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Whether <paramref name="signature"/> is a PKCS#1 v1.5 signature of the SHA-512 hash
    /// <paramref name="digest"/> under the SubjectPublicKeyInfo PEM <paramref name="publicKeyPem"/>.
    /// An unparseable or non-RSA key, one shorter than <paramref name="minKeyBits"/>, longer than
    /// <paramref name="maxKeyBits"/> or with a public exponent outside 3..2^32-1 gives false without any
    /// RSA operation, so that the cost of one verification is bounded whatever a stranger sends. Results
    /// are remembered per (key, digest, signature, bounds), so a replayed item costs one SHA-256.
    /// </summary>
    public bool Verify(string publicKeyPem, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, int minKeyBits, int maxKeyBits = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(publicKeyPem);
        var resultKey = VerificationKey.Of(publicKeyPem, digest, signature, minKeyBits, maxKeyBits);
        if (_results.TryGetValue(resultKey, out var known))
        {
            return known;
        }

        var cached = _entries.TryGetValue(publicKeyPem, out var entry);
        if (!cached)
        {
            entry = Entry.TryCreate(publicKeyPem);
            cached = publicKeyPem.Length <= MaxCachedPemLength;
            if (cached)
            {
                entry = Add(publicKeyPem, entry);
            }
        }

        bool result;
        try
        {
            result = entry is not null
                && entry.KeySize >= minKeyBits
                && entry.KeySize <= maxKeyBits
                && entry.ExponentAcceptable
                && entry.Verify(digest, signature);
        }
        finally
        {
            if (!cached)
            {
                entry?.Retire();
            }
        }

        if (_results.Count >= _resultCapacity)
        {
            _results.Clear();
        }

        _results[resultKey] = result;
        return result;
    }

    /// <summary>Verification results remembered.</summary>
    public int ResultCount => _results.Count;

    /// <summary>Parses a SubjectPublicKeyInfo PEM holding an RSA key; null when it is anything else.</summary>
    internal static RSA? TryParse(string publicKeyPem, out byte[] spki)
    {
        spki = [];
        var text = publicKeyPem.AsSpan().Trim();
        if (!PemEncoding.TryFind(text, out var fields)
            || fields.Location.Start.Value != 0
            || fields.Location.End.Value != text.Length
            || !text[fields.Label].SequenceEqual("PUBLIC KEY"))
        {
            return null;
        }

        var der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(text[fields.Base64Data], der, out var written) || written != der.Length)
        {
            return null;
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(der, out var read);
            if (read == der.Length)
            {
                spki = der;
                return rsa;
            }
        }
        catch (CryptographicException)
        {
            // A non-RSA or malformed key is a failed verification, not an error (PROTOCOL §3 rule 1).
        }

        rsa.Dispose();
        return null;
    }

    /// <summary>Whether the big-endian public exponent is at least 3 and at most 32 bits long.</summary>
    internal static bool IsAcceptableExponent(byte[]? exponent)
    {
        if (exponent is null)
        {
            return false;
        }

        var digits = exponent.AsSpan().TrimStart((byte)0);
        if (digits.Length > sizeof(uint))
        {
            return false;
        }

        long value = 0;
        foreach (var b in digits)
        {
            value = (value << 8) | b;
        }

        return value is >= 3 and <= MaxPublicExponent;
    }

    private Entry? Add(string pem, Entry? entry)
    {
        if (_entries.Count >= _capacity)
        {
            Clear();
        }

        if (_entries.TryAdd(pem, entry))
        {
            return entry;
        }

        // Another thread cached the same key first; use its entry so that one pool serves both.
        entry?.Retire();
        return _entries.TryGetValue(pem, out var winner) ? winner : Entry.TryCreate(pem);
    }

    private void Clear()
    {
        foreach (var (pem, _) in _entries)
        {
            if (_entries.TryRemove(pem, out var removed))
            {
                removed?.Retire();
            }
        }
    }

    private sealed class Entry
    {
        private readonly ConcurrentBag<RSA> _pool = [];
        private readonly byte[] _spki;
        private volatile bool _retired;

        private Entry(RSA first, byte[] spki)
        {
            _spki = spki;
            KeySize = first.KeySize;
            ExponentAcceptable = IsAcceptableExponent(first.ExportParameters(false).Exponent);
            _pool.Add(first);
        }

        public int KeySize { get; }

        /// <summary>Whether the public exponent is between 3 and 2^32 - 1, so that one verification stays cheap.</summary>
        public bool ExponentAcceptable { get; }

        public static Entry? TryCreate(string pem) =>
            TryParse(pem, out var spki) is { } rsa ? new Entry(rsa, spki) : null;

        public bool Verify(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
        {
            var rsa = Rent();
            try
            {
                return rsa.VerifyHash(digest, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
            }
            catch (CryptographicException)
            {
                return false;
            }
            finally
            {
                Return(rsa);
            }
        }

        public void Retire()
        {
            _retired = true;
            while (_pool.TryTake(out var rsa))
            {
                rsa.Dispose();
            }
        }

        private RSA Rent()
        {
            if (_pool.TryTake(out var rsa))
            {
                return rsa;
            }

            var created = RSA.Create();
            created.ImportSubjectPublicKeyInfo(_spki, out _);
            return created;
        }

        private void Return(RSA rsa)
        {
            if (_retired || _pool.Count >= MaxPooledPerKey)
            {
                rsa.Dispose();
                return;
            }

            _pool.Add(rsa);
        }
    }

    /// <summary>SHA-256 of everything a verification result depends on.</summary>
    private readonly record struct VerificationKey(ulong A, ulong B, ulong C, ulong D)
    {
        public static VerificationKey Of(string pem, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, int minKeyBits, int maxKeyBits)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            Span<byte> lengths = stackalloc byte[16];
            BinaryPrimitives.WriteInt32LittleEndian(lengths, digest.Length);
            BinaryPrimitives.WriteInt32LittleEndian(lengths[4..], signature.Length);
            BinaryPrimitives.WriteInt32LittleEndian(lengths[8..], minKeyBits);
            BinaryPrimitives.WriteInt32LittleEndian(lengths[12..], maxKeyBits);
            hash.AppendData(lengths);
            hash.AppendData(digest);
            hash.AppendData(signature);
            hash.AppendData(Encoding.UTF8.GetBytes(pem));
            Span<byte> sum = stackalloc byte[32];
            hash.GetHashAndReset(sum);
            return new VerificationKey(
                BinaryPrimitives.ReadUInt64LittleEndian(sum),
                BinaryPrimitives.ReadUInt64LittleEndian(sum[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(sum[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(sum[24..]));
        }
    }
}
