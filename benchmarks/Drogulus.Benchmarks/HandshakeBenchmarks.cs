using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;

namespace Drogulus.Benchmarks;

/// <summary>
/// Issue 9 (join storm): what a new TLS connection between two nodes costs, both ends in this process over 127.0.0.1,
/// with the node's own TLS options: TCP connect and accept, both handshakes, one byte each way. A first contact
/// finds no session for the node it dials; a reconnection to a node met before resumes its TLS 1.3 session. One
/// connection to each node stays open throughout, as in a running network, so that SslStream keeps every node's TLS
/// context (it frees contexts no connection uses): neither case pays for creating one.
/// Run: <c>dotnet run -c Release --project benchmarks/Drogulus.Benchmarks -- --filter '*Handshake*'</c>.
/// </summary>
[MemoryDiagnoser]
public class HandshakeBenchmarks
{
    // More nodes than the 500 sessions SslStream keeps per identity, dialled in turn: each dial is a first contact.
    private const int Strangers = 1024;

    private readonly List<(NodeIdentity Identity, TlsCredentials Credentials)> _nodes = [];
    private readonly List<IDisposable> _warm = [];
    private NodeIdentity _dialler = null!;
    private TlsCredentials _dialling = null!;
    private TcpListener _listener = null!;
    private int _next;

    /// <summary>Generates the identities and listens on 127.0.0.1 port 0.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        _dialler = NodeIdentity.Generate(now);
        _dialling = new TlsCredentials(_dialler);
        for (var i = 0; i < Strangers; i++)
        {
            var identity = NodeIdentity.Generate(now);
            _nodes.Add((identity, new TlsCredentials(identity)));
        }

        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        foreach (var node in _nodes)
        {
            _warm.AddRange(OpenAsync(node).GetAwaiter().GetResult());
        }
    }

    /// <summary>Stops listening and releases the keys.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var connection in _warm)
        {
            connection.Dispose();
        }

        _listener.Stop();
        _dialler.Dispose();
        foreach (var (identity, _) in _nodes)
        {
            identity.Dispose();
        }
    }

    /// <summary>A dial to a node this identity has no session with: the full handshake.</summary>
    [Benchmark(Baseline = true)]
    public Task FirstContact() => ConnectAsync(_nodes[_next++ % Strangers]);

    /// <summary>A dial to the node dialled just before: its session is resumed.</summary>
    [Benchmark]
    public Task MetBefore() => ConnectAsync(_nodes[0]);

    private async Task ConnectAsync((NodeIdentity Identity, TlsCredentials Credentials) node)
    {
        foreach (var part in await OpenAsync(node))
        {
            part.Dispose();
        }
    }

    /// <summary>One connection to <paramref name="node"/>, a byte each way; its parts, to dispose.</summary>
    private async Task<IDisposable[]> OpenAsync((NodeIdentity Identity, TlsCredentials Credentials) node)
    {
        var client = new TcpClient();
        var accepting = _listener.AcceptTcpClientAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_listener.LocalEndpoint).Port);
        var accepted = await accepting;
        var dialler = new SslStream(client.GetStream());
        var listener = new SslStream(accepted.GetStream());
        await Task.WhenAll(
            dialler.AuthenticateAsClientAsync(_dialling.Client(node.Identity.Id)),
            listener.AuthenticateAsServerAsync(node.Credentials.Server()));
        var one = new byte[1];
        await dialler.WriteAsync(one);
        await listener.ReadExactlyAsync(one);
        await listener.WriteAsync(one);
        await dialler.ReadExactlyAsync(one);
        return [dialler, listener, client, accepted];
    }
}
