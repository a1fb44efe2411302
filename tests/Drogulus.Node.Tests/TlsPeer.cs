using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Drogulus.Actors.Network;
using Drogulus.Core.Wire;

namespace Drogulus.Node.Tests;

/// <summary>
/// A well-behaved peer of a <c>drogulus-node</c> for the process specs: one TLS 1.3 connection with its own node
/// identity (PROTOCOL §5), which pings and reads the pong. A minimal copy of the Actors specs' RawTlsClient.
/// </summary>
internal sealed class TlsPeer : IAsyncDisposable
{
    // Guards against a hung node only; nothing is asserted about time.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly TcpClient _tcp;
    private readonly SslStream _ssl;
    private readonly NetstringFramer _framer = new(1024 * 1024);
    private readonly Queue<ReadOnlyMemory<byte>> _frames = new();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _pings;

    private TlsPeer(TcpClient tcp, SslStream ssl, NodeIdentity identity)
    {
        _tcp = tcp;
        _ssl = ssl;
        Identity = identity;
    }

    public NodeIdentity Identity { get; }

    public static async Task<TlsPeer> ConnectAsync(int port, NodeIdentity identity)
    {
        var tcp = new TcpClient();
        try
        {
            using var cts = new CancellationTokenSource(Bound);
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
            return new TlsPeer(tcp, ssl, identity);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends a ping and returns the pong that answers it; throws when the connection closes or nothing comes.</summary>
    public async Task<PongMessage> PingAsync()
    {
        var uuid = $"ping-{++_pings}";
        using var cts = new CancellationTokenSource(Bound);
        await _ssl.WriteAsync(NetstringFramer.Frame(MessageCodec.Encode(new PingMessage(uuid, Identity.Id, 0, "1.0"))), cts.Token);
        await _ssl.FlushAsync(cts.Token);
        while (true)
        {
            while (_frames.Count == 0)
            {
                var n = await _ssl.ReadAsync(_buffer, cts.Token);
                if (n == 0)
                {
                    throw new IOException("The node closed the connection before the pong arrived.");
                }

                var frames = new List<ReadOnlyMemory<byte>>();
                Assert.True(_framer.Feed(_buffer.AsSpan(0, n), frames).IsOk);
                frames.ForEach(_frames.Enqueue);
            }

            var decoded = MessageCodec.Decode(_frames.Dequeue());
            Assert.True(decoded.IsSuccess, decoded.ToString());
            if (decoded.Message is PongMessage pong && pong.Uuid == uuid)
            {
                return pong;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _ssl.DisposeAsync();
        }
        catch (IOException)
        {
        }

        _tcp.Dispose();
    }
}
