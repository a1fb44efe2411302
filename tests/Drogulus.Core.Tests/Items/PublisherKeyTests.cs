using System.Security.Cryptography;
using Drogulus.Core.Items;

namespace Drogulus.Core.Tests.Items;

/// <summary>PROTOCOL §3: keys the library generates are 2048 bits or more; PEM import and export.</summary>
public sealed class PublisherKeyTests
{
    // Generating 2048-bit keys is slow, so the class shares one.
    private static readonly Lazy<PublisherKey> Generated = new(() => PublisherKey.Generate());

    private static SignedItemVector V => SignedItemVector.Current;

    [Fact]
    public void Generate_should_make_a_2048_bit_key_whose_items_validate()
    {
        var publisher = Generated.Value;
        Assert.Equal(2048, publisher.KeySizeInBits);
        var item = SignedItem.Create(publisher, "name", "value", timestamp: 100, expires: 0);
        Assert.Equal(256, item.Signature.Length);
        Assert.True(item.Validate(200, minRsaKeyBits: 2048).IsValid);
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(2047)]
    public void Generate_should_reject_key_sizes_when_below_2048_bits(int bits)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PublisherKey.Generate(bits));
    }

    [Fact]
    public void PublicKeyPem_should_be_spki_with_newline_line_ends_and_no_trailing_newline()
    {
        var pem = Generated.Value.PublicKeyPem;
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\n", pem);
        Assert.EndsWith("\n-----END PUBLIC KEY-----", pem);
        Assert.DoesNotContain('\r', pem);
        Assert.All(pem.Split('\n'), line => Assert.InRange(line.Length, 1, 64));
    }

    [Fact]
    public void FromPem_should_import_pkcs1_and_pkcs8_private_keys()
    {
        using var pkcs1 = PublisherKey.FromPem(V.PrivateKeyPem);
        Assert.Equal(1024, pkcs1.KeySizeInBits);
        Assert.Equal(V.PublicKeyPem, pkcs1.PublicKeyPem);

        var pkcs8Pem = pkcs1.ExportPrivateKeyPem();
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pkcs8Pem);
        using var pkcs8 = PublisherKey.FromPem(pkcs8Pem);
        Assert.Equal(V.PublicKeyPem, pkcs8.PublicKeyPem);
        Assert.Equal(V.Signature, pkcs8.SignDigest(V.CompoundDigest));
    }

    [Fact]
    public void FromPem_should_reject_text_when_it_holds_no_unencrypted_private_key()
    {
        Assert.Throws<ArgumentException>(() => PublisherKey.FromPem(V.PublicKeyPem));
        Assert.Throws<ArgumentException>(() => PublisherKey.FromPem("not a key"));
        var corrupt = V.PrivateKeyPem.Replace("MIICXgIBAAKBgQC", "MIICXgIBAAKBgQD", StringComparison.Ordinal)
            .Replace("\nAoGBAJvB", "\nAoGBAAAA", StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PublisherKey.FromPem(corrupt[..200] + "\n-----END RSA PRIVATE KEY-----"));
    }

    [Fact]
    public void Encrypted_pem_should_round_trip_with_the_right_passphrase()
    {
        var publisher = Generated.Value;
        var encrypted = publisher.ExportEncryptedPkcs8Pem("correct horse");
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", encrypted);

        using var restored = PublisherKey.FromEncryptedPem(encrypted, "correct horse");
        Assert.Equal(publisher.PublicKeyPem, restored.PublicKeyPem);
        var digest = SHA512.HashData("payload"u8);
        Assert.Equal(publisher.SignDigest(digest), restored.SignDigest(digest));
    }

    [Fact]
    public void Encrypted_pem_should_use_aes_256_cbc_and_pbkdf2_sha256()
    {
        using var publisher = PublisherKey.FromPem(V.PrivateKeyPem);
        var pem = publisher.ExportEncryptedPkcs8Pem("pass", PublisherKey.MinPbkdf2Iterations);
        var hex = Convert.ToHexStringLower(Convert.FromBase64String(pem[PemEncoding.Find(pem).Base64Data]));
        Assert.Contains("06092a864886f70d01050d", hex, StringComparison.Ordinal); // PBES2
        Assert.Contains("06092a864886f70d01050c", hex, StringComparison.Ordinal); // PBKDF2
        Assert.Contains("06082a864886f70d0209", hex, StringComparison.Ordinal); // HMAC-SHA256
        Assert.Contains("060960864801650304012a", hex, StringComparison.Ordinal); // AES-256-CBC
    }

    [Fact]
    public void FromEncryptedPem_should_throw_invalid_passphrase_when_the_passphrase_is_wrong()
    {
        using var publisher = PublisherKey.FromPem(V.PrivateKeyPem);
        var encrypted = publisher.ExportEncryptedPkcs8Pem("right", PublisherKey.MinPbkdf2Iterations);
        var error = Assert.Throws<InvalidPassphraseException>(() => PublisherKey.FromEncryptedPem(encrypted, "wrong"));
        Assert.Contains("passphrase", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<CryptographicException>(error);
    }

    [Fact]
    public void FromEncryptedPem_should_reject_text_when_it_is_not_an_encrypted_key()
    {
        Assert.Throws<ArgumentException>(() => PublisherKey.FromEncryptedPem(V.PrivateKeyPem, "x"));
    }

    [Fact]
    public void ExportEncryptedPkcs8Pem_should_reject_an_empty_passphrase_or_few_iterations()
    {
        using var publisher = PublisherKey.FromPem(V.PrivateKeyPem);
        Assert.Throws<ArgumentException>(() => publisher.ExportEncryptedPkcs8Pem(string.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => publisher.ExportEncryptedPkcs8Pem("x", 1000));
    }

    [Fact]
    public void SignDigest_should_reject_input_when_not_64_bytes()
    {
        using var publisher = PublisherKey.FromPem(V.PrivateKeyPem);
        Assert.Throws<ArgumentException>(() => publisher.SignDigest(new byte[32]));
    }

    [Fact]
    public void ToString_should_not_reveal_private_key_material()
    {
        using var publisher = PublisherKey.FromPem(V.PrivateKeyPem);
        var text = publisher.ToString();
        Assert.Contains("RSA-1024", text, StringComparison.Ordinal);
        Assert.Contains(V.KeyWithoutName.ToShortString(), text, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", text, StringComparison.Ordinal);
        Assert.DoesNotContain("MII", text, StringComparison.Ordinal);
    }
}
