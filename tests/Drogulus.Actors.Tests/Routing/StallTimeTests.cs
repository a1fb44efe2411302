using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;
using Drogulus.Core.Routing;

namespace Drogulus.Actors.Tests.Routing;

/// <summary>The routing table hands every lookup the stall time of the round trips its lookups measured (lookup-stall).</summary>
public sealed class StallTimeTests : TestKit
{
    public StallTimeTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    private RoutingTableActor.ClosestContacts Closest(string hocon, params int[] roundTripsMs)
    {
        var settings = DrogulusConfig.SettingsFrom(hocon);
        var ownId = Key.Random(new Random(5));
        var table = new RoutingTable(ownId, settings.K, settings.AllowedRpcFails, Sys.Scheduler.Now);
        var routing = Sys.ActorOf(RoutingTableActor.Props(table, settings, CreateTestProbe().Ref, new Random(1)));
        foreach (var ms in roundTripsMs)
        {
            routing.Tell(new RoutingTableActor.RoundTripMeasured(TimeSpan.FromMilliseconds(ms)));
        }

        routing.Tell(new RoutingTableActor.GetClosest(ownId, 3));
        return ExpectMsg<RoutingTableActor.ClosestContacts>();
    }

    [Fact]
    public void The_stall_time_should_be_the_ceiling_before_any_round_trip_was_measured()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Closest("drogulus.lookup-stall.ceiling = 2s").StallAfter);
    }

    [Fact]
    public void The_stall_time_should_follow_the_configured_percentile_of_the_measured_round_trips()
    {
        var closest = Closest(
            "drogulus.lookup-stall { floor = 100ms, ceiling = 3s, percentile = 75 }",
            400, 900, 300, 700);

        Assert.Equal(TimeSpan.FromMilliseconds(700), closest.StallAfter);
    }

    [Fact]
    public void There_should_be_no_stall_time_when_lookup_stall_is_off()
    {
        Assert.Null(Closest("drogulus.lookup-stall.enabled = off", 400).StallAfter);
    }
}
