using Akka.Actor;
using Akka.TestKit;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// A TLS transport under test whose node is a probe (the spec plays the node and the routing table), bound to
/// 127.0.0.1 port 0; with the settings and identities the TLS specs share.
/// </summary>
internal sealed record TlsTestServer(NodeIdentity Identity, TestProbe Node, IActorRef Transport, int Port)
{
    /// <summary>TLS settings from reference.conf with <paramref name="extra"/> HOCON lines of the <c>drogulus</c> block.</summary>
    public static DrogulusSettings Settings(string extra = "") =>
        DrogulusConfig.SettingsFrom($"drogulus {{ transport = \"tls\"\n{extra} }}");

    /// <summary>A fresh identity whose certificate is valid at the specs' fixed time.</summary>
    public static NodeIdentity NewIdentity() => NodeIdentity.Generate(DateTimeOffset.UnixEpoch.AddYears(55));

    /// <summary>Starts the transport in <paramref name="kit"/>'s system and waits until it listens.</summary>
    public static async Task<TlsTestServer> StartAsync(TestKitBase kit, DrogulusSettings settings, TimeSpan bound)
    {
        var identity = NewIdentity();
        var node = kit.CreateTestProbe();
        var transport = kit.Sys.ActorOf(new TlsTransport().Props(identity, settings, node.Ref, node.Ref));
        var ready = await node.ExpectMsgAsync<TransportReady>(bound);
        return new TlsTestServer(identity, node, transport, ready.Port);
    }
}
