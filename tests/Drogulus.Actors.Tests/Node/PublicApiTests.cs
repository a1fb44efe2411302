using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Testing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Node;

/// <summary>DESIGN §2 and PROTOCOL §10: edge cases of Join, Put and Get on a node.</summary>
public sealed class PublicApiTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    private readonly MemoryNetwork _network = new();
    private readonly DrogulusSettings _settings = DrogulusConfig.SettingsFrom("drogulus { k = 4, join.seed-attempts = 1 }");
    private readonly TestNode _node;
    private readonly double _now;

    public PublicApiTests()
        : base(BusyMachine.Waits + "akka.loglevel = ERROR")
    {
        _node = TestNode.Start(this, _network, _settings);
        _now = Sys.Scheduler.Now.ToUnixTimeSeconds();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Put_should_fail_when_duplicate_is_below_one(int duplicate)
    {
        var item = Sign("dup", "v", _now);

        _node.Node.Tell(new Put(item, duplicate), TestActor);

        Assert.Equal(new PutFailed(item.Key, "duplicate must be at least 1") { Kind = PutFailureKind.InvalidDuplicate }, ExpectMsg<PutFailed>());
        Assert.Equal(0, _node.Status().Items);
    }

    [Fact]
    public void Put_should_fail_without_storing_when_the_signature_does_not_verify()
    {
        var good = Sign("forged", "v", _now);
        var forged = new SignedItem(good.Key, CanonicalMsgPack.Encode("other"), good.Timestamp, good.Expires, good.CreatedWith, good.PublicKey, good.Name, good.Meta, good.Signature.Span);

        _node.Node.Tell(new Put(forged), TestActor);

        var failed = ExpectMsg<PutFailed>();
        Assert.Equal(forged.Key, failed.Key);
        Assert.StartsWith("the item is not valid", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(0, _node.Status().Items);
    }

    [Fact]
    public void Put_should_fail_when_the_item_has_expired()
    {
        var expired = SignedItem.Create(Publisher, "expired", "v", _now - 100, _now - 1);

        _node.Node.Tell(new Put(expired), TestActor);

        Assert.Equal(expired.Key, ExpectMsg<PutFailed>().Key);
    }

    [Fact]
    public void Put_should_store_locally_and_name_the_node_itself_as_Stored_when_the_routing_table_is_empty()
    {
        var item = Sign("alone", "v", _now);

        _node.Node.Tell(new Put(item), TestActor);

        var completed = ExpectMsg<PutCompleted>();
        Assert.Equal(item.Key, completed.Key);
        Assert.Equal([new StoreOutcome(_node.Id, StoreResult.Stored)], completed.Outcomes);
        Assert.Equal(1, _node.Status().Items);
        _node.Node.Tell(new Get(item.Key), TestActor);
        var found = ExpectMsg<ValueFound>();
        Assert.Equal(item, found.Item);
        Assert.Equal(0, found.Stats.RpcsSent);
    }

    [Fact]
    public void Put_should_report_the_node_itself_as_Refused_with_error_8_when_it_holds_a_newer_item()
    {
        var newer = Sign("versioned", "new", _now);
        var older = Sign("versioned", "old", _now - 60);
        _node.Node.Tell(new Put(newer), TestActor);
        ExpectMsg<PutCompleted>();

        _node.Node.Tell(new Put(older), TestActor);

        var outcome = Assert.Single(ExpectMsg<PutCompleted>().Outcomes);
        Assert.Equal(StoreResult.Refused, outcome.Result);
        Assert.Equal((int)ErrorCode.SupersededValue, outcome.ErrorCode);
        _node.Node.Tell(new Get(newer.Key), TestActor);
        Assert.Equal(newer, ExpectMsg<ValueFound>().Item);
    }

    [Fact]
    public void Join_should_fail_when_no_seed_is_given()
    {
        _node.Node.Tell(new Join([]), TestActor);

        Assert.Equal(new JoinFailed("at least one seed is required"), ExpectMsg<JoinFailed>());
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("memory")]
    [InlineData("memory:0")]
    [InlineData("memory:65536")]
    [InlineData(":7")]
    [InlineData("abc@memory:1")]
    public void Join_should_fail_naming_the_seed_when_a_seed_does_not_parse(string seed)
    {
        _node.Node.Tell(new Join([$"{MemoryNetwork.Host}:{_node.Port}", seed]), TestActor);

        var failed = ExpectMsg<JoinFailed>();
        Assert.Contains($"'{seed}'", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Join_should_fail_with_no_seed_answered_when_nobody_listens_at_the_seed()
    {
        _node.Node.Tell(new Join([$"{MemoryNetwork.Host}:999"]), TestActor);

        Assert.Equal(new JoinFailed("no seed answered"), ExpectMsg<JoinFailed>());
    }

    [Fact]
    public void Join_should_fail_with_no_seed_answered_when_the_seed_proves_another_id()
    {
        var seed = TestNode.Start(this, _network, _settings, "seed", seed: 2);
        var wrongId = Key.Random(new Random(51));

        _node.Node.Tell(new Join([$"{wrongId}@{MemoryNetwork.Host}:{seed.Port}"]), TestActor);

        Assert.Equal(new JoinFailed("no seed answered"), ExpectMsg<JoinFailed>());
        Assert.Equal(0, _node.Status().Contacts);
    }

    [Fact]
    public void Join_should_fail_saying_that_a_seed_which_answered_is_a_client()
    {
        var seed = TestNode.Start(this, _network, DrogulusConfig.SettingsFrom("drogulus { k = 4, reachability = client }"), "client-seed", seed: 3);

        _node.Node.Tell(new Join([$"{MemoryNetwork.Host}:{seed.Port}"]), TestActor);

        var failed = ExpectMsg<JoinFailed>();
        Assert.StartsWith("no seed answered as a server: every seed that answered is a client", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("reachability = server", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(0, _node.Status().Contacts);
    }

    [Fact]
    public void Join_should_succeed_when_the_seed_is_pinned_by_its_id()
    {
        var seed = TestNode.Start(this, _network, _settings, "seed", seed: 2);

        _node.Node.Tell(new Join([$"{seed.Id}@{MemoryNetwork.Host}:{seed.Port}"]), TestActor);

        Assert.Equal(new Joined(1), ExpectMsg<Joined>());
        Assert.Equal(1, seed.Status().Contacts);
    }

    [Fact]
    public void Get_should_answer_ValueNotFound_when_no_node_of_a_joined_network_holds_the_key()
    {
        var seed = TestNode.Start(this, _network, _settings, "seed", seed: 2);
        var third = TestNode.Start(this, _network, _settings, "third", seed: 3);
        foreach (var joiner in new[] { _node, third })
        {
            joiner.Node.Tell(new Join([$"{MemoryNetwork.Host}:{seed.Port}"]), TestActor);
            ExpectMsg<Joined>();
        }

        var missing = Publisher.KeyFor("missing");
        _node.Node.Tell(new Get(missing), TestActor);

        var notFound = ExpectMsg<ValueNotFound>();
        Assert.Equal(missing, notFound.Key);
        Assert.True(notFound.Stats.RpcsAnswered >= 1);
    }

    private static SignedItem Sign(string name, string value, double timestamp) =>
        SignedItem.Create(Publisher, name, value, timestamp, 0);
}
