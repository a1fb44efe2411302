using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Tests.Routing;

/// <summary>
/// PROTOCOL §7, fair blame on the transport side: a failed RPC counts against a contact only when the address
/// dialled is the contact's address in the routing table.
/// </summary>
public sealed class FairBlameTests : TestKit
{
    private readonly DrogulusSettings _settings = DrogulusConfig.SettingsFrom("drogulus { k = 2, alpha = 1, allowed-rpc-fails = 1 }");
    private readonly Random _random = new(73);
    private readonly RoutingTable _table;
    private readonly Contact _contact;

    public FairBlameTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
        _table = new RoutingTable(Key.Random(_random), _settings.K, _settings.AllowedRpcFails, Sys.Scheduler.Now);
        _contact = new Contact(Key.Random(_random), "127.0.0.1", 4100, "1.0", Sys.Scheduler.Now);
        _table.Add(_contact);
    }

    [Fact]
    public async Task RoutingTable_should_charge_nobody_when_the_failed_address_is_not_the_contacts_recorded_one()
    {
        var routing = Sys.ActorOf(RoutingTableActor.Props(_table, _settings, CreateTestProbe().Ref, new Random(1)));

        routing.Tell(new PeerFailed(_contact.Id, new PeerAddress("127.0.0.1", 4999, _contact.Id)));
        routing.Tell(new PeerFailed(_contact.Id, new PeerAddress("127.0.0.2", 4100, _contact.Id)));
        await routing.Ask<RoutingTableActor.RoutingStatus>(RoutingTableActor.GetRoutingStatus.Instance, TimeSpan.FromSeconds(60));

        Assert.NotNull(_table.Find(_contact.Id));
    }

    [Fact]
    public async Task RoutingTable_should_charge_the_contact_when_its_recorded_address_failed()
    {
        var routing = Sys.ActorOf(RoutingTableActor.Props(_table, _settings, CreateTestProbe().Ref, new Random(1)));

        routing.Tell(new PeerFailed(_contact.Id, new PeerAddress("127.0.0.1", 4100, _contact.Id)));
        await routing.Ask<RoutingTableActor.RoutingStatus>(RoutingTableActor.GetRoutingStatus.Instance, TimeSpan.FromSeconds(60));

        Assert.Null(_table.Find(_contact.Id));
    }
}
