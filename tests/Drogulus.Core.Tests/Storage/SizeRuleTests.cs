using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Storage;

/// <summary>Issue 10, PROTOCOL §6 and §10: <c>max-item-size</c> at every store and at put.</summary>
public sealed class SizeRuleTests
{
    private const int MaxItemSize = 1000;

    private readonly InMemoryItemStore _rows = new();
    private readonly LocalStore _store;

    public SizeRuleTests() => _store = new LocalStore(_rows, new StoreLimits(MaxItemSize, 1_000_000, 100));

    [Fact]
    public void Store_should_refuse_with_error_4_and_value_details_when_value_is_larger_than_max_item_size()
    {
        var item = Item(value: new string('x', MaxItemSize));

        var outcome = _store.Store(item, T0);

        Assert.Equal(ErrorCode.RequestTooBig, outcome.Error);
        Assert.Equal(new Dictionary<string, string> { ["value"] = "larger than max-item-size" }, outcome.Details);
        Assert.Null(_rows.Get(item.Key));
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void Store_should_accept_value_when_its_canonical_size_equals_max_item_size()
    {
        // A raw string of n >= 32 bytes and < 65536 encodes as 0xda, two length bytes and the text.
        var item = Item(value: new string('x', MaxItemSize - 3));
        Assert.Equal(MaxItemSize, item.Value.Length);

        Assert.True(_store.Store(item, T0).IsStored);
    }

    [Fact]
    public void Store_should_answer_superseded_before_size_when_a_newer_item_is_held()
    {
        _store.Store(Item(timestamp: 200), T0);

        var outcome = _store.Store(Item(timestamp: 100, value: new string('x', 2 * MaxItemSize)), T0);

        Assert.Equal(ErrorCode.SupersededValue, outcome.Error);
    }

    [Fact]
    public void PutCheck_should_refuse_value_too_large_when_value_exceeds_max_item_size()
    {
        Assert.Equal(PutRefusal.ValueTooLarge, PutCheck.Check(Item(value: new string('x', 2000)), 1000, 1 << 20));
        Assert.Equal(PutRefusal.None, PutCheck.Check(Item(value: new string('x', 500)), 1000, 1 << 20));
    }

    [Fact]
    public void PutCheck_should_refuse_frame_too_large_when_the_store_message_cannot_fit_max_frame_size()
    {
        var bigMeta = new Dictionary<string, string> { ["m"] = new string('y', 4000) };
        var item = Item(value: "small", meta: bigMeta);

        Assert.Equal(PutRefusal.FrameTooLarge, PutCheck.Check(item, 1000, 4000));
        Assert.Equal(PutRefusal.None, PutCheck.Check(item, 1000, 8000));
    }

    [Fact]
    public void StoreFrameBound_should_be_at_least_the_encoded_store_message_when_the_envelope_is_longest()
    {
        var item = Item(value: new string('x', 300));
        var encoded = MessageCodec.Encode(new StoreMessage(Guid.NewGuid().ToString(), Drogulus.Core.Identity.Key.For(Pem, "node"), 65535, "1.0", item));

        Assert.InRange(ItemSize.StoreFrameBound(item), encoded.Length, encoded.Length + 64);
    }

    [Fact]
    public void StoreFrameOverhead_should_cover_a_store_message_when_the_key_is_4096_bits_and_meta_is_modest()
    {
        using var publisher = Drogulus.Core.Items.PublisherKey.Generate(4096);
        var meta = Enumerable.Range(0, 20).ToDictionary(i => "key" + i, i => new string('m', 100));
        var value = CanonicalMsgPack.Encode(new string('v', (64 * 1024) - 3));
        var item = Drogulus.Core.Items.SignedItem.Create(publisher, new string('n', 500), value, 1, 0, meta);

        Assert.Equal(64 * 1024, item.Value.Length);
        Assert.True(ItemSize.StoreFrameBound(item) <= (64 * 1024) + StoreLimits.StoreFrameOverhead);
    }
}
