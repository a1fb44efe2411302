using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Integration;

public sealed class SmallNetworkTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    public SmallNetworkTests()
        : base(VirtualTime.Config)
    {
    }

    [Fact]
    public void Nodes_should_store_and_read_a_signed_value_when_joined_through_one_seed()
    {
        var network = TestNetwork.Start(this, 8, DrogulusConfig.SettingsFrom("drogulus.k = 4"));
        var item = SignedItem.Create(Publisher, "greeting", "hello", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);

        var put = Assert.IsType<PutCompleted>(network[3].Put(item));
        Assert.Equal(4, put.StoredCount);
        Assert.False(put.StoredOnlyLocally);
        Assert.Equal(network[3].Id, put.NodeId);

        // Read from a node that holds no copy, so that the value comes through a lookup from one of the k closest.
        var reader = network.Nodes.First(n => n != network[3] && !network.ClosestTo(item.Key, 4).Contains(n));
        var found = Assert.IsType<ValueFound>(reader.Get(item.Key));
        Assert.Equal(item, found.Item);
        Assert.Contains(network.NodeOf(found.AnsweredBy!.Value), network.ClosestTo(item.Key, 4));
    }
}
