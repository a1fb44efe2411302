using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Testing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Storage;

/// <summary>PROTOCOL §6: <c>store</c> and <c>findvalue</c> answered over the wire to a raw peer.</summary>
public sealed class StoreRulesTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    private static readonly Dictionary<string, string> Blacklisted = new() { ["message"] = "You have been blacklisted." };

    private readonly MemoryNetwork _network = new();
    private readonly TestNode _node;
    private readonly RawPeer _peer;
    private readonly double _now;

    public StoreRulesTests()
        : base(BusyMachine.Waits + "akka.loglevel = ERROR")
    {
        _node = TestNode.Start(this, _network, DrogulusConfig.SettingsFrom("drogulus.k = 4"));
        _peer = new RawPeer(this, _network, Key.Random(new Random(7)));
        _now = Sys.Scheduler.Now.ToUnixTimeSeconds();
    }

    [Fact]
    public void Store_should_answer_pong_and_keep_the_item_when_it_is_valid()
    {
        var item = Sign("valid", "v", _now, 0);

        var uuid = Store(item);

        _peer.ExpectReply<PongMessage>(uuid);
        Assert.Equal(1, _node.Status().Items);
    }

    [Fact]
    public void Store_should_answer_error_6_and_blacklist_the_sender_when_the_signature_does_not_verify()
    {
        var good = Sign("forged", "v", _now, 0);
        var signature = good.Signature.ToArray();
        signature[10] ^= 0x40;
        var forged = new SignedItem(good.Key, good.Value.Span, good.Timestamp, good.Expires, good.CreatedWith, good.PublicKey, good.Name, good.Meta, signature);

        var error = _peer.ExpectReply<ErrorMessage>(Store(forged));

        Assert.Equal(ErrorCode.UnverifiableProvenance, error.Code);
        Assert.Equal(Blacklisted, error.Details);
        AssertBlacklisted();
        Assert.Equal(0, _node.Status().Items);
    }

    [Fact]
    public void Store_should_answer_error_7_and_blacklist_the_sender_when_the_key_is_not_construct_key()
    {
        var good = Sign("misplaced", "v", _now, 0);
        var misplaced = new SignedItem(Publisher.KeyFor("elsewhere"), good.Value.Span, good.Timestamp, good.Expires, good.CreatedWith, good.PublicKey, good.Name, good.Meta, good.Signature.Span);

        var error = _peer.ExpectReply<ErrorMessage>(Store(misplaced));

        Assert.Equal(ErrorCode.KeyMismatch, error.Code);
        Assert.Equal(Blacklisted, error.Details);
        AssertBlacklisted();
    }

    [Fact]
    public void Store_should_answer_error_9_without_blacklisting_when_the_item_has_expired()
    {
        var expired = Sign("expired", "v", _now - 100, _now - 10);

        var error = _peer.ExpectReply<ErrorMessage>(Store(expired));

        Assert.Equal(ErrorCode.ExpiredValue, error.Code);
        Assert.False(error.Details.ContainsKey("message"));
        var ping = _peer.Send(_node.Transport, new PingMessage("", default, 0, ""));
        _peer.ExpectReply<PongMessage>(ping);
        Assert.Equal(0, _node.Status().Items);
    }

    [Fact]
    public void Store_should_answer_error_8_with_the_held_whole_seconds_and_keep_the_newer_item_when_the_timestamp_is_older()
    {
        // Timestamps near the node's clock: an item older than max-item-age would be refused as expired.
        var newer = Sign("versioned", "new", _now - 100 + 0.75, 0);
        var older = Sign("versioned", "old", _now - 200 + 0.5, 0);
        _peer.ExpectReply<PongMessage>(Store(newer));

        var error = _peer.ExpectReply<ErrorMessage>(Store(older));

        Assert.Equal(ErrorCode.SupersededValue, error.Code);
        Assert.Equal(new Dictionary<string, string> { ["new_timestamp"] = (_now - 100).ToString(System.Globalization.CultureInfo.InvariantCulture) }, error.Details);
        Assert.Equal(newer, FindValue(newer.Key).Item);
    }

    [Fact]
    public void Store_should_overwrite_the_held_item_when_the_timestamp_is_equal()
    {
        var first = Sign("same-time", "first", _now - 100, 0);
        var second = Sign("same-time", "second", _now - 100, 0);
        _peer.ExpectReply<PongMessage>(Store(first));

        _peer.ExpectReply<PongMessage>(Store(second));

        Assert.Equal(second, FindValue(second.Key).Item);
        Assert.Equal(1, _node.Status().Items);
    }

    [Fact]
    public void FindValue_should_answer_value_with_every_field_of_the_held_item_when_it_is_held()
    {
        var meta = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        var item = SignedItem.Create(Publisher, "held", CanonicalMsgPack.Encode(meta), _now, _now + 3600, meta, "tests 1.0");
        _peer.ExpectReply<PongMessage>(Store(item));

        var value = FindValue(item.Key);

        Assert.Equal(item, value.Item);
        Assert.Equal(item.Value.ToArray(), value.Item.Value.ToArray());
        Assert.Equal(item.Meta, value.Item.Meta);
        Assert.Equal("tests 1.0", value.Item.CreatedWith);
        Assert.Equal(_node.Id, value.Node);
    }

    [Fact]
    public void FindValue_should_answer_nodes_without_the_requester_when_the_key_is_not_held()
    {
        var other = new RawPeer(this, _network, Key.Random(new Random(8)));
        other.Introduce(_node.Transport);
        _peer.Introduce(_node.Transport);

        var uuid = _peer.Send(_node.Transport, new FindValueMessage("", default, 0, "", Publisher.KeyFor("absent")));

        var nodes = _peer.ExpectReply<NodesMessage>(uuid);
        Assert.Equal([new NodeInfo(other.Id, other.Address, other.Port, ProtocolVersion.Current)], nodes.Nodes);
    }

    private SignedItem Sign(string name, string value, double timestamp, double expires) =>
        SignedItem.Create(Publisher, name, value, timestamp, expires);

    private string Store(SignedItem item) => _peer.Send(_node.Transport, new StoreMessage("", default, 0, "", item));

    private ValueMessage FindValue(Key key)
    {
        var uuid = _peer.Send(_node.Transport, new FindValueMessage("", default, 0, "", key));
        return _peer.ExpectReply<ValueMessage>(uuid);
    }

    private void AssertBlacklisted()
    {
        var uuid = _peer.Send(_node.Transport, new PingMessage("", default, 0, ""));
        var error = _peer.ExpectReply<ErrorMessage>(uuid);
        Assert.Equal(ErrorCode.BadRequest, error.Code);
        Assert.Equal(Blacklisted, error.Details);
    }
}
