using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Drogulus.Actors.Network;

namespace Drogulus.PeerBench;

/// <summary>
/// What TLS alone allows on this machine: round trips over one loopback TCP connection wrapped in SslStream,
/// TLS 1.3 with mutual authentication by self-signed ECDSA P-256 certificates (the node's identities and
/// options, PROTOCOL §5), no actors. Each frame is a 4-byte length and a payload, together the size of a node ping frame.
/// </summary>
internal sealed class RawTlsPingPong : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly TcpClient _client;
    private readonly SslStream _clientTls;
    private readonly Task _server;
    private readonly int _payload;

    private RawTlsPingPong(TcpListener listener, TcpClient client, SslStream clientTls, Task server, int payload)
    {
        _listener = listener;
        _client = client;
        _clientTls = clientTls;
        _server = server;
        _payload = payload;
    }

    /// <summary>Opens the connection and completes the handshake (not measured).</summary>
    public static async Task<RawTlsPingPong> Open(int payload)
    {
        var now = DateTimeOffset.UtcNow;
        var serverIdentity = NodeIdentity.Generate(now);
        var clientIdentity = NodeIdentity.Generate(now);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        var serverSocket = await accepted;
        serverSocket.NoDelay = true;

        var serverTls = new SslStream(serverSocket.GetStream(), leaveInnerStreamOpen: false);
        var clientTls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        var serverAuth = serverTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(serverIdentity.Certificate, null, offline: true),
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
        });
        await clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "drogulus-node",
            ClientCertificateContext = SslStreamCertificateContext.Create(clientIdentity.Certificate, null, offline: true),
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && NodeIdentity.IdOf(certificate) == serverIdentity.Id,
        });
        await serverAuth;
        var server = Task.Run(() => Echo(serverTls, payload));
        return new RawTlsPingPong(listener, client, clientTls, server, payload);
    }

    /// <summary>
    /// Round trips per second with <paramref name="inFlight"/> requests outstanding, over
    /// <paramref name="duration"/>. Both ends coalesce: whatever whole frames one read brings are answered
    /// (or followed by as many new requests) in one write, as a batching transport may.
    /// </summary>
    public async Task<double> RoundTrips(int inFlight, TimeSpan duration)
    {
        var frameSize = 4 + _payload;
        var frames = Frames(inFlight, _payload);
        var buffer = new byte[64 * 1024];
        await _clientTls.WriteAsync(frames.AsMemory(0, inFlight * frameSize));
        long written = inFlight;
        long replies = 0;
        var carry = 0;
        var clock = Stopwatch.StartNew();
        var counted = -1L;
        var elapsed = 0.0;
        while (replies < written)
        {
            var read = await _clientTls.ReadAsync(buffer);
            if (read == 0)
            {
                throw new EndOfStreamException("the echo side closed");
            }

            var whole = (carry + read) / frameSize;
            carry = (carry + read) % frameSize;
            replies += whole;
            if (counted < 0 && clock.Elapsed >= duration)
            {
                counted = replies;
                elapsed = clock.Elapsed.TotalSeconds;
            }

            if (counted < 0 && whole > 0)
            {
                await _clientTls.WriteAsync(frames.AsMemory(0, whole * frameSize));
                written += whole;
            }
        }

        return counted / elapsed;
    }

    private static byte[] Frames(int count, int payload)
    {
        var frames = new byte[count * (4 + payload)];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(frames.AsSpan(i * (4 + payload)), payload);
        }

        return frames;
    }

    private static async Task Echo(SslStream tls, int payload)
    {
        var frameSize = 4 + payload;
        var buffer = new byte[64 * 1024];
        var frames = Frames(buffer.Length / frameSize + 1, payload);
        var carry = 0;
        try
        {
            int read;
            while ((read = await tls.ReadAsync(buffer)) > 0)
            {
                var whole = (carry + read) / frameSize;
                carry = (carry + read) % frameSize;
                if (whole > 0)
                {
                    await tls.WriteAsync(frames.AsMemory(0, whole * frameSize));
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
        finally
        {
            await tls.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _clientTls.DisposeAsync();
        _client.Dispose();
        await _server.WaitAsync(TimeSpan.FromSeconds(5));
        _listener.Stop();
    }
}
