using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Node;

/// <summary>
/// PROTOCOL §10 (third edition): a publisher puts its items again, signed with a newer timestamp, well before
/// <c>max-item-age</c>. The keeper is driven on virtual time; a probe plays the node.
/// </summary>
public sealed class KeepPublishedActorTests : TestKit, IDisposable
{
    private static readonly DrogulusSettings Settings = DrogulusConfig.SettingsFrom("drogulus { keep-alive-interval = 24h }");
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private readonly PublisherKey _publisher = PublisherKey.Generate();
    private readonly TestProbe _node;

    public KeepPublishedActorTests()
        : base(VirtualTime.Config)
    {
        _node = CreateTestProbe();
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    void IDisposable.Dispose() => _publisher.Dispose();

    [Fact]
    public void Keeper_should_put_again_with_a_newer_valid_timestamp_every_interval_when_a_value_is_kept()
    {
        var keeper = Sys.ActorOf(KeepPublishedActor.Props(_node.Ref, _publisher, Settings));
        var start = Scheduler.Now;

        keeper.Tell(new KeepPublished("kept", CanonicalMsgPack.Encode("v")), TestActor);
        ExpectMsg<KeptPublished>();
        var first = _node.ExpectMsg<Put>().Item;
        Assert.Equal(SignedItem.UnixSeconds(start), first.Timestamp);

        // The keeper arms its timer after it sent the put: its answer to Identify marks the end of that message, so the
        // clock moves only once the timer is set (on a busy machine the put arrived and the clock moved before it was).
        keeper.Tell(new Identify(null), TestActor);
        ExpectMsg<ActorIdentity>();
        Scheduler.Advance(Settings.KeepAliveInterval - Tick);
        _node.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(Tick);
        var second = _node.ExpectMsg<Put>().Item;

        Assert.Equal(first.Key, second.Key);
        Assert.Equal(SignedItem.UnixSeconds(start + Settings.KeepAliveInterval), second.Timestamp);
        Assert.True(second.Validate(second.Timestamp, Settings.ItemLifetime, 1024, 4096).IsValid);
        Assert.Equal(0, second.Expires);

        // Every put lands well before the previous one ages out.
        Assert.True(second.Timestamp - first.Timestamp < Settings.MaxItemAge.TotalSeconds / 2 + 1);
    }

    [Fact]
    public void Keeper_should_put_nothing_more_when_told_to_stop()
    {
        var keeper = Sys.ActorOf(KeepPublishedActor.Props(_node.Ref, _publisher, Settings));
        keeper.Tell(new KeepPublished("a", CanonicalMsgPack.Encode("v")), TestActor);
        keeper.Tell(new KeepPublished("b", CanonicalMsgPack.Encode("v")), TestActor);
        ExpectMsg<KeptPublished>();
        ExpectMsg<KeptPublished>();
        _node.ExpectMsg<Put>();
        _node.ExpectMsg<Put>();

        keeper.Tell(new StopPublishing("a"), TestActor);
        Assert.True(ExpectMsg<StoppedPublishing>().WasKept);
        Scheduler.Advance(Settings.KeepAliveInterval);

        Assert.Equal(_publisher.KeyFor("b"), _node.ExpectMsg<Put>().Item.Key);
        _node.ExpectNoMsg(VirtualTime.Quiet);
        keeper.Tell(new StopPublishing("a"), TestActor);
        Assert.False(ExpectMsg<StoppedPublishing>().WasKept);
    }

    [Fact]
    public void Keeper_should_wait_one_interval_when_the_value_was_just_put_elsewhere()
    {
        var keeper = Sys.ActorOf(KeepPublishedActor.Props(_node.Ref, _publisher, Settings));

        keeper.Tell(new KeepPublished("kept", CanonicalMsgPack.Encode("v"), PutNow: false), TestActor);
        ExpectMsg<KeptPublished>();
        _node.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(Settings.KeepAliveInterval);

        Assert.Equal(_publisher.KeyFor("kept"), _node.ExpectMsg<Put>().Item.Key);
    }
}
