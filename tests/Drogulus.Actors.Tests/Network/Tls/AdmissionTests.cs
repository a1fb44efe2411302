using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;
using Drogulus.Core.Limits;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

using static Drogulus.Actors.Tests.Network.Tls.TlsTestServer;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// PROTOCOL §5, admission: a partial hello holds no turn and is closed at hello-timeout, accepts take turns address
/// group by address group, and the connections accepted from one group are bounded. Over TLS on 127.0.0.1.
/// </summary>
public sealed class AdmissionTests : TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60); // a ceiling: each wait ends with its event

    public AdmissionTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Fact]
    public async Task Transport_should_not_give_the_turn_to_handshake_to_a_connection_whose_first_record_is_not_whole()
    {
        var server = await StartAsync(Settings("max-concurrent-handshakes = 1\nhandshake-timeout = 1h\nhello-timeout = 1h"));
        using var stalled = new TcpClient();
        await stalled.ConnectAsync(IPAddress.Loopback, server.Port);

        // The header of a 512-byte handshake record and 100 of its bytes, then nothing.
        await stalled.GetStream().WriteAsync((byte[])[0x16, 0x03, 0x01, 0x02, 0x00, .. new byte[100]]);

        // Had the stalled hello taken the only turn, this handshake would wait an hour for it.
        await AssertStillAnswersAsync(server, "after-stalled-hello");
    }

    [Fact]
    public async Task Connection_should_close_at_hello_timeout_when_its_first_record_never_arrives_whole()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var server = await StartAsync(Settings("handshake-timeout = 1h\nhello-timeout = 1s"));
        using var stalled = new TcpClient();
        await stalled.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = stalled.GetStream();
        await stream.WriteAsync((byte[])[0x16, 0x03, 0x01]);

        var warning = await warnings.FishForMessageAsync<Warning>(w => w.Message.ToString()!.Contains("hello-timeout", StringComparison.Ordinal), Bound);

        Assert.Contains("first TLS record did not arrive whole", warning.Message.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await ReadToEndAsync(stream));
    }

    [Fact]
    public async Task Transport_should_close_at_once_an_accepted_connection_from_a_group_that_has_max_accepted_per_group()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));

        // Without the exemption, 127.0.0.1 is counted as the group 127.0.0.0/24.
        var server = await StartAsync(Settings("diversity-exempt-private = off\nmax-accepted-per-group = 2\nlog-warning-interval = 1h"));
        await using var first = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await using var second = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var third = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
            await third.SendAsync(new PingMessage("third", third.Identity.Id, 0, "1.0"));
            await third.ReceiveAsync();
        });

        var warning = await warnings.FishForMessageAsync<Warning>(w => w.Message.ToString()!.Contains("max-accepted-per-group", StringComparison.Ordinal), Bound);
        Assert.Contains("127.0.0.0/24", warning.Message.ToString(), StringComparison.Ordinal);
        await second.SendAsync(new PingMessage("second", second.Identity.Id, 0, "1.0"));
        var inbound = await server.Node.FishForMessageAsync<InboundRequest>(r => r.Request.Uuid == "second", Bound);
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, new PongMessage("", Key.Zero, 0, "")));
        Assert.Equal("second", Assert.IsType<PongMessage>(await second.ReceiveAsync()).Uuid);
    }

    [Fact]
    public async Task Transport_should_close_a_stalled_hello_rather_than_an_established_idle_connection_to_make_room()
    {
        // PROTOCOL §5, admission: a peer that sends part of a hello and stalls holds nothing but its socket, so it never
        // costs an established peer its connection, even one idle longer (issue 21: it did in the attack table).
        var server = await StartAsync(Settings("max-connections = 2\nhandshake-timeout = 1h\nhello-timeout = 1h"));
        await using var established = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await PingAsync(server, established, "before");
        using var stalled = new TcpClient();
        await stalled.ConnectAsync(IPAddress.Loopback, server.Port);
        await stalled.GetStream().WriteAsync((byte[])[0x16, 0x03, 0x01]);
        await AwaitConditionAsync(async () => (await AdmissionAsync()).Count == 2, Bound);

        // A third connection needs room: the established connection has been idle longest, but the stalled hello goes.
        await using var newcomer = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await PingAsync(server, newcomer, "newcomer");

        Assert.Equal(0, await ReadToEndAsync(stalled.GetStream()));
        await PingAsync(server, established, "after");
    }

    private async Task PingAsync(TlsTestServer server, RawTlsClient client, string uuid)
    {
        await client.SendAsync(new PingMessage(uuid, client.Identity.Id, 0, "1.0"));
        var inbound = await server.Node.FishForMessageAsync<InboundRequest>(r => r.Request.Uuid == uuid, Bound);
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, new PongMessage("", Key.Zero, 0, "")));
        Assert.Equal(uuid, Assert.IsType<PongMessage>(await client.ReceiveAsync()).Uuid);
    }

    private Task<AdmissionActor.State> AdmissionAsync() =>
        AdmissionExtension.Get(Sys).Ask<AdmissionActor.State>(AdmissionActor.GetState.Instance, Bound);

    private async Task AssertStillAnswersAsync(TlsTestServer server, string uuid)
    {
        await using var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await PingAsync(server, client, uuid);
    }

    // Reads until the server closes (0) or resets (an IOException counts as closed); fails past the bound.
    private static async Task<int> ReadToEndAsync(NetworkStream stream)
    {
        using var cts = new CancellationTokenSource(Bound);
        var buffer = new byte[1024];
        try
        {
            while (await stream.ReadAsync(buffer, cts.Token) is var n && n > 0)
            {
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private Task<TlsTestServer> StartAsync(Drogulus.Actors.Configuration.DrogulusSettings settings) => TlsTestServer.StartAsync(this, settings, Bound);
}
