using System.Net;
using System.Net.Sockets;
using Akka.Actor;
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
/// Turns to handshake (max-concurrent-handshakes, issue 9): dials and accepts wait their turn apart, an accept asks
/// for one only once its peer spoke, and a request that timed out waiting for a turn blames nobody.
/// </summary>
public sealed class HandshakeTurnTests : TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public HandshakeTurnTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Fact]
    public async Task Transport_should_not_give_the_turn_to_handshake_to_a_connection_whose_peer_sent_nothing()
    {
        var server = await TlsTestServer.StartAsync(this, Settings("max-concurrent-handshakes = 1\nhandshake-timeout = 1h"), Bound);
        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, server.Port);

        // With the only turn held by the silent connection, this client's handshake would wait for its timeout.
        await using var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await client.SendAsync(new PingMessage("after-silent", client.Identity.Id, 0, "1.0"));
        var inbound = await server.Node.FishForMessageAsync<InboundRequest>(r => r.Request.Uuid == "after-silent", Bound);
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, new PongMessage("", Key.Zero, 0, "")));

        Assert.Equal("after-silent", Assert.IsType<PongMessage>(await client.ReceiveAsync()).Uuid);
    }

    [Fact]
    public async Task Connection_should_say_the_peer_sent_no_hello_when_an_accepted_connection_stays_silent_past_handshake_timeout()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Akka.Event.Warning));
        var server = await TlsTestServer.StartAsync(this, Settings("handshake-timeout = 1s"), Bound);
        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, server.Port);

        var warning = await warnings.FishForMessageAsync<Akka.Event.Warning>(w => w.Message.ToString()!.Contains("handshake-timeout", StringComparison.Ordinal), Bound);

        Assert.Contains("the peer sent no TLS hello", warning.Message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transport_should_fail_without_blaming_the_peer_a_request_that_timed_out_while_its_dial_waited_for_a_turn()
    {
        // A listener that accepts and never answers the hello: the dial to it holds the only turn for an hour.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var server = await TlsTestServer.StartAsync(this, Settings("max-concurrent-handshakes = 1\nhandshake-timeout = 1h\nrequest-timeout = 1s"), Bound);
            var requester = CreateTestProbe();
            var stuck = new PeerAddress("127.0.0.1", ((IPEndPoint)silent.LocalEndpoint).Port, Key.Random(new Random(3)));
            server.Transport.Tell(new SendRequest(stuck, new PingMessage("", Key.Zero, 0, ""), requester.Ref));
            var stuckFailed = await requester.ExpectMsgAsync<RpcFailed>(Bound);
            Assert.Equal(RpcFailure.Timeout, stuckFailed.Failure);

            var other = await TlsTestServer.StartAsync(this, Settings(), Bound);
            var waiting = new PeerAddress("127.0.0.1", other.Port, other.Identity.Id);
            server.Transport.Tell(new SendRequest(waiting, new PingMessage("", Key.Zero, 0, ""), requester.Ref));
            var failed = await requester.ExpectMsgAsync<RpcFailed>(Bound);

            Assert.Equal(RpcFailure.Timeout, failed.Failure);
            Assert.Contains("turn to handshake", failed.Reason, StringComparison.Ordinal);
            // The dial that held the turn is blamed (its peer never answered); the one that waited is not. Each
            // PeerFailed is told before its RpcFailed, so both would be queued by now.
            var blamed = server.Node.ReceiveWhile(TimeSpan.FromMilliseconds(200), m => m as PeerFailed).OfType<PeerFailed>().Select(p => p.Id).ToList();
            Assert.Contains(stuck.ExpectedId!.Value, blamed);
            Assert.DoesNotContain(waiting.ExpectedId!.Value, blamed);
        }
        finally
        {
            silent.Stop();
        }
    }
}
