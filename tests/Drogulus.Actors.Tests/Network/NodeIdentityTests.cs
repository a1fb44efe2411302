using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Drogulus.Actors.Network;
using Drogulus.Core.Identity;

namespace Drogulus.Actors.Tests.Network;

public sealed class NodeIdentityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Generate_should_make_a_self_signed_p256_certificate_whose_id_is_sha512_of_its_public_key()
    {
        using var identity = NodeIdentity.Generate(Now);
        var certificate = identity.Certificate;

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(certificate.Subject, certificate.Issuer);
        using var key = certificate.GetECDsaPublicKey();
        Assert.NotNull(key);
        Assert.Equal(256, key!.KeySize);
        Assert.Equal(Key.Hash(certificate.PublicKey.ExportSubjectPublicKeyInfo()), identity.Id);
        Assert.Equal(identity.Id, NodeIdentity.IdOf(certificate));
        Assert.True(certificate.NotBefore <= Now.UtcDateTime && certificate.NotAfter > Now.AddYears(9).UtcDateTime);
    }

    [Fact]
    public void Generate_should_give_every_identity_its_own_id()
    {
        using var first = NodeIdentity.Generate(Now);
        using var second = NodeIdentity.Generate(Now);

        Assert.NotEqual(first.Id, second.Id);
    }

    [Fact]
    public void Import_should_restore_the_same_identity_when_the_passphrase_is_right()
    {
        using var identity = NodeIdentity.Generate(Now);

        using var restored = NodeIdentity.Import(identity.Export("right passphrase"), "right passphrase");

        Assert.Equal(identity.Id, restored.Id);
        Assert.True(restored.Certificate.HasPrivateKey);
        using var signer = restored.Certificate.GetECDsaPrivateKey()!;
        var data = new byte[] { 1, 2, 3 };
        using var verifier = identity.Certificate.GetECDsaPublicKey()!;
        Assert.True(verifier.VerifyData(data, signer.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
    }

    [Fact]
    public void Import_should_fail_with_a_cryptographic_error_when_the_passphrase_is_wrong()
    {
        using var identity = NodeIdentity.Generate(Now);
        var saved = identity.Export("right passphrase");

        Assert.ThrowsAny<CryptographicException>(() => NodeIdentity.Import(saved, "wrong passphrase"));
    }

    [Fact]
    public void Import_should_refuse_a_certificate_without_its_private_key()
    {
        using var identity = NodeIdentity.Generate(Now);
        using var publicOnly = X509CertificateLoader.LoadCertificate(identity.Certificate.Export(X509ContentType.Cert));
        var pfx = publicOnly.Export(X509ContentType.Pkcs12, "p");

        Assert.ThrowsAny<CryptographicException>(() => NodeIdentity.Import(pfx, "p"));
    }

    [Fact]
    public void Export_should_refuse_an_empty_passphrase()
    {
        using var identity = NodeIdentity.Generate(Now);

        Assert.ThrowsAny<ArgumentException>(() => identity.Export(""));
    }
}
