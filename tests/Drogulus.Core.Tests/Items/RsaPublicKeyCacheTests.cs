using System.Security.Cryptography;
using Drogulus.Core.Items;

namespace Drogulus.Core.Tests.Items;

/// <summary>PROTOCOL §3 rule 1 as the cached verifier applies it: only RSA SubjectPublicKeyInfo keys verify.</summary>
public sealed class RsaPublicKeyCacheTests
{
    private static SignedItemVector V => SignedItemVector.Current;

    [Fact]
    public void Verify_should_accept_the_vector_signature_repeatedly_from_the_cache()
    {
        var cache = new RsaPublicKeyCache();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(cache.Verify(V.PublicKeyPem, V.CompoundDigest, V.Signature, 1024));
        }

        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Verify_should_stay_bounded_when_more_keys_than_capacity_arrive()
    {
        var cache = new RsaPublicKeyCache(capacity: 2);
        Assert.True(cache.Verify(V.PublicKeyPem, V.CompoundDigest, V.Signature, 1024));
        Assert.False(cache.Verify(V.AltPublicKeyPem, V.CompoundDigest, V.Signature, 1024));
        Assert.False(cache.Verify(V.BadPublicKeyPem, V.CompoundDigest, V.Signature, 1024));
        Assert.InRange(cache.Count, 1, 2);
        Assert.True(cache.Verify(V.PublicKeyPem, V.CompoundDigest, V.Signature, 1024));
        Assert.InRange(cache.Count, 1, 2);
    }

    [Fact]
    public void Verify_should_give_the_same_answers_when_called_concurrently()
    {
        var cache = new RsaPublicKeyCache(capacity: 2);
        var pems = new[] { V.PublicKeyPem, V.AltPublicKeyPem, V.BadPublicKeyPem, V.PublicKeyPem + " " };
        var results = new bool[400];
        Parallel.For(0, results.Length, i => results[i] = cache.Verify(pems[i % pems.Length], V.CompoundDigest, V.Signature, 1024));
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(pems[i % pems.Length].Trim() == V.PublicKeyPem, results[i]);
        }
    }

    [Fact]
    public void Verify_should_fail_when_the_key_is_not_rsa()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.False(new RsaPublicKeyCache().Verify(ec.ExportSubjectPublicKeyInfoPem(), V.CompoundDigest, V.Signature, 1024));
    }

    [Fact]
    public void Verify_should_fail_when_the_pem_is_not_a_subject_public_key_info()
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(V.PrivateKeyPem);
        var cache = new RsaPublicKeyCache();
        Assert.False(cache.Verify(rsa.ExportRSAPublicKeyPem(), V.CompoundDigest, V.Signature, 1024));
        Assert.False(cache.Verify(V.PrivateKeyPem, V.CompoundDigest, V.Signature, 1024));
        Assert.False(cache.Verify(string.Empty, V.CompoundDigest, V.Signature, 1024));
        Assert.False(cache.Verify("junk " + V.PublicKeyPem, V.CompoundDigest, V.Signature, 1024));
        Assert.False(cache.Verify(V.PublicKeyPem + "\n" + V.AltPublicKeyPem, V.CompoundDigest, V.Signature, 1024));
    }

    [Fact]
    public void Verify_should_fail_without_caching_when_the_pem_is_huge()
    {
        var cache = new RsaPublicKeyCache();
        var huge = new string('A', RsaPublicKeyCache.MaxCachedPemLength) + V.PublicKeyPem;
        Assert.False(cache.Verify(huge, V.CompoundDigest, V.Signature, 1024));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Verify_should_fail_when_the_key_is_shorter_than_the_minimum()
    {
        var cache = new RsaPublicKeyCache();
        Assert.False(cache.Verify(V.PublicKeyPem, V.CompoundDigest, V.Signature, 2048));
        Assert.True(cache.Verify(V.PublicKeyPem, V.CompoundDigest, V.Signature, 1024));
    }
}
