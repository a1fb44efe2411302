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
/// options, PROTOCOL §5), no actors. Each frame is a 4-byte length and a payload the size of a node ping.
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

    /// <summary>Round trips per second with <paramref name="inFlight"/> requests outstanding, over <paramref name="duration"/>.</summary>
    public async Task<double> RoundTrips(int inFlight, TimeSpan duration)
    {
        var frame = new byte[4 + _payload];
        BinaryPrimitives.WriteInt32BigEndian(frame, _payload);
        var window = new SemaphoreSlim(inFlight, inFlight);
        using var stop = new CancellationTokenSource();
        long sent = 0;
        long replies = 0;
        var writer = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await window.WaitAsync(stop.Token);

                    // Counted before the write, so that the reader drains every reply before the next run.
                    Interlocked.Increment(ref sent);
                    await _clientTls.WriteAsync(frame);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[frame.Length];
            while (!stop.IsCancellationRequested || Interlocked.Read(ref replies) < Interlocked.Read(ref sent))
            {
                await _clientTls.ReadExactlyAsync(buffer);
                Interlocked.Increment(ref replies);
                window.Release();
            }
        });
        var clock = Stopwatch.StartNew();
        await Task.Delay(duration);
        var counted = Interlocked.Read(ref replies);
        var elapsed = clock.Elapsed.TotalSeconds;
        stop.Cancel();
        await writer;
        await reader.WaitAsync(TimeSpan.FromSeconds(10));
        return counted / elapsed;
    }

    private static async Task Echo(SslStream tls, int payload)
    {
        var buffer = new byte[4 + payload];
        try
        {
            while (true)
            {
                await tls.ReadExactlyAsync(buffer);
                await tls.WriteAsync(buffer);
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException)
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
