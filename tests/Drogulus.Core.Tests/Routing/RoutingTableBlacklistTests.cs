using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using static Drogulus.Core.Tests.Routing.RoutingFixtures;

namespace Drogulus.Core.Tests.Routing;

/// <summary>PROTOCOL §8: at most max-blacklist ids are remembered, the oldest forgotten first.</summary>
public sealed class RoutingTableBlacklistTests
{
    private static RoutingLimits Bound(int max) => new(2, 10, true, max);

    [Fact]
    public void Blacklist_should_forget_the_oldest_id_when_max_blacklist_ids_are_remembered()
    {
        var table = new RoutingTable(Key.Zero, 20, 3, Epoch, Bound(3));
        for (var i = 1; i <= 4; i++)
        {
            table.Blacklist(Upper(i));
        }

        Assert.False(table.IsBlacklisted(Upper(1)));
        Assert.True(table.IsBlacklisted(Upper(2)));
        Assert.True(table.IsBlacklisted(Upper(4)));
        Assert.Equal([Upper(2), Upper(3), Upper(4)], table.BlacklistedIds);
        Assert.Equal(AddOutcome.Inserted, table.Add(ContactFor(Upper(1))).Outcome);
    }

    [Fact]
    public void Blacklist_should_not_renew_an_id_when_it_is_blacklisted_again()
    {
        var table = new RoutingTable(Key.Zero, 20, 3, Epoch, Bound(2));
        table.Blacklist(Upper(1));
        table.Blacklist(Upper(2));
        table.Blacklist(Upper(1));
        table.Blacklist(Upper(3));

        Assert.Equal([Upper(2), Upper(3)], table.BlacklistedIds);
    }

    [Fact]
    public void Blacklist_should_stay_bounded_when_a_stranger_shows_many_fresh_ids()
    {
        var table = new RoutingTable(Key.Zero, 20, 3, Epoch, Bound(100));
        for (var i = 1; i <= 10_000; i++)
        {
            table.Blacklist(Upper(i));
        }

        Assert.Equal(100, table.BlacklistedIds.Count);
    }

    [Fact]
    public void Load_should_keep_the_newest_ids_in_order_when_the_saved_blacklist_is_longer_than_the_bound()
    {
        var table = new RoutingTable(Key.Zero, 20, 3, Epoch, Bound(10));
        foreach (var n in new[] { 9, 3, 7, 1, 5 })
        {
            table.Blacklist(Upper(n));
        }

        var saved = RoutingTableSnapshot.Save(table);
        var same = RoutingTableSnapshot.Load(saved, Key.Zero, 20, 3, Epoch, Bound(10));
        var smaller = RoutingTableSnapshot.Load(saved, Key.Zero, 20, 3, Epoch, Bound(2));

        Assert.Equal([Upper(9), Upper(3), Upper(7), Upper(1), Upper(5)], same.BlacklistedIds);
        Assert.Equal([Upper(1), Upper(5)], smaller.BlacklistedIds);
        Assert.Equal(saved, RoutingTableSnapshot.Save(same));
    }
}
