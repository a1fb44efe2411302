using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Drogulus.Core.Identity;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The TLS 1.3 options of one node (PROTOCOL §5): mutual authentication with the node's self-signed
/// certificate; no chain, revocation or host-name checks, because the peer's id is the hash of its key and
/// that is what gets checked.
/// </summary>
internal sealed class TlsCredentials
{
    private readonly SslStreamCertificateContext _context;

    public TlsCredentials(NodeIdentity identity)
    {
        _context = SslStreamCertificateContext.Create(identity.Certificate, additionalCertificates: null, offline: true);
    }

    /// <summary>Options for accepting a connection: any peer certificate is accepted; its id is learnt.</summary>
    public SslServerAuthenticationOptions Server() => new()
    {
        ServerCertificateContext = _context,
        ClientCertificateRequired = true,
        EnabledSslProtocols = SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
    };

    /// <summary>
    /// Options for dialling: when <paramref name="expectedId"/> is known, a certificate proving another id
    /// fails the handshake.
    /// </summary>
    public SslClientAuthenticationOptions Client(Key? expectedId) => new()
    {
        TargetHost = "drogulus-node",
        ClientCertificateContext = _context,
        EnabledSslProtocols = SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && (expectedId is not { } expected || NodeIdentity.IdOf(certificate) == expected),
    };
}
