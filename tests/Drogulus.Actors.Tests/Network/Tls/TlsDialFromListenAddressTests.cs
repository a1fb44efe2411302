using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// PROTOCOL §6 and §10 over TLS: a node listening on one specific address dials from it, so that its peers record
/// an address where it can be reached; and every reply says where the responder saw the requester (<c>seen</c>).
/// </summary>
public sealed class TlsDialFromListenAddressTests : TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60); // a ceiling: each wait ends with its event

    public TlsDialFromListenAddressTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Fact]
    public async Task Node_listening_on_127_0_5_1_should_be_recorded_by_its_peer_at_127_0_5_1_and_told_so_in_seen()
    {
        var now = Sys.Scheduler.Now;
        var seedSettings = DrogulusConfig.SettingsFrom("drogulus { transport = \"tls\", k = 4 }");

        // One reporter in one group suffices here, so that the `seen` of the seed's replies shows as the believed address.
        var settings = DrogulusConfig.SettingsFrom("""
            drogulus {
              transport = "tls", k = 4, listen.host = "127.0.5.1"
              reachability-test { address-reporters = 1, address-groups = 1 }
            }
            """);
        var seed = Sys.ActorOf(NodeActor.Props(seedSettings, NodeIdentity.Generate(now), new TlsTransport(), seed: 1));
        var identity = NodeIdentity.Generate(now);
        var node = Sys.ActorOf(NodeActor.Props(settings, identity, new TlsTransport(), seed: 2));
        var seedStatus = await seed.Ask<NodeStatus>(GetNodeStatus.Instance, Bound);

        Assert.IsType<Joined>(await node.Ask<object>(new Join([seedStatus.Endpoint]), Bound));

        var found = Assert.IsType<NodesFound>(await seed.Ask<object>(new FindNodes(identity.Id), Bound));
        var contact = Assert.Single(found.Contacts, c => c.Id == identity.Id);
        Assert.Equal("127.0.5.1", contact.Address);
        var status = await node.Ask<NodeStatus>(GetNodeStatus.Instance, Bound);
        Assert.Equal("127.0.5.1", status.ExternalAddress);
        Assert.EndsWith(":" + contact.Port, status.Endpoint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.5.1", "127.0.0.1", "127.0.5.1")]
    [InlineData("0.0.0.0", "127.0.0.1", null)]
    [InlineData("::", "::1", null)]
    [InlineData("127.0.5.1", "::1", null)]
    [InlineData("localhost", "127.0.0.1", null)]
    public void Dial_should_start_from_the_listen_address_only_when_it_is_one_address_of_the_remote_family(string listen, string remote, string? expected)
    {
        var local = TlsTransportActor.LocalEndpointFor(listen, new System.Net.IPEndPoint(System.Net.IPAddress.Parse(remote), 4000));

        Assert.Equal(expected, (local as System.Net.IPEndPoint)?.Address.ToString());
    }
}
