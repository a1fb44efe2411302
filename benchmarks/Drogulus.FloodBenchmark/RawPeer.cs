using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Drogulus.Actors.Network;
using Drogulus.Core.Wire;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// A hand-driven peer of the admission attack: a TCP connection from a chosen 127/8 source address (Linux lets a
/// socket bind any of them, so each 127.G.X.0/24 is an address group of its own to a node with
/// diversity-exempt-private off), optionally a mutual TLS 1.3 handshake with a node identity, then any bytes or
/// netstring frames. Nothing here retries: the attackers and the probe count each failure as the node's answer.
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetstringFramer _framer = new(1024 * 1024);
    private readonly Queue<ReadOnlyMemory<byte>> _frames = new();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private SslStream? _ssl;

    private RawPeer(Socket socket) => _socket = socket;

    /// <summary>The TLS stream once <see cref="HandshakeAsync"/> has succeeded.</summary>
    public SslStream Ssl => _ssl ?? throw new InvalidOperationException("no handshake yet");

    /// <summary>The plain TCP stream (before or instead of a handshake).</summary>
    public NetworkStream Tcp { get; private set; } = null!;

    /// <summary>Connects from <paramref name="source"/> (port 0) to <paramref name="target"/>.</summary>
    public static async Task<RawPeer> ConnectAsync(IPAddress source, IPEndPoint target, CancellationToken token)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(target, token);
            return new RawPeer(socket) { Tcp = new NetworkStream(socket, ownsSocket: false) };
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects and handshakes as <paramref name="identity"/>. A distinct <paramref name="serverName"/> per connection
    /// keeps the client from resuming an earlier session (the node does not read the name), so that each costs a full handshake.
    /// </summary>
    public static async Task<RawPeer> OpenAsync(IPAddress source, IPEndPoint target, SslStreamCertificateContext identity, string serverName, CancellationToken token)
    {
        var peer = await ConnectAsync(source, target, token);
        try
        {
            await peer.HandshakeAsync(identity, serverName, token);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    public async Task HandshakeAsync(SslStreamCertificateContext identity, string serverName, CancellationToken token)
    {
        _ssl = new SslStream(Tcp, leaveInnerStreamOpen: true);
        await _ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                ClientCertificateContext = identity,
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
            },
            token);
    }

    public async Task SendAsync(Message message, CancellationToken token)
    {
        await Ssl.WriteAsync(NetstringFramer.Frame(MessageCodec.Encode(message)), token);
        await Ssl.FlushAsync(token);
    }

    /// <summary>The reply to <paramref name="uuid"/>, past any request of the node's own; throws when the connection closes first.</summary>
    public async Task<Message> ReceiveAsync(string uuid, CancellationToken token)
    {
        while (true)
        {
            var message = await NextAsync(token);
            if (message.Uuid == uuid)
            {
                return message;
            }
        }
    }

    private async Task<Message> NextAsync(CancellationToken token)
    {
        while (_frames.Count == 0)
        {
            var n = await Ssl.ReadAsync(_buffer, token);
            if (n == 0)
            {
                throw new IOException("the node closed the connection");
            }

            var frames = new List<ReadOnlyMemory<byte>>();
            if (!_framer.Feed(_buffer.AsSpan(0, n), frames).IsOk)
            {
                throw new IOException("the node sent a frame that is not a netstring");
            }

            frames.ForEach(_frames.Enqueue);
        }

        var decoded = MessageCodec.Decode(_frames.Dequeue());
        return decoded.Message ?? throw new IOException($"the node sent a message that does not decode: {decoded}");
    }

    /// <summary>Reads (and drops) until the node closes the connection, or <paramref name="token"/> ends the wait: true when the node closed it.</summary>
    public async Task<bool> WaitClosedAsync(CancellationToken token)
    {
        Stream stream = _ssl is null ? Tcp : _ssl;
        try
        {
            while (await stream.ReadAsync(_buffer, token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or ObjectDisposedException)
        {
            return !token.IsCancellationRequested;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ssl is not null)
        {
            try
            {
                await _ssl.DisposeAsync();
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        }

        Tcp?.Dispose();
        _socket.Dispose();
    }
}
