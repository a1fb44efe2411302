using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Testing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Storage;

/// <summary>Issue 10 over the wire: <c>max-item-size</c>, quotas, <c>max-rsa-key-bits</c> and identical re-stores.</summary>
public sealed class StoreLimitsTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    private readonly MemoryNetwork _network = new();
    private readonly TestNode _node;
    private readonly RawPeer _peer;
    private readonly double _now;

    public StoreLimitsTests()
        : base(BusyMachine.Waits + "akka.loglevel = ERROR")
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { k = 4, max-item-size = 1 KiB, max-items-per-publisher = 2, max-rsa-key-bits = 2048 }");
        _node = TestNode.Start(this, _network, settings);
        _peer = new RawPeer(this, _network, Key.Random(new Random(7)));
        _now = Sys.Scheduler.Now.ToUnixTimeSeconds();
    }

    [Fact]
    public void Store_should_answer_error_4_and_keep_the_connection_when_the_value_is_larger_than_max_item_size()
    {
        var item = SignedItem.Create(Publisher, "big", new string('x', 1100), _now, 0);

        var error = _peer.ExpectReply<ErrorMessage>(Store(item));

        Assert.Equal(ErrorCode.RequestTooBig, error.Code);
        Assert.Equal("Request too big", error.Title);
        Assert.Equal(new Dictionary<string, string> { ["value"] = "larger than max-item-size" }, error.Details);
        _peer.ExpectReply<PongMessage>(_peer.Send(_node.Transport, new PingMessage("", default, 0, "")));
        Assert.Equal(0, _node.Status().Items);
    }

    [Fact]
    public void Store_should_answer_error_11_when_the_publisher_quota_is_full_and_no_cached_copy_can_give_way()
    {
        _peer.ExpectReply<PongMessage>(Store(SignedItem.Create(Publisher, "one", "v", _now, 0)));
        _peer.ExpectReply<PongMessage>(Store(SignedItem.Create(Publisher, "two", "v", _now, 0)));

        var error = _peer.ExpectReply<ErrorMessage>(Store(SignedItem.Create(Publisher, "three", "v", _now, 0)));

        Assert.Equal(ErrorCode.StorageFull, error.Code);
        Assert.Equal("Storage full", error.Title);
        Assert.Equal(2, _node.Status().Items);
        _peer.ExpectReply<PongMessage>(_peer.Send(_node.Transport, new PingMessage("", default, 0, "")));
    }

    [Fact]
    public void Store_should_answer_pong_again_when_the_same_item_is_stored_twice()
    {
        var item = SignedItem.Create(Publisher, "twice", "v", _now, 0);
        _peer.ExpectReply<PongMessage>(Store(item));

        _peer.ExpectReply<PongMessage>(Store(item));

        Assert.Equal(1, _node.Status().Items);
    }

    [Fact]
    public void Store_should_answer_error_6_and_blacklist_when_the_key_is_longer_than_max_rsa_key_bits()
    {
        using var longKey = PublisherKey.Generate(3072);
        var item = SignedItem.Create(longKey, "long-key", "v", _now, 0);

        var error = _peer.ExpectReply<ErrorMessage>(Store(item));

        Assert.Equal(ErrorCode.UnverifiableProvenance, error.Code);
        Assert.Equal(0, _node.Status().Items);
    }

    [Fact]
    public void Put_should_fail_with_value_too_large_and_error_4_when_the_value_is_larger_than_max_item_size()
    {
        var item = SignedItem.Create(Publisher, "big-put", new string('x', 1100), _now, 0);

        _node.Node.Tell(new Put(item), TestActor);

        var failed = ExpectMsg<PutFailed>();
        Assert.Equal(PutFailureKind.ValueTooLarge, failed.Kind);
        Assert.Equal((int)ErrorCode.RequestTooBig, failed.ErrorCode);
        Assert.Equal("larger than max-item-size", failed.Details["value"]);
        Assert.Equal(0, _node.Status().Items);
    }

    [Fact]
    public void Put_should_fail_with_invalid_item_and_its_error_code_when_the_signature_does_not_verify()
    {
        var good = SignedItem.Create(Publisher, "forged-put", "v", _now, 0);
        var signature = good.Signature.ToArray();
        signature[3] ^= 1;
        var forged = new SignedItem(good.Key, good.Value.Span, good.Timestamp, good.Expires, good.CreatedWith, good.PublicKey, good.Name, good.Meta, signature);

        _node.Node.Tell(new Put(forged), TestActor);

        var failed = ExpectMsg<PutFailed>();
        Assert.Equal(PutFailureKind.InvalidItem, failed.Kind);
        Assert.Equal((int)ErrorCode.UnverifiableProvenance, failed.ErrorCode);
    }

    private string Store(SignedItem item) => _peer.Send(_node.Transport, new StoreMessage("", default, 0, "", item));
}
