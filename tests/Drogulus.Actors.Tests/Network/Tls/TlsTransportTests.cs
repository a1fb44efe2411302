using System.Buffers;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

using static Drogulus.Actors.Tests.Network.Tls.TlsTestServer;

namespace Drogulus.Actors.Tests.Network.Tls;

public sealed class TlsTransportTests : TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60); // a ceiling: each wait ends with its event

    public TlsTransportTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Fact]
    public async Task Connection_should_answer_error_1_and_close_when_the_frame_is_garbage()
    {
        var server = await StartAsync(Settings());
        await using var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());

        await client.SendRawAsync("hello, world"u8.ToArray());

        var error = Assert.IsType<ErrorMessage>(await client.ReceiveAsync());
        Assert.Equal(ErrorCode.BadRequest, error.Code);
        Assert.Equal(server.Identity.Id, error.Node);
        Assert.True(await client.WaitClosedAsync());
    }

    [Fact]
    public async Task Connection_should_answer_error_4_and_close_when_the_length_is_above_max_frame_size()
    {
        var server = await StartAsync(Settings("max-frame-size = 64 KiB, max-item-size = 48 KiB"));
        await using var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());

        // Only the header: the payload is never sent, so the answer proves it was not waited for.
        await client.SendRawAsync("65537:"u8.ToArray());

        var error = Assert.IsType<ErrorMessage>(await client.ReceiveAsync());
        Assert.Equal(ErrorCode.RequestTooBig, error.Code);
        Assert.Equal("Request too big", error.Title);
        Assert.True(await client.WaitClosedAsync());
    }

    [Fact]
    public async Task Connection_should_answer_error_2_with_each_bad_field_and_stay_usable_when_fields_have_wrong_types()
    {
        var server = await StartAsync(Settings());
        await using var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());

        await client.SendPayloadAsync(PingWithWrongTypes("bad-1"));

        var error = Assert.IsType<ErrorMessage>(await client.ReceiveAsync());
        Assert.Equal(ErrorCode.UnknownRequest, error.Code);
        Assert.Equal("bad-1", error.Uuid);
        Assert.Equal("Invalid value.", error.Details["node"]);
        Assert.Equal("Invalid value.", error.Details["reply_port"]);

        await client.SendAsync(new PingMessage("good-1", client.Identity.Id, 0, "1.0"));
        var inbound = await server.Node.ExpectMsgAsync<InboundRequest>(Bound);
        Assert.Equal(client.Identity.Id, inbound.From.Id);
        Assert.Equal("127.0.0.1", inbound.From.Address);
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, new PongMessage("", Key.Zero, 0, "")));

        var pong = Assert.IsType<PongMessage>(await client.ReceiveAsync());
        Assert.Equal("good-1", pong.Uuid);
        Assert.Equal(server.Identity.Id, pong.Node);
        Assert.Equal(server.Port, pong.ReplyPort);
    }

    [Fact]
    public async Task Connection_should_answer_error_1_and_close_when_node_is_not_the_tls_identity()
    {
        var server = await StartAsync(Settings());
        await using var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());

        await client.SendAsync(new PingMessage("spoof-1", Key.Random(new Random(7)), 0, "1.0"));

        var error = Assert.IsType<ErrorMessage>(await client.ReceiveAsync());
        Assert.Equal(ErrorCode.BadRequest, error.Code);
        Assert.Equal("spoof-1", error.Uuid);
        Assert.Equal("does not match the TLS identity", error.Details["node"]);
        Assert.True(await client.WaitClosedAsync());
        await server.Node.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Request_should_fail_as_connection_failed_when_the_dialled_contact_presents_another_key()
    {
        var a = await StartAsync(Settings());
        var b = await StartAsync(Settings());
        var requester = CreateTestProbe();
        var wrongId = Key.Random(new Random(11));
        var to = new PeerAddress("127.0.0.1", b.Port, wrongId);

        a.Transport.Tell(new SendRequest(to, new PingMessage("", Key.Zero, 0, ""), requester.Ref));

        var failed = await requester.ExpectMsgAsync<RpcFailed>(Bound);
        Assert.Equal(RpcFailure.ConnectionFailed, failed.Failure);
        Assert.Equal(to, failed.To);
        Assert.Equal(wrongId, (await a.Node.ExpectMsgAsync<PeerFailed>(Bound)).Id);
    }

    [Fact]
    public async Task Request_should_get_the_reply_and_reuse_the_connection_when_the_contact_proves_its_id()
    {
        var a = await StartAsync(Settings());
        var b = await StartAsync(Settings());
        var requester = CreateTestProbe();
        var to = new PeerAddress("127.0.0.1", b.Port, b.Identity.Id);

        for (var i = 0; i < 2; i++)
        {
            a.Transport.Tell(new SendRequest(to, new PingMessage("", Key.Zero, 0, ""), requester.Ref));
            var inbound = await b.Node.ExpectMsgAsync<InboundRequest>(Bound);
            Assert.Equal(a.Identity.Id, inbound.From.Id);
            Assert.Equal(a.Port, inbound.From.ReplyPort);
            inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, new PongMessage("", Key.Zero, 0, "")));

            var replied = await requester.ExpectMsgAsync<RpcReplied>(Bound);
            Assert.IsType<PongMessage>(replied.Reply);
            Assert.Equal(b.Identity.Id, replied.Peer.Id);
            Assert.Equal(b.Identity.Id, (await a.Node.ExpectMsgAsync<PeerSeen>(Bound)).Peer.Id);
        }

        b.Transport.Tell(GetConnectionCount.Instance, TestActor);
        Assert.Equal(1, await ExpectMsgAsync<int>(Bound));

        // b answers over the connection a opened rather than dialling a.
        var backwards = new PeerAddress("127.0.0.1", 1, a.Identity.Id);
        b.Transport.Tell(new SendRequest(backwards, new PingMessage("", Key.Zero, 0, ""), requester.Ref));
        var request = await a.Node.ExpectMsgAsync<InboundRequest>(Bound);
        request.Connection.Tell(new SendReply(request.From, request.Request.Uuid, new PongMessage("", Key.Zero, 0, "")));
        Assert.IsType<PongMessage>((await requester.ExpectMsgAsync<RpcReplied>(Bound)).Reply);
    }

    [Fact]
    public async Task Connection_should_close_when_the_client_never_handshakes_within_handshake_timeout()
    {
        var server = await StartAsync(Settings("handshake-timeout = 1s"));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Port);

        using var cts = new CancellationTokenSource(Bound);
        var read = await ReadOrReset(tcp.GetStream(), cts.Token);

        Assert.Equal(0, read);
    }

    [Fact]
    public async Task Connection_should_close_when_half_a_frame_is_followed_by_silence_for_idle_timeout()
    {
        var server = await StartAsync(Settings("idle-timeout = 1s"));
        await using var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());

        await client.SendRawAsync("100:half a frame"u8.ToArray());

        Assert.True(await client.WaitClosedAsync());
    }

    [Fact]
    public async Task Request_should_fail_at_once_when_the_peer_disconnects_while_it_is_pending()
    {
        var server = await StartAsync(Settings("request-timeout = 60s"));
        var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await client.SendAsync(new PingMessage("hello", client.Identity.Id, 0, "1.0"));
        await server.Node.ExpectMsgAsync<InboundRequest>(Bound);
        var requester = CreateTestProbe();

        // The client accepts no connections, so the request can only travel on the connection it opened.
        var to = new PeerAddress("127.0.0.1", 1, client.Identity.Id);
        server.Transport.Tell(new SendRequest(to, new FindNodeMessage("", Key.Zero, 0, "", Key.Zero), requester.Ref));
        Assert.IsType<FindNodeMessage>(await client.ReceiveAsync());
        await client.DisposeAsync();

        var failed = await requester.ExpectMsgAsync<RpcFailed>(Bound);
        Assert.Equal(RpcFailure.ConnectionFailed, failed.Failure);
    }

    private static async Task<int> ReadOrReset(NetworkStream stream, CancellationToken token)
    {
        try
        {
            return await stream.ReadAsync(new byte[256], token);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static byte[] PingWithWrongTypes(string uuid)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = CanonicalMsgPack.CreateWriter(buffer);
        writer.WriteMapHeader(5);
        writer.Write("message");
        writer.Write("ping");
        writer.Write("node");
        writer.Write("not 64 bytes");
        writer.Write("reply_port");
        writer.Write("eighty");
        writer.Write("uuid");
        writer.Write(uuid);
        writer.Write("version");
        writer.Write("1.0");
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private Task<TlsTestServer> StartAsync(DrogulusSettings settings) => TlsTestServer.StartAsync(this, settings, Bound);
}
