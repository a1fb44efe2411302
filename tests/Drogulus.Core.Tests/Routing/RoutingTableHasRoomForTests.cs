using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using static Drogulus.Core.Tests.Routing.RoutingFixtures;

namespace Drogulus.Core.Tests.Routing;

public sealed class RoutingTableHasRoomForTests
{
    private const int K = 2;

    [Fact]
    public void HasRoomFor_should_agree_with_Add_inserting_for_random_strangers()
    {
        var random = new Random(81);
        var table = new RoutingTable(Key.Random(random), K, 3, Epoch);
        for (var i = 0; i < 2_000; i++)
        {
            var id = Key.Random(random);
            var predicted = table.HasRoomFor(id);
            Assert.Equal(predicted, table.Add(ContactFor(id)).Outcome == AddOutcome.Inserted);
        }
    }

    [Fact]
    public void HasRoomFor_should_be_false_for_own_known_and_blacklisted_ids()
    {
        var table = new RoutingTable(Key.Zero, K, 3, Epoch);
        table.Add(ContactFor(Upper(1)));
        table.Blacklist(Upper(2));

        Assert.False(table.HasRoomFor(Key.Zero));
        Assert.False(table.HasRoomFor(Upper(1)));
        Assert.False(table.HasRoomFor(Upper(2)));
        Assert.True(table.HasRoomFor(Upper(3)));
    }

    [Fact]
    public void HasRoomFor_should_be_false_when_a_full_bucket_cannot_split()
    {
        // Own id 0: the upper half never splits, so once it holds k contacts a third stranger would be cached.
        var table = new RoutingTable(Key.Zero, K, 3, Epoch);
        table.Add(ContactFor(Upper(1)));
        table.Add(ContactFor(Upper(2)));
        table.Add(ContactFor(Key.FromBigInteger(1)));

        Assert.False(table.HasRoomFor(Upper(3)));
    }
}
