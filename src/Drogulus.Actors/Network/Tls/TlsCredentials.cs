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
    // Most peer certificates whose ids are remembered; a few times max-connections' default, a few hundred KiB.
    private const int KnownCertificates = 4096;

    private readonly SslStreamCertificateContext _context;
    private readonly X509ChainPolicy _chainPolicy = NoSystemTrust();
    private readonly SslServerAuthenticationOptions _server;
    private readonly PeerIdCache _ids = new(KnownCertificates);
    private readonly object _dialledGate = new();
    private readonly HashSet<Key> _dialled = new();

    public TlsCredentials(NodeIdentity identity)
    {
        _context = SslStreamCertificateContext.Create(identity.Certificate, additionalCertificates: null, offline: true);

        // Built once per node, not per handshake: SslStream copies what it needs from the options.
        _server = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _context,
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = _chainPolicy,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
        };
    }

    /// <summary>Options for accepting a connection: any peer certificate is accepted; its id is learnt.</summary>
    public SslServerAuthenticationOptions Server() => _server;

    /// <summary>
    /// Records that a dial to <paramref name="peer"/> completed its handshake; says whether one had before, so that the
    /// share of such reconnections that resumed their TLS session can be counted. Bounded like the id cache: when full it
    /// is emptied and fills again.
    /// </summary>
    public bool Dialled(Key peer)
    {
        lock (_dialledGate)
        {
            if (_dialled.Contains(peer))
            {
                return true;
            }

            if (_dialled.Count >= KnownCertificates)
            {
                _dialled.Clear();
            }

            _dialled.Add(peer);
            return false;
        }
    }

    /// <summary>The node id a peer's certificate proves (PROTOCOL §2), hashed once per certificate this node has seen.</summary>
    public Key IdOf(X509Certificate certificate) => _ids.IdOf(certificate);

    /// <summary>
    /// Options for dialling: when <paramref name="expectedId"/> is known, a certificate proving another id
    /// fails the handshake, and the server name is <see cref="ServerName"/> of that id.
    /// </summary>
    public SslClientAuthenticationOptions Client(Key? expectedId) => new()
    {
        TargetHost = ServerName(expectedId),
        ClientCertificateContext = _context,
        EnabledSslProtocols = SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        CertificateChainPolicy = _chainPolicy,
        RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && (expectedId is not { } expected || _ids.IdOf(certificate) == expected),
    };

    /// <summary>
    /// The server name a dial sends: the id it expects, as hex in four labels of 32 digits (a DNS label holds at most
    /// 63) under <c>node.drogulus</c>, or <c>drogulus-node</c> for an address whose id is not known yet. SslStream keeps TLS 1.3 sessions (at most 500 per
    /// identity, freed by OpenSSL's cache) under the server name, so naming the id lets a reconnection to a node met
    /// before resume its session: no certificate signature or chain work on either end, a new connection 40 % cheaper
    /// (issue 9, join storm; <c>HandshakeBenchmarks</c>). A resumed handshake still proves both ids: the peer's certificate comes from
    /// the session and passes the same validation callback, and the ticket is bound to the client's certificate.
    /// The id is public anyway (it is the node's address in the DHT).
    /// </summary>
    internal static string ServerName(Key? expectedId) =>
        expectedId is { } id ? string.Join('.', id.ToString().Chunk(32).Select(label => new string(label))) + ".node.drogulus" : "drogulus-node";

    /// <summary>
    /// The chain SslStream builds for the peer's certificate before calling the validation callback, against an
    /// empty custom root store: no system store is read, nothing is downloaded, no revocation is checked. Its
    /// verdict is ignored anyway (the callbacks check only the key's hash), and skipping the system store makes a
    /// handshake about a third cheaper in CPU (issue 13: 7.9 to 5.0 ms for both ends on the shared CI machine).
    /// </summary>
    private static X509ChainPolicy NoSystemTrust() => new()
    {
        TrustMode = X509ChainTrustMode.CustomRootTrust,
        RevocationMode = X509RevocationMode.NoCheck,
        DisableCertificateDownloads = true,
        VerificationFlags = X509VerificationFlags.AllFlags,
    };
}
