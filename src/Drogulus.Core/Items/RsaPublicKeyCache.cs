using System.Collections.Concurrent;
using System.Security.Cryptography;

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

    /// <summary>PEM texts longer than this are parsed but never cached (16384-bit keys need about 2.9k).</summary>
    public const int MaxCachedPemLength = 4096;

    private static readonly int MaxPooledPerKey = Math.Max(2, Environment.ProcessorCount);

    private readonly ConcurrentDictionary<string, Entry?> _entries = new(StringComparer.Ordinal);
    private readonly int _capacity;

    /// <summary>Creates a cache holding at most <paramref name="capacity"/> keys.</summary>
    public RsaPublicKeyCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>The process-wide cache used by <see cref="SignedItem"/>.</summary>
    public static RsaPublicKeyCache Shared { get; } = new();

    /// <summary>Number of cached PEM texts (parseable or not).</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Whether <paramref name="signature"/> is a PKCS#1 v1.5 signature of the SHA-512 hash
    /// <paramref name="digest"/> under the SubjectPublicKeyInfo PEM <paramref name="publicKeyPem"/>.
    /// An unparseable or non-RSA key, or one shorter than <paramref name="minKeyBits"/>, gives false.
    /// </summary>
    public bool Verify(string publicKeyPem, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, int minKeyBits)
    {
        ArgumentNullException.ThrowIfNull(publicKeyPem);
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

        try
        {
            return entry is not null && entry.KeySize >= minKeyBits && entry.Verify(digest, signature);
        }
        finally
        {
            if (!cached)
            {
                entry?.Retire();
            }
        }
    }

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
            _pool.Add(first);
        }

        public int KeySize { get; }

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
}
