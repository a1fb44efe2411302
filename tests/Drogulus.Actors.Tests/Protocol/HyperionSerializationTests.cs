using Akka.Configuration;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;

namespace Drogulus.Actors.Tests.Protocol;

public sealed class HyperionSerializationTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    private static readonly SignedItem Item = SignedItem.Create(
        Publisher,
        "greeting",
        "hello",
        1_700_000_000.25,
        1_800_000_000,
        new Dictionary<string, string> { ["lang"] = "en", ["content-type"] = "text/plain", ["é"] = "ü" });

    private static readonly LookupStats Stats = new(7, 5, 2, TimeSpan.FromMilliseconds(1234.5));

    private readonly Random _random = new(42);

    public HyperionSerializationTests()
        : base(ConfigurationFactory.ParseString(BusyMachine.Waits + "akka.loglevel = WARNING").WithFallback(DrogulusConfig.Reference))
    {
    }

    [Fact]
    public void Join_messages_should_round_trip_through_Hyperion_when_serialized()
    {
        var join = new Join(["memory:1", $"{Key.Random(_random)}@127.0.0.1:4000", "[::1]:5"]);
        var back = RoundTrip(join);
        Assert.Equal(join.Seeds, back.Seeds);

        Assert.Equal(new Joined(5), RoundTrip(new Joined(5)));
        Assert.Equal(new JoinFailed("no seed answered"), RoundTrip(new JoinFailed("no seed answered")));
    }

    [Fact]
    public void Put_messages_should_round_trip_through_Hyperion_when_the_item_has_meta()
    {
        var put = new Put(Item, 3);
        var back = RoundTrip(put);
        Assert.Equal(put, back);
        Assert.Equal(Item.Meta, back.Item.Meta);
        Assert.True(back.Item.VerifySignature());
        Assert.Equal(new Put(Item), RoundTrip(new Put(Item)));

        var outcomes = new[]
        {
            new StoreOutcome(Key.Random(_random), StoreResult.Stored),
            new StoreOutcome(Key.Random(_random), StoreResult.Refused, 8, "Superseded value"),
            new StoreOutcome(Key.Random(_random), StoreResult.TimedOut, null, "no reply within request-timeout"),
            new StoreOutcome(Key.Random(_random), StoreResult.ConnectionFailed, null, "transport stopped"),
        };
        var completed = new PutCompleted(Item.Key, outcomes) { NodeId = outcomes[0].NodeId };
        var completedBack = RoundTrip(completed);
        Assert.Equal(completed.Key, completedBack.Key);
        Assert.Equal(outcomes, completedBack.Outcomes);
        Assert.Equal(1, completedBack.StoredCount);
        Assert.Equal(completed.NodeId, completedBack.NodeId);
        Assert.True(completedBack.StoredOnlyLocally);

        var failed = new PutFailed(Item.Key, "duplicate must be at least 1");
        Assert.Equal(failed, RoundTrip(failed));
    }

    [Fact]
    public void Get_messages_should_round_trip_through_Hyperion_when_serialized()
    {
        var key = Key.Random(_random);
        Assert.Equal(new Get(key), RoundTrip(new Get(key)));

        var found = new ValueFound(Item, Stats);
        var foundBack = RoundTrip(found);
        Assert.Equal(found, foundBack);
        Assert.Equal(Item.Value.ToArray(), foundBack.Item.Value.ToArray());
        Assert.Equal(Item.Signature.ToArray(), foundBack.Item.Signature.ToArray());

        var answered = new ValueFound(Item, Stats, AnsweredBy: Key.Random(_random), CachedAt: Key.Random(_random));
        Assert.Equal(answered, RoundTrip(answered));

        Assert.Equal(new ValueNotFound(key, Stats), RoundTrip(new ValueNotFound(key, Stats)));
        Assert.Equal(new GetFailed(key, "lookup timed out"), RoundTrip(new GetFailed(key, "lookup timed out")));
    }

    [Fact]
    public void FindNodes_messages_should_round_trip_through_Hyperion_when_serialized()
    {
        var target = Key.Random(_random);
        Assert.Equal(new FindNodes(target), RoundTrip(new FindNodes(target)));

        var seen = new DateTimeOffset(2025, 3, 4, 5, 6, 7, 890, TimeSpan.FromHours(2));
        var contacts = new[]
        {
            new Contact(Key.Random(_random), "memory", 3, "1.0", seen),
            new Contact(Key.Random(_random), "::1", 65535, "1.2", seen.AddMinutes(-1), FailureCount: 2),
        };
        var nodes = new NodesFound(target, contacts, Stats);
        var nodesBack = RoundTrip(nodes);
        Assert.Equal(nodes.Target, nodesBack.Target);
        Assert.Equal(nodes.Stats, nodesBack.Stats);
        Assert.Equal(contacts, nodesBack.Contacts);

        Assert.Equal(new FindNodesFailed(target, "routing table empty"), RoundTrip(new FindNodesFailed(target, "routing table empty")));
    }

    [Fact]
    public void Status_messages_should_round_trip_through_Hyperion_when_serialized()
    {
        Assert.Equal(GetNodeStatus.Instance, RoundTrip(GetNodeStatus.Instance));

        var status = new NodeStatus(Key.Random(_random), "127.0.0.1:4000", 12, 3, 40, 2);
        Assert.Equal(status, RoundTrip(status));
    }

    [Fact]
    public void Health_messages_should_round_trip_through_Hyperion_when_serialized()
    {
        Assert.Equal(GetNodeHealth.Instance, RoundTrip(GetNodeHealth.Instance));

        var health = new NodeHealth(true, false, DateTimeOffset.FromUnixTimeSeconds(1350544046), true, false, 1234, 4096, 3, ["no contact answered", "the item store is full"]);
        var back = RoundTrip(health);
        Assert.Equal(health with { Reasons = [] }, back with { Reasons = [] });
        Assert.Equal(health.Reasons, back.Reasons);
        Assert.False(back.IsHealthy);
    }

    [Fact]
    public void Upkeep_messages_should_round_trip_through_Hyperion_when_serialized()
    {
        Assert.Equal(new TriggerRefresh(AllBuckets: true), RoundTrip(new TriggerRefresh(AllBuckets: true)));
        var targets = new[] { Key.Random(_random), Key.Random(_random) };
        Assert.Equal(targets, RoundTrip(new RefreshStarted(targets)).Targets);
        Assert.Equal(TriggerRepublish.Instance, RoundTrip(TriggerRepublish.Instance));
        Assert.Equal(new RepublishCompleted(3, 2, 1), RoundTrip(new RepublishCompleted(3, 2, 1)));
        Assert.Equal(GetLocalItems.Instance, RoundTrip(GetLocalItems.Instance));

        var copies = new[] { new LocalCopy(Item, IsClose: true), new LocalCopy(Item, IsClose: false) };
        var local = RoundTrip(new LocalItems(Key.Random(_random), copies));
        Assert.Equal(copies, local.Copies);
        Assert.Single(local.Cached);
    }

    [Fact]
    public void Key_should_keep_every_word_when_it_round_trips_inside_a_message()
    {
        var key = Key.Max;
        Assert.Equal(key, RoundTrip(new Get(key)).Key);
        Assert.Equal(Key.Zero, RoundTrip(new Get(Key.Zero)).Key);
    }

    private T RoundTrip<T>(T message)
        where T : class, IDrogulusMessage
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<HyperionSerializer>(serializer);
        var bytes = serializer.ToBinary(message);
        var back = serializer.FromBinary(bytes, typeof(T));
        return Assert.IsType<T>(back);
    }
}
