using System.Numerics;
using System.Security.Cryptography;
using Drogulus.Core.Items;

namespace Drogulus.Core.Tests.Items;

/// <summary>
/// Issue 10: the cost of one verification is bounded. Keys longer than <c>max-rsa-key-bits</c> or with a
/// public exponent above 32 bits fail rule 1, and results are remembered per (key, digest, signature).
/// </summary>
public sealed class RsaCostBoundTests
{
    private static SignedItemVector V => SignedItemVector.Current;

    [Fact]
    public void Verify_should_fail_when_the_key_is_longer_than_the_maximum()
    {
        var cache = new RsaPublicKeyCache();

        Assert.False(cache.Verify(V.PublicKeyPem, V.CompoundDigest, V.Signature, 512, maxKeyBits: 1023));
        Assert.True(cache.Verify(V.PublicKeyPem, V.CompoundDigest, V.Signature, 512, maxKeyBits: 1024));
    }

    [Theory]
    [InlineData(65537L, true)]
    [InlineData(4294967291L, true)]   // the largest prime below 2^32
    [InlineData(4294967311L, false)]  // the smallest prime above 2^32
    public void Verify_should_accept_a_valid_signature_only_when_the_public_exponent_has_at_most_32_bits(long exponent, bool accepted)
    {
        using var rsa = KeyWithExponent(new BigInteger(exponent));
        var digest = SHA512.HashData("bounded"u8);
        var signature = rsa.SignHash(digest, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
        var pem = rsa.ExportSubjectPublicKeyInfoPem();

        Assert.True(rsa.VerifyHash(digest, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1));
        Assert.Equal(accepted, new RsaPublicKeyCache().Verify(pem, digest, signature, 1024, 4096));
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 1 }, true)]
    [InlineData(new byte[] { 0, 0, 3 }, true)]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff }, true)]
    [InlineData(new byte[] { 1, 0, 0, 0, 0 }, false)]
    [InlineData(new byte[] { 2 }, false)]
    [InlineData(new byte[] { 1 }, false)]
    [InlineData(new byte[0], false)]
    public void IsAcceptableExponent_should_allow_3_up_to_32_bits_when_given_big_endian_bytes(byte[] exponent, bool acceptable)
    {
        Assert.Equal(acceptable, RsaPublicKeyCache.IsAcceptableExponent(exponent));
    }

    [Fact]
    public void Verify_should_remember_each_result_when_the_same_triple_comes_again()
    {
        var cache = new RsaPublicKeyCache(resultCapacity: 2);
        var forged = V.Signature.ToArray();
        forged[^1] ^= 1;

        Assert.True(cache.Verify(V.PublicKeyPem, V.CompoundDigest, V.Signature, 1024));
        Assert.True(cache.Verify(V.PublicKeyPem, V.CompoundDigest, V.Signature, 1024));
        Assert.Equal(1, cache.ResultCount);
        Assert.False(cache.Verify(V.PublicKeyPem, V.CompoundDigest, forged, 1024));
        Assert.False(cache.Verify(V.PublicKeyPem, V.CompoundDigest, forged, 1024));
        Assert.Equal(2, cache.ResultCount);

        // The bounds are part of what is remembered: a stricter node does not reuse a laxer answer.
        Assert.False(cache.Verify(V.PublicKeyPem, V.CompoundDigest, V.Signature, 2048));
        Assert.InRange(cache.ResultCount, 1, 2);
    }

    [Fact]
    public void Validate_should_fail_rule_1_when_the_publisher_key_is_longer_than_max_rsa_key_bits()
    {
        var item = V.Item();

        Assert.Equal(Drogulus.Core.Wire.ErrorCode.UnverifiableProvenance, item.Validate(V.Timestamp, 1024, 1000).Error);
        Assert.True(item.Validate(V.Timestamp, 1024, 1024).IsValid);
    }

    // A 2048-bit key with the given public exponent, from a generated key's primes.
    private static RSA KeyWithExponent(BigInteger e)
    {
        using var source = RSA.Create(2048);
        var p0 = source.ExportParameters(true);
        var p = FromBigEndian(p0.P!);
        var q = FromBigEndian(p0.Q!);
        var phi = (p - 1) * (q - 1);
        Assert.Equal(BigInteger.One, BigInteger.GreatestCommonDivisor(e, phi));
        var d = ModInverse(e, phi);
        var half = p0.P!.Length;
        var parameters = new RSAParameters
        {
            Modulus = p0.Modulus,
            Exponent = e.ToByteArray(isUnsigned: true, isBigEndian: true),
            D = ToBigEndian(d, p0.Modulus!.Length),
            P = p0.P,
            Q = p0.Q,
            DP = ToBigEndian(d % (p - 1), half),
            DQ = ToBigEndian(d % (q - 1), half),
            InverseQ = ToBigEndian(ModInverse(q, p), half),
        };
        var rsa = RSA.Create();
        rsa.ImportParameters(parameters);
        return rsa;
    }

    private static BigInteger FromBigEndian(byte[] bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    private static byte[] ToBigEndian(BigInteger value, int length)
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
