using System.Numerics;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Storage;
using Drogulus.Actors.Tests.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Storage;

/// <summary>
/// Issue 10: the hand-over to newcomers (PROTOCOL §10) is paced like the republish pass: at most
/// <c>hand-over.parallelism</c> stores in flight, <c>hand-over.items-per-second</c>, and a bounded queue of
/// newcomers, in virtual time.
/// </summary>
public sealed class HandOverThrottleTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    public HandOverThrottleTests()
        : base(VirtualTime.Config)
    {
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void Hand_over_should_keep_parallelism_stores_in_flight_and_a_seconds_worth_per_second_when_a_newcomer_is_owed_many_items()
    {
        var (node, items) = NodeHolding(12, "hand-over { items-per-second = 5, parallelism = 2 }");
        var newcomer = new RawPeer(this, node.Network, Key.Random(new Random(7)));

        newcomer.Introduce(node.Node.Transport);

        var first = Stores(newcomer, 2);
        newcomer.Probe.ExpectNoMsg(VirtualTime.Quiet);
        var received = first.Select(s => s.Store.Item).ToList();
        received.AddRange(AnswerCount(newcomer, first, 3));
        received.AddRange(AnswerUntilQuiet(newcomer, []));
        Assert.Equal(5, received.Count);

        Scheduler.Advance(TimeSpan.FromSeconds(1));
        received.AddRange(AnswerCount(newcomer, [], 5));
        received.AddRange(AnswerUntilQuiet(newcomer, []));
        Assert.Equal(10, received.Count);
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        received.AddRange(AnswerCount(newcomer, [], 2));
        received.AddRange(AnswerUntilQuiet(newcomer, []));

        Assert.Equal(items.Select(i => i.Key).Order(), received.Select(i => i.Key).Order());
    }

    [Fact]
    public void Hand_over_should_give_nothing_to_a_newcomer_past_max_queued_newcomers_and_serve_the_queued_one_later()
    {
        var (node, items) = NodeHolding(1, "hand-over { items-per-second = 1, parallelism = 1, newcomers-per-second = 1, max-queued-newcomers = 1 }");
        var item = items[0];

        // Farther from the key than the node, so that the node stays the closest holder it knows.
        var far = Key.Max;
        var peers = Enumerable.Range(0, 3).Select(i => new RawPeer(this, node.Network, item.Key ^ far ^ Key.FromBigInteger(new BigInteger(i)))).ToArray();
        foreach (var peer in peers)
        {
            peer.Introduce(node.Node.Transport);
        }

        var (store, from) = peers[0].ExpectRequest<StoreMessage>();
        Assert.Equal(item, store.Item);
        var stats = HandOverStats(node);
        Assert.Equal((1, 1, 1L), (stats.Waiting, stats.InFlight, stats.NewcomersDropped));

        peers[0].Reply(from, store, new PongMessage("", default, 0, ""));
        peers[1].Probe.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(item, peers[1].ExpectRequest<StoreMessage>().Message.Item);
        Scheduler.Advance(TimeSpan.FromSeconds(10));
        peers[2].Probe.ExpectNoMsg(VirtualTime.Quiet);
        Assert.Equal(2, HandOverStats(node).StoresSent);
    }

    private (Started Node, SignedItem[] Items) NodeHolding(int count, string handOver)
    {
        var settings = DrogulusConfig.SettingsFrom($"drogulus {{ k = 4, refresh-interval = 5h, replicate-interval = 5h, {handOver} }}");
        var network = new MemoryNetwork();
        var node = TestNode.Start(this, network, settings);
        var now = Sys.Scheduler.Now.ToUnixTimeSeconds();
        var items = Enumerable.Range(0, count).Select(i => SignedItem.Create(Publisher, $"item {i}", "v", now, 0)).ToArray();
        foreach (var item in items)
        {
            node.Node.Tell(new Put(item), TestActor);
            ExpectMsg<PutCompleted>();
        }

        return (new Started(node, network), items);
    }

    private DataStoreActor.HandOverStats HandOverStats(Started node)
    {
        Sys.ActorSelection(node.Node.Node.Path / "data-store").Tell(DataStoreActor.GetHandOverStats.Instance, TestActor);
        return ExpectMsg<DataStoreActor.HandOverStats>();
    }

    private static List<(StoreMessage Store, IActorRef From)> Stores(RawPeer peer, int count) =>
        Enumerable.Range(0, count).Select(_ => peer.ExpectRequest<StoreMessage>()).ToList();

    // Answers pong to the given stores and receives (and answers) exactly `count` more, each waited for as long as
    // the peer waits for any frame: the data store runs on its own threads, so under load a store due now can
    // arrive after a quiet window; AnswerUntilQuiet afterwards shows that no more than these come.
    private static List<SignedItem> AnswerCount(RawPeer peer, List<(StoreMessage Store, IActorRef From)> pending, int count)
    {
        foreach (var (store, from) in pending)
        {
            peer.Reply(from, store, new PongMessage("", default, 0, ""));
        }

        var received = new List<SignedItem>();
        for (var i = 0; i < count; i++)
        {
            var (store, from) = peer.ExpectRequest<StoreMessage>();
            received.Add(store.Item);
            peer.Reply(from, store, new PongMessage("", default, 0, ""));
        }

        return received;
    }

    // Answers pong to the given stores and to every store that follows, until none arrives for a while.
    private static List<SignedItem> AnswerUntilQuiet(RawPeer peer, List<(StoreMessage Store, IActorRef From)> pending)
    {
        var received = new List<SignedItem>();
        var queue = new Queue<(StoreMessage Store, IActorRef From)>(pending);
        while (true)
        {
            while (queue.TryDequeue(out var next))
            {
                peer.Reply(next.From, next.Store, new PongMessage("", default, 0, ""));
            }

            var frame = peer.Probe.ReceiveOne(VirtualTime.Quiet);
            if (frame is null)
            {
                return received;
            }

            var decoded = MessageCodec.Decode(((MemoryFrame)frame).Payload);
            var store = Assert.IsType<StoreMessage>(decoded.Message);
            received.Add(store.Item);
            queue.Enqueue((store, ((MemoryFrame)frame).FromTransport));
        }
    }

    private sealed record Started(TestNode Node, MemoryNetwork Network);
}
