using System.Net;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Integration;

/// <summary>
/// The address-group rules on the memory network (PROTOCOL §1, §6, §8): simulated nodes have addresses a test
/// chooses, and their tables count them by group exactly as over TLS.
/// </summary>
public sealed class AddressGroupTests : TestKit
{
    public AddressGroupTests()
        : base(VirtualTime.Config)
    {
    }

    [Fact]
    public void Routing_table_should_hold_two_contacts_of_one_group_when_every_peer_shares_one_24()
    {
        // Six nodes in 203.0.113.0/24: node 0's one bucket takes two of them (max-per-group-in-bucket).
        var network = TestNetwork.Start(this, 6, seed: 20, addresses: i => IPAddress.Parse($"203.0.113.{i + 1}"));

        Assert.Equal(2, network[0].Status().Contacts);
        Assert.StartsWith("203.0.113.1:", network[0].Endpoint, StringComparison.Ordinal);
    }

    [Fact]
    public void Routing_table_should_hold_every_peer_when_each_has_a_group_of_its_own()
    {
        var network = TestNetwork.Start(this, 6, seed: 20);

        Assert.Equal(5, network[0].Status().Contacts);
        Assert.Equal(6, network.Nodes.Select(n => n.Endpoint.Split(':')[0]).Distinct().Count());
    }

    [Fact]
    public void Routing_table_should_hold_every_peer_of_one_group_when_the_limits_are_off()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { max-per-group-in-bucket = 20, max-per-group-in-table = 1000 }");
        var network = TestNetwork.Start(this, 6, settings, seed: 20, addresses: i => IPAddress.Parse($"203.0.113.{i + 1}"));

        Assert.Equal(5, network[0].Status().Contacts);
    }

    [Fact]
    public void Node_should_add_no_contact_from_inbound_traffic_when_its_join_lookup_has_not_completed()
    {
        var network = TestNetwork.Start(this, 1, seed: 21);
        var node = network[0];
        // The seed's id differs from the node's in the first bit, so no bucket lies beyond it and the join's
        // only lookup is the one of its own id (PROTOCOL §10 join).
        var seedId = node.Id.ToArray();
        seedId[0] ^= 0x80;
        using var seed = new RawPeer(this, network.Network, new Core.Identity.Key(seedId));
        var stranger = network.AddRawPeer();
        node.Node.Tell(new Join([seed.Endpoint]), TestActor);
        var (ping, from) = seed.ExpectRequest<PingMessage>();

        // Joining: a stranger's ping is answered but does not enter the table.
        stranger.Ping(node);
        Assert.Equal(0, node.Status().Contacts);

        seed.Reply(from, ping, new PongMessage("", default, 0, ""));
        var (find, lookupFrom) = seed.ExpectRequest<FindNodeMessage>();
        seed.Reply(lookupFrom, find, new NodesMessage("", default, 0, "", []));
        ExpectMsg<Joined>();

        // Joined: the same ping adds the stranger.
        stranger.Ping(node);
        Assert.Equal(2, node.Status().Contacts);
    }

    [Fact]
    public void Node_should_add_contacts_from_inbound_traffic_when_it_never_joined()
    {
        var network = TestNetwork.Start(this, 1, seed: 22);
        var stranger = network.AddRawPeer();

        stranger.Ping(network[0]);

        Assert.Equal(1, network[0].Status().Contacts);
    }
}
