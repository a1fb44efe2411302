using Akka.Actor;
using Akka.TestKit;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// A TLS transport under test whose node is a probe (the spec plays the node and the routing table), bound to
/// 127.0.0.1 port 0; with the settings and identities the TLS specs share.
/// </summary>
internal sealed record TlsTestServer(NodeIdentity Identity, TestProbe Node, IActorRef Transport, int Port)
{
    /// <summary>
    /// TLS settings from reference.conf with <paramref name="extra"/> HOCON lines of the <c>drogulus</c> block, and
    /// 30 s handshake and hello timeouts unless <paramref name="extra"/> sets them: the specs' clients are honest, and
    /// on a busy machine a handshake once took longer than the default 5 s and a well-behaved client got EOF.
    /// </summary>
    public static DrogulusSettings Settings(string extra = "") =>
        DrogulusConfig.SettingsFrom($"drogulus {{ transport = \"tls\"\nhandshake-timeout = 30s\nhello-timeout = 30s\n{extra} }}");

    /// <summary>A fresh identity whose certificate is valid at the specs' fixed time.</summary>
    public static NodeIdentity NewIdentity() => NodeIdentity.Generate(DateTimeOffset.UnixEpoch.AddYears(55));

    /// <summary>Starts the transport in <paramref name="kit"/>'s system and waits until it listens.</summary>
    public static async Task<TlsTestServer> StartAsync(TestKitBase kit, DrogulusSettings settings, TimeSpan bound, FrameSegmentPool? frameSegments = null)
    {
        var identity = NewIdentity();
        var node = kit.CreateTestProbe();
        var props = frameSegments is null
            ? new TlsTransport().Props(identity, settings, node.Ref, node.Ref)
            : TlsTransportActor.Props(identity, settings, node.Ref, node.Ref, admission: null, frameSegments);
        var transport = kit.Sys.ActorOf(props);
        var ready = await node.ExpectMsgAsync<TransportReady>(bound);
        return new TlsTestServer(identity, node, transport, ready.Port);
    }

    /// <summary>
    /// Fills the transport with <paramref name="connections"/> clients whose pings stay unanswered, then asserts that
    /// it is full: a further client gets no answer, and a dial fails as ConnectionFailed naming
    /// <paramref name="limit"/>. Answers the pings afterwards; each busy client gets its pong and is closed.
    /// </summary>
    public async Task AssertFullOfBusyConnectionsAsync(TestKitBase kit, int connections, string limit, TimeSpan bound)
    {
        var busy = new List<RawTlsClient>();
        var unanswered = new List<InboundRequest>();
        for (var i = 0; i < connections; i++)
        {
            var client = await RawTlsClient.ConnectAsync(Port, NewIdentity());
            busy.Add(client);
            await client.SendAsync(new PingMessage($"busy-{i}", client.Identity.Id, 0, "1.0"));
            unanswered.Add(await Node.FishForMessageAsync<InboundRequest>(_ => true, bound));
        }

        await Xunit.Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var refused = await RawTlsClient.ConnectAsync(Port, NewIdentity());
            await refused.SendAsync(new PingMessage("refused", refused.Identity.Id, 0, "1.0"));
            await refused.ReceiveAsync();
        });
        var requester = kit.CreateTestProbe();
        Transport.Tell(new SendRequest(new PeerAddress("127.0.0.1", 1, null), new PingMessage("", Key.Zero, 0, ""), requester.Ref));
        var failed = await requester.ExpectMsgAsync<RpcFailed>(bound);

        Xunit.Assert.Equal(RpcFailure.ConnectionFailed, failed.Failure);
        Xunit.Assert.Contains(limit, failed.Reason, StringComparison.Ordinal);
        foreach (var inbound in unanswered)
        {
            inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, new PongMessage("", Key.Zero, 0, "")));
        }

        foreach (var client in busy)
        {
            Xunit.Assert.IsType<PongMessage>(await client.ReceiveAsync());
            await client.DisposeAsync();
        }
    }
}
