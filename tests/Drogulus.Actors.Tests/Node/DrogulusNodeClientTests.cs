using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Testing;
using Drogulus.Core.Items;

namespace Drogulus.Actors.Tests.Node;

public sealed class DrogulusNodeClientTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    public DrogulusNodeClientTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Fact]
    public async Task Client_should_put_get_and_report_status_when_talking_to_a_node()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus.k = 4");
        var node = TestNode.Start(this, new MemoryNetwork(), settings);
        var client = new DrogulusNodeClient(node.Node, TimeSpan.FromSeconds(60));
        var item = SignedItem.Create(Publisher, "via-client", "v", SignedItem.UnixSeconds(Sys.Scheduler.Now), 0);

        var put = Assert.IsType<PutCompleted>(await client.PutAsync(item));
        var got = Assert.IsType<ValueFound>(await client.GetAsync(item.Key));
        var status = await client.StatusAsync();
        var join = Assert.IsType<JoinFailed>(await client.JoinAsync([]));

        Assert.Equal(1, put.StoredCount);
        Assert.Equal(item, got.Item);
        Assert.Equal(node.Id, status.NodeId);
        Assert.Equal("at least one seed is required", join.Reason);
    }
}
