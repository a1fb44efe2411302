using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Drogulus.Core.Identity;

namespace Drogulus.Actors.Network;

/// <summary>
/// A node's TLS identity: a self-signed certificate with its private key. The node id is
/// SHA-512 of the certificate's DER SubjectPublicKeyInfo (PROTOCOL §2), so the TLS handshake proves it.
/// </summary>
public sealed class NodeIdentity : IDisposable
{
    private NodeIdentity(X509Certificate2 certificate)
    {
        Certificate = certificate;
        Id = IdOf(certificate);
    }

    /// <summary>The node id.</summary>
    public Key Id { get; }

    /// <summary>The self-signed certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>A new ECDSA P-256 identity with a self-signed certificate valid for ten years.</summary>
    public static NodeIdentity Generate(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=drogulus-node", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        var pfx = certificate.Export(X509ContentType.Pkcs12);
        return new NodeIdentity(X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.Exportable));
    }

    /// <summary>The node id a certificate proves: SHA-512 of its DER SubjectPublicKeyInfo.</summary>
    public static Key IdOf(X509Certificate certificate)
    {
        using var cert = new X509Certificate2(certificate);
        return Key.Hash(cert.PublicKey.ExportSubjectPublicKeyInfo());
    }

    /// <summary>The identity as PKCS#12 bytes, the private key protected by <paramref name="passphrase"/>.</summary>
    public byte[] Export(string passphrase)
    {
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        return Certificate.Export(X509ContentType.Pkcs12, passphrase);
    }

    /// <summary>Loads an identity saved by <see cref="Export"/>.</summary>
    /// <exception cref="CryptographicException">when the passphrase is wrong or the data is not an identity.</exception>
    public static NodeIdentity Import(byte[] pkcs12, string passphrase)
    {
        var certificate = X509CertificateLoader.LoadPkcs12(pkcs12, passphrase, X509KeyStorageFlags.Exportable);
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new CryptographicException("The identity file holds no private key.");
        }

        return new NodeIdentity(certificate);
    }

    /// <inheritdoc />
    public void Dispose() => Certificate.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"NodeIdentity({Id.ToShortString()})";
}
