using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Drogulus.Actors.Network;

namespace Drogulus.PeerBench;

/// <summary>
/// What one new connection costs with TLS alone (issue 13 profiling): loopback connect plus a TLS 1.3 handshake
/// with mutual ECDSA P-256 certificates and the node's options, both ends in this process, no actors, one after
/// the other. Gives wall time and process CPU time per connection, to set against the node's own.
/// </summary>
internal static class RawTlsHandshakes
{
    /// <summary>Median wall milliseconds and mean CPU milliseconds per connection, over <paramref name="count"/> connections (after one warm-up).</summary>
    public static async Task<(double WallMs, double CpuMs)> Measure(int count, bool customTrust = false)
    {
        var now = DateTimeOffset.UtcNow;
        var server = NodeIdentity.Generate(now);
        var client = NodeIdentity.Generate(now);
        var serverContext = SslStreamCertificateContext.Create(server.Certificate, null, offline: true);
        var clientContext = SslStreamCertificateContext.Create(client.Certificate, null, offline: true);
        // With customTrust, the chain of the peer's self-signed certificate is built against an empty custom root
        // store (no system store, no downloads, no revocation), as the node may since only the key's hash counts.
        X509ChainPolicy? Policy() => customTrust
            ? new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
                VerificationFlags = X509VerificationFlags.AllFlags,
            }
            : null;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var walls = new List<double>();
        using var process = Process.GetCurrentProcess();
        var cpu0 = 0.0;
        for (var i = 0; i <= count; i++)
        {
            if (i == 1)
            {
                // CPU time is read in clock ticks (10 ms), so it is taken over all connections, not per connection.
                process.Refresh();
                cpu0 = process.TotalProcessorTime.TotalMilliseconds;
            }

            var started = Stopwatch.GetTimestamp();
            var accepted = listener.AcceptTcpClientAsync();
            using var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            using var inbound = await accepted;
            await using var serverTls = new SslStream(inbound.GetStream(), leaveInnerStreamOpen: false);
            await using var clientTls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            var serverAuth = serverTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = serverContext,
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                CertificateChainPolicy = Policy(),
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
            });
            await clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "drogulus-node",
                ClientCertificateContext = clientContext,
                EnabledSslProtocols = SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                CertificateChainPolicy = Policy(),
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && NodeIdentity.IdOf(certificate) == server.Id,
            });
            await serverAuth;
            if (i > 0)
            {
                walls.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        process.Refresh();
        return (Stats.Median(walls), (process.TotalProcessorTime.TotalMilliseconds - cpu0) / count);
    }
}
