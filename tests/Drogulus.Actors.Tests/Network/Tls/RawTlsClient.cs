using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Drogulus.Actors.Network;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>A hand-driven TLS peer for tests: sends any bytes, reads netstring frames, sees the close.</summary>
internal sealed class RawTlsClient : IAsyncDisposable
{
    // A ceiling on waits for the node's answer or close, which end at their event: every spec asserts that one comes,
    // none that it does not, so a generous ceiling costs nothing (5 s ran out under stress-ng --cpu 2).
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    // Connecting only waits: a handshake is milliseconds, but on 2 cores shared with other test assemblies the
    // node's side can wait seconds for a thread; no spec asserts how long a handshake takes.
    private static readonly TimeSpan ConnectBound = TimeSpan.FromSeconds(20);
    private readonly TcpClient _tcp;
    private readonly SslStream _ssl;
    private readonly NetstringFramer _framer = new(16 * 1024 * 1024);
    private readonly Queue<ReadOnlyMemory<byte>> _frames = new();
    private readonly byte[] _buffer = new byte[64 * 1024];

    private RawTlsClient(TcpClient tcp, SslStream ssl, NodeIdentity identity)
    {
        _tcp = tcp;
        _ssl = ssl;
        Identity = identity;
    }

    public NodeIdentity Identity { get; }

    public static async Task<RawTlsClient> ConnectAsync(int port, NodeIdentity identity)
    {
        var tcp = new TcpClient();
        using var cts = new CancellationTokenSource(ConnectBound);
        await tcp.ConnectAsync("127.0.0.1", port, cts.Token);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "drogulus-node",
                ClientCertificateContext = SslStreamCertificateContext.Create(identity.Certificate, null, offline: true),
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
            },
            cts.Token);
        return new RawTlsClient(tcp, ssl, identity);
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(Bound);
        await _ssl.WriteAsync(bytes, cts.Token);
        await _ssl.FlushAsync(cts.Token);
    }

    public Task SendAsync(Message message) => SendPayloadAsync(MessageCodec.Encode(message));

    public Task SendPayloadAsync(byte[] payload) => SendRawAsync(NetstringFramer.Frame(payload));

    /// <summary>The next message; throws when the connection closes or nothing comes within the bound.</summary>
    public async Task<Message> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(Bound);
        while (_frames.Count == 0)
        {
            var n = await _ssl.ReadAsync(_buffer, cts.Token);
            if (n == 0)
            {
                throw new IOException("The connection closed before a frame arrived.");
            }

            var frames = new List<ReadOnlyMemory<byte>>();
            Assert.True(_framer.Feed(_buffer.AsSpan(0, n), frames).IsOk);
            frames.ForEach(_frames.Enqueue);
        }

        var decoded = MessageCodec.Decode(_frames.Dequeue());
        Assert.True(decoded.IsSuccess, decoded.ToString());
        return decoded.Message!;
    }

    /// <summary>True once the peer closes the connection (no more frames may arrive); false if it stays open past the bound.</summary>
    public async Task<bool> WaitClosedAsync()
    {
        using var cts = new CancellationTokenSource(Bound);
        try
        {
            while (true)
            {
                var n = await _ssl.ReadAsync(_buffer, cts.Token);
                if (n == 0)
                {
                    return true;
                }

                Assert.Fail($"{n} more bytes arrived before the close.");
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _ssl.DisposeAsync();
        _tcp.Dispose();
    }
}
