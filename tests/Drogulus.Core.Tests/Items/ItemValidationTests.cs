using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using ItemKey = Drogulus.Core.Identity.Key;

namespace Drogulus.Core.Tests.Items;

/// <summary>PROTOCOL §3 "Validation of an item": rules 1, 2, 3 in that order, first failure decides.</summary>
public sealed class ItemValidationTests
{
    private static SignedItemVector V => SignedItemVector.Current;

    [Fact]
    public void Validate_should_report_error_6_when_both_signature_and_key_are_wrong()
    {
        var item = V.Item(timestamp: V.Timestamp + 1, key: ItemKey.For(V.AltPublicKeyPem, "x"));
        Assert.Equal(ErrorCode.UnverifiableProvenance, item.Validate(V.Timestamp).Error);
    }

    [Fact]
    public void Validate_should_report_error_6_when_signature_is_wrong_and_item_is_expired()
    {
        var item = V.Item(timestamp: V.Timestamp + 1);
        Assert.Equal(ErrorCode.UnverifiableProvenance, item.Validate(V.Expires + 100).Error);
    }

    [Fact]
    public void Validate_should_report_error_7_when_key_is_wrong_and_item_is_expired()
    {
        var item = V.Item(key: V.KeyWithoutName);
        Assert.Equal(ErrorCode.KeyMismatch, item.Validate(V.Expires + 100).Error);
    }

    [Fact]
    public void Validate_should_report_error_9_when_signature_and_key_are_valid_but_item_expired()
    {
        var result = V.Item().Validate(V.Expires + 0.5);
        Assert.False(result.IsValid);
        Assert.Equal(ErrorCode.ExpiredValue, result.Error);
    }

    [Fact]
    public void Validate_should_treat_item_as_expired_when_expires_equals_now()
    {
        Assert.Equal(ErrorCode.ExpiredValue, V.Item().Validate(V.Expires).Error);
        Assert.True(V.Item().Validate(Math.BitDecrement(V.Expires)).IsValid);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(-1e300)]
    public void Validate_should_never_expire_an_item_when_expires_is_not_positive(double expires)
    {
        using var publisher = PublisherKey.FromPem(V.PrivateKeyPem);
        var item = SignedItem.Create(publisher, "forever", "value", timestamp: 1, expires: expires);
        Assert.False(item.IsExpiredAt(double.MaxValue));
        Assert.Equal(ItemValidation.Ok, item.Validate(double.MaxValue));
        Assert.Equal(ItemValidation.Ok, item.Validate(0));
    }

    [Fact]
    public void Validate_should_report_error_6_when_the_key_is_shorter_than_min_rsa_key_bits()
    {
        Assert.True(V.Item().Validate(V.Timestamp, minRsaKeyBits: 1024).IsValid);
        Assert.Equal(ErrorCode.UnverifiableProvenance, V.Item().Validate(V.Timestamp, minRsaKeyBits: 1025).Error);
        Assert.False(V.Item().VerifySignature(minRsaKeyBits: 2048));
    }

    [Fact]
    public void Validate_should_report_error_6_when_the_signature_is_truncated_or_empty()
    {
        Assert.Equal(ErrorCode.UnverifiableProvenance, V.Item(signature: V.Signature[..^1]).Validate(V.Timestamp).Error);
        Assert.Equal(ErrorCode.UnverifiableProvenance, V.Item(signature: []).Validate(V.Timestamp).Error);
        var flipped = V.Signature.ToArray();
        flipped[10] ^= 1;
        Assert.Equal(ErrorCode.UnverifiableProvenance, V.Item(signature: flipped).Validate(V.Timestamp).Error);
    }

    [Fact]
    public void Validate_should_accept_the_public_key_with_surrounding_white_space()
    {
        // construct_key trims the PEM text, so the same key with a trailing newline still names the item.
        var pem = V.PublicKeyPem + "\n";
        Assert.True(V.Item(publicKey: pem).Validate(V.Timestamp).IsValid);
    }

    [Fact]
    public void ItemValidation_should_describe_the_failure()
    {
        Assert.True(ItemValidation.Ok.IsValid);
        Assert.Null(ItemValidation.Ok.Error);
        Assert.Equal("Valid", ItemValidation.Ok.ToString());
        Assert.Equal("Invalid(7 Key mismatch)", ItemValidation.Fail(ErrorCode.KeyMismatch).ToString());
    }

    [Fact]
    public void Create_should_canonicalize_the_value_and_produce_a_valid_item()
    {
        using var publisher = PublisherKey.FromPem(V.PrivateKeyPem);

        // {"b": 1, "a": str8 "x"}: keys out of order and a str8 header, both non-canonical.
        byte[] value = [0x82, 0xa1, (byte)'b', 0x01, 0xa1, (byte)'a', 0xd9, 0x01, (byte)'x'];
        var meta = new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" };
        var item = SignedItem.Create(publisher, "n", value, timestamp: 10, expires: 20, meta);

        Assert.Equal<byte>([0x82, 0xa1, (byte)'a', 0xa1, (byte)'x', 0xa1, (byte)'b', 0x01], item.Value.ToArray());
        Assert.Equal(SignedItem.DefaultCreatedWith, item.CreatedWith);
        Assert.Equal(publisher.KeyFor("n"), item.Key);
        Assert.Equal(["a", "z"], item.Meta.Keys);
        Assert.True(item.Validate(15).IsValid);
        Assert.Equal(ErrorCode.ExpiredValue, item.Validate(20).Error);
    }

    [Fact]
    public void Create_should_reject_a_value_when_it_is_not_one_msgpack_value()
    {
        using var publisher = PublisherKey.FromPem(V.PrivateKeyPem);
        Assert.Throws<FormatException>(() => SignedItem.Create(publisher, "n", new byte[] { 0xc0, 0xc0 }, 1, 0));
        Assert.Throws<FormatException>(() => SignedItem.Create(publisher, "n", ReadOnlyMemory<byte>.Empty, 1, 0));
    }

    [Theory]
    [InlineData(double.NaN, 0)]
    [InlineData(1, double.PositiveInfinity)]
    public void Create_should_reject_times_when_not_finite(double timestamp, double expires)
    {
        using var publisher = PublisherKey.FromPem(V.PrivateKeyPem);
        Assert.Throws<ArgumentOutOfRangeException>(() => SignedItem.Create(publisher, "n", "v", timestamp, expires));
    }

    [Fact]
    public void Digest_should_not_depend_on_meta_insertion_order()
    {
        var forward = new Dictionary<string, string> { ["\uFFFD"] = "1", ["\U0001F600"] = "2", ["a"] = "3" };
        var backward = new Dictionary<string, string> { ["a"] = "3", ["\U0001F600"] = "2", ["\uFFFD"] = "1" };
        Assert.Equal(V.Item(meta: forward).ComputeDigest(), V.Item(meta: backward).ComputeDigest());
        Assert.NotEqual(V.Item().ComputeDigest(), V.Item(meta: forward).ComputeDigest());
    }
}
