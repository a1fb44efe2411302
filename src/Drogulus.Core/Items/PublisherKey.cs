using System.Security.Cryptography;
using Drogulus.Core.Identity;

namespace Drogulus.Core.Items;

/// <summary>
/// A publisher's RSA key pair (PROTOCOL §3): signs compound digests and names the publisher's items
/// through <see cref="KeyFor"/>. Never prints private key material.
/// </summary>
public sealed class PublisherKey : IDisposable
{
    /// <summary>Smallest modulus, in bits, that <see cref="Generate"/> accepts.</summary>
    public const int MinGeneratedKeyBits = 2048;

    /// <summary>PBKDF2-SHA256 iterations used by <see cref="ExportEncryptedPkcs8Pem"/> unless told otherwise.</summary>
    public const int DefaultPbkdf2Iterations = 600_000;

    /// <summary>Fewest PBKDF2 iterations <see cref="ExportEncryptedPkcs8Pem"/> accepts.</summary>
    public const int MinPbkdf2Iterations = 10_000;

    private readonly RSA _rsa;
    private readonly Lock _gate = new();

    private PublisherKey(RSA rsa)
    {
        _rsa = rsa;
        PublicKeyPem = PemEncoding.WriteString("PUBLIC KEY", rsa.ExportSubjectPublicKeyInfo());
    }

    /// <summary>
    /// The public key as SubjectPublicKeyInfo PEM (<c>-----BEGIN PUBLIC KEY-----</c>), 64-column lines
    /// ending in <c>\n</c>, no trailing newline: the text that goes into items and into construct_key.
    /// </summary>
    public string PublicKeyPem { get; }

    /// <summary>Size of the modulus in bits.</summary>
    public int KeySizeInBits => _rsa.KeySize;

    /// <summary>Generates a new key pair.</summary>
    /// <exception cref="ArgumentOutOfRangeException">when <paramref name="bits"/> is below 2048.</exception>
    public static PublisherKey Generate(int bits = MinGeneratedKeyBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, MinGeneratedKeyBits);
        return new PublisherKey(RSA.Create(bits));
    }

    /// <summary>
    /// Imports an unencrypted RSA private key, PKCS#1 (<c>RSA PRIVATE KEY</c>) or PKCS#8
    /// (<c>PRIVATE KEY</c>). Any size is accepted, so older keys such as the 1024-bit one of the test
    /// vector still load; nodes reject signatures by keys below their <c>min-rsa-key-bits</c>.
    /// </summary>
    /// <exception cref="ArgumentException">when the text holds no such key.</exception>
    public static PublisherKey FromPem(string privatePem)
    {
        ArgumentNullException.ThrowIfNull(privatePem);
        if (!PemEncoding.TryFind(privatePem, out var fields)
            || privatePem.AsSpan()[fields.Label] is not ("RSA PRIVATE KEY" or "PRIVATE KEY"))
        {
            throw new ArgumentException("Expected an unencrypted RSA PRIVATE KEY or PRIVATE KEY PEM.", nameof(privatePem));
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(privatePem);
            return new PublisherKey(rsa);
        }
        catch (CryptographicException e)
        {
            rsa.Dispose();
            throw new ArgumentException("The PEM does not hold a valid RSA private key.", nameof(privatePem), e);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>Imports an encrypted PKCS#8 private key (<c>ENCRYPTED PRIVATE KEY</c>).</summary>
    /// <exception cref="ArgumentException">when the text holds no encrypted private key.</exception>
    /// <exception cref="InvalidPassphraseException">when the passphrase is wrong (or the key corrupt).</exception>
    public static PublisherKey FromEncryptedPem(string pem, string passphrase)
    {
        ArgumentNullException.ThrowIfNull(pem);
        ArgumentNullException.ThrowIfNull(passphrase);
        if (!PemEncoding.TryFind(pem, out var fields) || !pem.AsSpan()[fields.Label].SequenceEqual("ENCRYPTED PRIVATE KEY"))
        {
            throw new ArgumentException("Expected an ENCRYPTED PRIVATE KEY PEM.", nameof(pem));
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromEncryptedPem(pem, passphrase);
            return new PublisherKey(rsa);
        }
        catch (CryptographicException e)
        {
            rsa.Dispose();
            throw new InvalidPassphraseException("The passphrase is wrong or the encrypted private key is corrupt.", e);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>construct_key(<see cref="PublicKeyPem"/>, <paramref name="name"/>) (PROTOCOL §2).</summary>
    public Key KeyFor(string name) => Key.For(PublicKeyPem, name);

    /// <summary>
    /// Signs a compound digest: RSASSA-PKCS1-v1_5 over <c>DigestInfo(SHA-512, digest)</c> (PROTOCOL §3).
    /// </summary>
    /// <exception cref="ArgumentException">when <paramref name="digest"/> is not 64 bytes.</exception>
    public byte[] SignDigest(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != ItemDigest.Length)
        {
            throw new ArgumentException($"A SHA-512 digest is {ItemDigest.Length} bytes.", nameof(digest));
        }

        // RSA does not promise that concurrent use of one instance is safe; signing is rare enough to serialise.
        lock (_gate)
        {
            return _rsa.SignHash(digest.ToArray(), HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
        }
    }

    /// <summary>The private key as unencrypted PKCS#8 PEM (<c>PRIVATE KEY</c>). Keep it secret.</summary>
    public string ExportPrivateKeyPem()
    {
        lock (_gate)
        {
            return _rsa.ExportPkcs8PrivateKeyPem();
        }
    }

    /// <summary>
    /// The private key as encrypted PKCS#8 PEM (<c>ENCRYPTED PRIVATE KEY</c>): AES-256-CBC with a key
    /// derived by PBKDF2-HMAC-SHA256.
    /// </summary>
    /// <exception cref="ArgumentException">when <paramref name="passphrase"/> is empty or
    /// <paramref name="iterations"/> is below <see cref="MinPbkdf2Iterations"/>.</exception>
    public string ExportEncryptedPkcs8Pem(string passphrase, int iterations = DefaultPbkdf2Iterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinPbkdf2Iterations);
        var parameters = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, iterations);
        lock (_gate)
        {
            return _rsa.ExportEncryptedPkcs8PrivateKeyPem(passphrase.AsSpan(), parameters);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _rsa.Dispose();

    /// <summary>Key size and the publisher's key prefix; never key material.</summary>
    public override string ToString() => $"PublisherKey(RSA-{KeySizeInBits}, {KeyFor(string.Empty).ToShortString()})";
}
