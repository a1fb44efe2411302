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
    private Task _server = Task.CompletedTask;
    private readonly int _payload;
    private volatile bool _coalesce;

    private RawTlsPingPong(TcpListener listener, TcpClient client, SslStream clientTls, int payload)
    {
        _listener = listener;
        _client = client;
        _clientTls = clientTls;
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
        var pingPong = new RawTlsPingPong(listener, client, clientTls, payload);
        pingPong._server = Task.Run(() => pingPong.Echo(serverTls));
        return pingPong;
    }

    /// <summary>
    /// Round trips per second with <paramref name="inFlight"/> requests outstanding, over
    /// <paramref name="duration"/>. With <paramref name="coalesce"/>, both ends answer whatever whole frames
    /// one read brings (or follow them with as many new requests) in one write, as a batching transport may;
    /// without, every frame is its own write and so its own TLS record.
    /// </summary>
    public async Task<(double Rate, long Count)> RoundTrips(int inFlight, TimeSpan duration, bool coalesce)
    {
        _coalesce = coalesce;
        var frameSize = 4 + _payload;
        var frames = Frames(inFlight, _payload);
        var buffer = new byte[64 * 1024];
        await Write(_clientTls, frames, inFlight, frameSize, coalesce);
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
                await Write(_clientTls, frames, whole, frameSize, coalesce);
                written += whole;
            }
        }

        return (counted / elapsed, counted);
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

    private static async Task Write(SslStream tls, byte[] frames, int count, int frameSize, bool coalesce)
    {
        if (coalesce)
        {
            await tls.WriteAsync(frames.AsMemory(0, count * frameSize));
            return;
        }

        for (var i = 0; i < count; i++)
        {
            await tls.WriteAsync(frames.AsMemory(i * frameSize, frameSize));
        }
    }

    private async Task Echo(SslStream tls)
    {
        var frameSize = 4 + _payload;
        var buffer = new byte[64 * 1024];
        var frames = Frames(buffer.Length / frameSize + 1, _payload);
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
                    await Write(tls, frames, whole, frameSize, _coalesce);
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
