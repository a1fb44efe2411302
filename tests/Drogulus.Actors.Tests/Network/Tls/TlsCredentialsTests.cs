using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;

namespace Drogulus.Actors.Tests.Network.Tls;

public sealed class TlsCredentialsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    // Issue 13: the chain SslStream builds for a peer's self-signed certificate is ignored (only the key's hash
    // counts), so it is built against an empty custom root store instead of the system store: a third less CPU
    // per handshake.
    [Fact]
    public void Options_should_build_peer_chains_without_the_system_store_when_dialling_or_accepting()
    {
        using var identity = NodeIdentity.Generate(Now);
        var credentials = new TlsCredentials(identity);

        var policies = new[] { credentials.Client(Key.Hash([1])).CertificateChainPolicy, credentials.Server().CertificateChainPolicy };

        Assert.All(policies, policy =>
        {
            Assert.NotNull(policy);
            Assert.Equal(X509ChainTrustMode.CustomRootTrust, policy.TrustMode);
            Assert.Empty(policy.CustomTrustStore);
            Assert.Equal(X509RevocationMode.NoCheck, policy.RevocationMode);
            Assert.True(policy.DisableCertificateDownloads);
        });
    }

    // Issue 9 (join storm): a reconnection to a node met before resumes its TLS 1.3 session (the hello offers a
    // pre-shared key, extension 41) and still proves both ids; a session is never offered to another node.
    [Fact]
    public async Task Dial_should_resume_its_session_only_with_the_node_it_was_made_with_and_still_learn_both_ids()
    {
        using var a = NodeIdentity.Generate(Now);
        using var b = NodeIdentity.Generate(Now);
        using var c = NodeIdentity.Generate(Now);
        var (dialler, first, second) = (new TlsCredentials(a), new TlsCredentials(b), new TlsCredentials(c));

        // The connections stay open to the end: SslStream frees a cached TLS context (and the sessions it keeps) once
        // no connection uses it, whenever specs running beside this one create contexts.
        var open = new List<IAsyncDisposable>();
        var met = await HandshakeAsync(dialler, b.Id, first, open);
        var again = await HandshakeAsync(dialler, b.Id, first, open);
        var other = await HandshakeAsync(dialler, c.Id, second, open);
        foreach (var connection in open)
        {
            await connection.DisposeAsync();
        }

        Assert.DoesNotContain(PreSharedKey, met.HelloExtensions);
        Assert.Contains(PreSharedKey, again.HelloExtensions);
        Assert.DoesNotContain(PreSharedKey, other.HelloExtensions);
        Assert.Equal((a.Id, b.Id), (again.ServerLearnt, again.ClientLearnt));
        Assert.Equal((a.Id, c.Id), (other.ServerLearnt, other.ClientLearnt));

        // Issue 21: what the dialler read until its handshake completed tells a resumed session from a full one
        // (drogulus.tls.dials counts the share of reconnections that resumed).
        Assert.False(TlsResumption.IsResumed(met.ReadByDialler, met.ServerCertificateLength));
        Assert.True(TlsResumption.IsResumed(again.ReadByDialler, again.ServerCertificateLength));
        Assert.False(TlsResumption.IsResumed(other.ReadByDialler, other.ServerCertificateLength));
    }

    [Fact]
    public void Dialled_should_say_whether_a_dial_to_the_peer_completed_before()
    {
        using var identity = NodeIdentity.Generate(Now);
        var credentials = new TlsCredentials(identity);

        Assert.False(credentials.Dialled(Key.Hash([1])));
        Assert.True(credentials.Dialled(Key.Hash([1])));
        Assert.False(credentials.Dialled(Key.Hash([2])));
    }

    [Fact]
    public void ServerName_should_be_a_valid_host_name_naming_the_whole_expected_id()
    {
        var id = Key.Hash([7]);

        var name = TlsCredentials.ServerName(id);

        var labels = name.Split('.');
        Assert.Equal(6, labels.Length);
        Assert.All(labels, label => Assert.InRange(label.Length, 1, 63));
        Assert.Equal(id.ToString(), string.Concat(labels[..4]));
        Assert.Equal("drogulus-node", TlsCredentials.ServerName(null));
    }

    private const int PreSharedKey = 41;

    private sealed record Handshake(IReadOnlyList<int> HelloExtensions, Key ServerLearnt, Key ClientLearnt, long ReadByDialler, int ServerCertificateLength);

    /// <summary>
    /// One TLS connection over 127.0.0.1 port 0 from <paramref name="dialler"/> to <paramref name="listener"/>,
    /// expecting <paramref name="expected"/>; a byte each way, so that the client has read the server's session
    /// tickets. Both ends are added to <paramref name="open"/>, still open.
    /// </summary>
    private static async Task<Handshake> HandshakeAsync(TlsCredentials dialler, Key expected, TlsCredentials listener, List<IAsyncDisposable> open)
    {
        var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        try
        {
            var client = new TcpClient();
            var accepting = tcp.AcceptTcpClientAsync();
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)tcp.LocalEndpoint).Port);
            var accepted = await accepting;
            var recording = new RecordingStream(client.GetStream());
            var clientSsl = new SslStream(recording);
            var serverSsl = new SslStream(accepted.GetStream());
            open.Add(clientSsl);
            open.Add(serverSsl);
            await Task.WhenAll(
                clientSsl.AuthenticateAsClientAsync(dialler.Client(expected)),
                serverSsl.AuthenticateAsServerAsync(listener.Server()));
            var readByDialler = recording.BytesRead;
            var one = new byte[1];
            await clientSsl.WriteAsync(one);
            await serverSsl.ReadExactlyAsync(one);
            await serverSsl.WriteAsync(one);
            await clientSsl.ReadExactlyAsync(one);
            return new Handshake(
                ExtensionTypes(recording.Written.ToArray()),
                NodeIdentity.IdOf(serverSsl.RemoteCertificate!),
                NodeIdentity.IdOf(clientSsl.RemoteCertificate!),
                readByDialler,
                TlsResumption.LengthOf(clientSsl.RemoteCertificate!));
        }
        finally
        {
            tcp.Stop();
        }
    }

    /// <summary>The extension types of the ClientHello that starts <paramref name="written"/> (RFC 8446 §4.1.2).</summary>
    private static List<int> ExtensionTypes(byte[] written)
    {
        var at = 5 + 4 + 2 + 32; // record header, handshake header, legacy version, random
        at += 1 + written[at]; // legacy session id
        at += 2 + ((written[at] << 8) | written[at + 1]); // cipher suites
        at += 1 + written[at]; // legacy compression methods
        var end = at + 2 + ((written[at] << 8) | written[at + 1]);
        var types = new List<int>();
        for (at += 2; at < end; at += 4 + ((written[at + 2] << 8) | written[at + 3]))
        {
            types.Add((written[at] << 8) | written[at + 1]);
        }

        return types;
    }

    /// <summary>A stream that keeps a copy of every byte written through it.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        public MemoryStream Written { get; } = new();

        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));

        public override void Write(byte[] buffer, int offset, int count)
        {
            Written.Write(buffer, offset, count);
            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written.Write(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        private int Counted(int read)
        {
            BytesRead += read;
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
