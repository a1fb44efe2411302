using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Testing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Storage;

/// <summary>PROTOCOL §10, handing over to newcomers, as seen by peers on the wire.</summary>
public sealed class HandOverTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    private readonly DrogulusSettings _settings = DrogulusConfig.SettingsFrom("drogulus { k = 4, refresh-interval = 5h, replicate-interval = 5h }");
    private readonly MemoryNetwork _network = new();
    private readonly TestNode _node;
    private readonly SignedItem _item;

    public HandOverTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
        _node = TestNode.Start(this, _network, _settings);
        _item = SignedItem.Create(Publisher, "handed-over", "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
        _node.Node.Tell(new Put(_item), TestActor);
        Assert.Equal(1, ExpectMsg<PutCompleted>().StoredCount);
    }

    [Fact]
    public void Node_should_store_its_items_at_a_newcomer_when_it_is_the_closest_node_it_knows()
    {
        var newcomer = new RawPeer(this, _network, Key.Random(new Random(91)));

        newcomer.Introduce(_node.Transport);

        var (store, _) = newcomer.ExpectRequest<StoreMessage>();
        Assert.Equal(_item, store.Item);
    }

    [Fact]
    public void Node_should_leave_the_hand_over_to_a_closer_holder_when_it_knows_one()
    {
        // A peer right next to the key: the node is no longer the closest holder it knows.
        var closer = new RawPeer(this, _network, _item.Key ^ Key.FromBigInteger(1));
        closer.Introduce(_node.Transport);
        closer.ExpectRequest<StoreMessage>();
        var newcomer = new RawPeer(this, _network, Key.Random(new Random(92)));

        newcomer.Introduce(_node.Transport);

        newcomer.Probe.ExpectNoMsg(VirtualTime.Quiet);
    }
}
