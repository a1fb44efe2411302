using System.Buffers;
using Akka.Actor;
using Akka.Event;
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

/// <summary>
/// The attacks of issue 9 over a raw TLS client on 127.0.0.1 (PROTOCOL §4, §5): each is bounded, and the node
/// keeps answering a well-behaved client.
/// </summary>
public sealed partial class TlsAttackTests : TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60); // a ceiling: each wait ends with its event

    public TlsAttackTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Theory]
    [InlineData("df80000000")]
    [InlineData("dfffffffff")]
    public async Task Connection_should_answer_error_1_and_close_when_a_map32_count_cannot_fit(string header)
    {
        var server = await StartAsync(Settings());
        await using var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());

        await client.SendPayloadAsync(Convert.FromHexString(header + "a7" + "6d657373616765" + "a470696e67"));

        var error = Assert.IsType<ErrorMessage>(await client.ReceiveAsync());
        Assert.Equal(ErrorCode.BadRequest, error.Code);
        Assert.True(await client.WaitClosedAsync());
        await AssertStillAnswersAsync(server);
    }

    [Fact]
    public async Task Connection_should_log_an_unknown_type_escaped_and_truncated_when_it_holds_newline_cr_and_esc()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var server = await StartAsync(Settings());
        await using var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        var forged = "x\n2026-11-30 INFO forged line\r\u001b[2K" + new string('y', 100_000);

        await client.SendPayloadAsync(Message(client.Identity.Id, "u-1", forged));
        var error = Assert.IsType<ErrorMessage>(await client.ReceiveAsync());
        Assert.Equal(ErrorCode.UnknownRequest, error.Code);
        await SyncAsync(server);

        var line = (await warnings.ExpectMsgAsync<Warning>(Bound)).ToString();
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.DoesNotContain('\u001b', line);
        Assert.Contains("x\\n2026-11-30 INFO forged line\\r\\x1b[2K", line, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:", line, StringComparison.Ordinal);
        Assert.Contains(client.Identity.Id.ToShortString(), line, StringComparison.Ordinal);
        Assert.InRange(line.Length, 1, 1000);
        await AssertStillAnswersAsync(server);
    }

    [Fact]
    public async Task Transport_should_write_one_warning_with_a_count_when_many_peers_send_bad_input_within_the_interval()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var server = await StartAsync(Settings("log-warning-interval = 1h"));

        for (var i = 0; i < 12; i++)
        {
            await using var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
            await client.SendPayloadAsync(Message(client.Identity.Id, $"u-{i}", "launch"));
            Assert.Equal(ErrorCode.UnknownRequest, Assert.IsType<ErrorMessage>(await client.ReceiveAsync()).Code);
        }

        await SyncAsync(server);
        Assert.Contains("launch is not a valid message type", (await warnings.ExpectMsgAsync<Warning>(Bound)).ToString(), StringComparison.Ordinal);
        await warnings.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Connections_should_close_at_frame_timeout_when_frames_trickle_in_however_long_idle_timeout_is()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var server = await StartAsync(Settings("frame-timeout = 1s\nidle-timeout = 1h\nlog-warning-interval = 1h"));
        var clients = new List<RawTlsClient>();
        for (var i = 0; i < 20; i++)
        {
            var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
            clients.Add(client);

            // The header of a frame of max-frame-size (128 KiB) and some payload: idle-timeout alone would keep it for an hour.
            await client.SendRawAsync([.. "131072:"u8, .. new byte[4096]]);
        }

        foreach (var client in clients)
        {
            Assert.True(await client.WaitClosedAsync());
            await client.DisposeAsync();
        }

        await SyncAsync(server);
        Assert.Contains("frame-timeout", (await warnings.ExpectMsgAsync<Warning>(Bound)).ToString(), StringComparison.Ordinal);
        await AssertStillAnswersAsync(server);
    }

    [Fact]
    public async Task Transport_should_close_the_connection_idle_longest_when_a_new_one_comes_and_the_budget_is_full()
    {
        var server = await StartAsync(Settings("max-connections = 2"));
        await using var first = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await using var second = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());

        await using var third = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());

        Assert.True(await first.WaitClosedAsync());
        await third.SendAsync(new PingMessage("third", third.Identity.Id, 0, "1.0"));
        var inbound = await server.Node.ExpectMsgAsync<InboundRequest>(Bound);
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, new PongMessage("", Key.Zero, 0, "")));
        Assert.Equal("third", Assert.IsType<PongMessage>(await third.ReceiveAsync()).Uuid);
    }

    [Fact]
    public async Task Transport_should_refuse_an_accept_and_fail_a_dial_when_every_connection_in_the_budget_has_requests_in_flight()
    {
        var server = await StartAsync(Settings("max-connections = 2"));
        await server.AssertFullOfBusyConnectionsAsync(this, 2, "max-connections", Bound);

        await AssertStillAnswersAsync(server);
    }

    private static byte[] Message(Key node, string uuid, string type)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = CanonicalMsgPack.CreateWriter(buffer);
        writer.WriteMapHeader(5);
        writer.Write("message");
        writer.Write(type);
        writer.Write("node");
        writer.Write(node.ToArray());
        writer.Write("reply_port");
        writer.Write(0);
        writer.Write("uuid");
        writer.Write(uuid);
        writer.Write("version");
        writer.Write("1.0");
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A ping from a fresh client is handed to the node and its pong comes back.</summary>
    private async Task AssertStillAnswersAsync(TlsTestServer server)
    {
        await using var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await client.SendAsync(new PingMessage("well-behaved", client.Identity.Id, 0, "1.0"));
        var inbound = await server.Node.FishForMessageAsync<InboundRequest>(m => m.Request.Uuid == "well-behaved", Bound);
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, new PongMessage("", Key.Zero, 0, "")));
        Assert.Equal("well-behaved", Assert.IsType<PongMessage>(await client.ReceiveAsync()).Uuid);
    }

    // Everything the connections told the transport before this call has been handled once it returns.
    private async Task SyncAsync(TlsTestServer server) =>
        await server.Transport.Ask<int>(GetConnectionCount.Instance, Bound);

    private Task<TlsTestServer> StartAsync(DrogulusSettings settings) => TlsTestServer.StartAsync(this, settings, Bound);
}
