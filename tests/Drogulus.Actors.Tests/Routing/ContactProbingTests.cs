using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Lookup;
using Drogulus.Actors.Network;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;
using Drogulus.Core.Lookup;
using Drogulus.Core.Routing;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Tests.Routing;

/// <summary>Contacts named in nodes replies are pinged when the table has room for them, and added only once they answer.</summary>
public sealed class ContactProbingTests : TestKit
{
    private readonly DrogulusSettings _settings = DrogulusConfig.SettingsFrom("drogulus { k = 2, alpha = 1 }");
    private readonly Random _random = new(71);
    private readonly Key _ownId;
    private readonly RoutingTable _table;

    public ContactProbingTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
        _ownId = Key.Random(_random);
        _table = new RoutingTable(_ownId, _settings.K, _settings.AllowedRpcFails, Sys.Scheduler.Now);
    }

    private Contact Stranger(int port) => new(Key.Random(_random), "memory", port, "1.0", Sys.Scheduler.Now);

    // The routing table sends its probes through its parent (the node, which relays them to the transport);
    // here the parent is the transport probe itself.
    private IActorRef RoutingActor(TestProbe transport) =>
        transport.ChildActorOf(RoutingTableActor.Props(_table, _settings, CreateTestProbe().Ref, new Random(1)));

    [Fact]
    public void RoutingTable_should_ping_a_stranger_once_when_the_table_has_room_for_it()
    {
        var transport = CreateTestProbe();
        var routing = RoutingActor(transport);
        var stranger = Stranger(1);

        routing.Tell(new RoutingTableActor.ContactsLearned([stranger, stranger]));

        var ping = transport.ExpectMsg<SendRequest>();
        Assert.IsType<PingMessage>(ping.Body);
        Assert.Equal(stranger.Id, ping.To.ExpectedId);
        transport.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Null(_table.Find(stranger.Id));
    }

    [Fact]
    public void RoutingTable_should_add_a_probed_stranger_only_when_it_answers()
    {
        var transport = CreateTestProbe();
        var routing = RoutingActor(transport);
        var stranger = Stranger(2);
        routing.Tell(new RoutingTableActor.ContactsLearned([stranger]));
        var ping = transport.ExpectMsg<SendRequest>();

        // The transport reports the pong to the routing table directly (PeerSeen), then answers the probe.
        routing.Tell(new PeerSeen(new PeerInfo(stranger.Id, stranger.Address, stranger.Port, "1.0")));
        routing.Tell(new RpcReplied(ping.To, new PeerInfo(stranger.Id, stranger.Address, stranger.Port, "1.0"), new PongMessage("u", stranger.Id, stranger.Port, "1.0")));

        AwaitAssert(() => Assert.NotNull(_table.Find(stranger.Id)));
    }

    [Fact]
    public void RoutingTable_should_not_ping_known_or_blacklisted_contacts()
    {
        var transport = CreateTestProbe();
        var known = Stranger(3);
        var banned = Stranger(4);
        _table.Add(known);
        _table.Blacklist(banned.Id);
        var routing = RoutingActor(transport);

        routing.Tell(new RoutingTableActor.ContactsLearned([known, banned, known with { Id = _ownId }]));

        transport.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void LookupActor_should_report_the_contacts_a_nodes_reply_names_to_the_routing_table()
    {
        var routing = CreateTestProbe();
        var transport = CreateTestProbe();
        var target = Key.Random(_random);
        var first = Stranger(5);
        var named = Stranger(6);
        var request = new LookupActor.Request(LookupKind.FindNode, target, []);
        var lookup = CreateTestProbe().ChildActorOf(LookupActor.Props(request, _ownId, _settings, routing.Ref, transport.Ref));
        routing.ExpectMsg<RoutingTableActor.GetClosest>();
        routing.Reply(new RoutingTableActor.ClosestContacts(target, [first]));
        var sent = transport.ExpectMsg<SendRequest>();

        lookup.Tell(new RpcReplied(sent.To, new PeerInfo(first.Id, "memory", 5, "1.0"), new NodesMessage("u", first.Id, 5, "1.0", [NodeInfo.From(named)])));

        var learned = routing.ExpectMsg<RoutingTableActor.ContactsLearned>();
        Assert.Equal(named.Id, Assert.Single(learned.Contacts).Id);
    }
}
