using Drogulus.Core.Items;
using ItemKey = Drogulus.Core.Identity.Key;
using Drogulus.Core.Wire;

namespace Drogulus.Core.Tests.Items;

/// <summary>PROTOCOL §3 "Test vector": reproduced bit for bit, one test per expectation.</summary>
public sealed class SignedItemVectorTests
{
    private static SignedItemVector V => SignedItemVector.Current;

    [Fact]
    public void Vector_copy_should_equal_the_shared_spec_vector_when_the_spec_is_present()
    {
        var shared = Path.Combine(SignedItemVector.RepositoryRoot().FullName, "..", "shared", "spec", "vectors", "signed-item.json");
        Assert.Equal(6, V.Expectations.Count);
        if (File.Exists(shared))
        {
            Assert.Equal(File.ReadAllText(shared), V.Text);
        }
    }

    [Fact]
    public void Canonical_msgpack_should_match_the_vector_for_every_field()
    {
        Assert.Equal(V.CanonicalHex("value"), Hex(CanonicalMsgPack.Encode(V.Value)));
        Assert.Equal(V.CanonicalHex("timestamp"), Hex(CanonicalMsgPack.Encode(V.Timestamp)));
        Assert.Equal(V.CanonicalHex("expires"), Hex(CanonicalMsgPack.Encode(V.Expires)));
        Assert.Equal(V.CanonicalHex("name"), Hex(CanonicalMsgPack.Encode(V.Name)));
        Assert.Equal(V.CanonicalHex("meta"), Hex(CanonicalMsgPack.Encode(V.Meta)));
        Assert.Equal(V.CanonicalHex("created_with"), Hex(CanonicalMsgPack.Encode(V.CreatedWith)));
    }

    [Fact]
    public void Compound_digest_should_match_the_vector()
    {
        Assert.Equal(V.CompoundDigest, V.Item().ComputeDigest());
        Assert.Equal(V.CompoundDigest, ItemDigest.Compute(CanonicalMsgPack.Encode(V.Value), V.Timestamp, V.Expires, V.Name, V.Meta, V.CreatedWith));
    }

    [Fact]
    public void Expectation_1_signing_with_the_private_key_should_give_the_vector_signature_exactly()
    {
        using var publisher = PublisherKey.FromPem(V.PrivateKeyPem);
        Assert.Equal(V.Signature, publisher.SignDigest(V.CompoundDigest));

        var item = SignedItem.Create(publisher, V.Name, V.Value, V.Timestamp, V.Expires, V.Meta, V.CreatedWith);
        Assert.Equal(V.Signature, item.Signature.ToArray());
        Assert.Equal(V.PublicKeyPem, item.PublicKey);
        Assert.Equal(V.KeyWithName, item.Key);
        Assert.Equal(V.Item(), item);
    }

    [Fact]
    public void Expectation_2_the_vector_signature_should_verify_under_the_public_key()
    {
        Assert.True(V.Item().VerifySignature());
        Assert.True(V.Item().Validate(nowUnixSeconds: V.Timestamp).IsValid);
    }

    [Fact]
    public void Expectation_3_the_signature_should_not_verify_under_the_alt_key()
    {
        var item = V.Item(publicKey: V.AltPublicKeyPem, key: ItemKey.For(V.AltPublicKeyPem, V.Name));
        Assert.False(item.VerifySignature());
        Assert.Equal(ErrorCode.UnverifiableProvenance, item.Validate(V.Timestamp).Error);
    }

    [Fact]
    public void Expectation_3_a_bad_public_key_should_fail_verification_without_an_exception()
    {
        var item = V.Item(publicKey: V.BadPublicKeyPem, key: ItemKey.For(V.BadPublicKeyPem, V.Name));
        Assert.False(item.VerifySignature());
        Assert.Equal(ErrorCode.UnverifiableProvenance, item.Validate(V.Timestamp).Error);
    }

    public static TheoryData<string> ChangedFields => ["value", "timestamp", "expires", "name", "meta", "created_with"];

    [Theory]
    [MemberData(nameof(ChangedFields))]
    public void Expectation_4_changing_one_signed_field_should_fail_with_error_6(string field)
    {
        var item = field switch
        {
            "value" => V.Item(value: "other value"),
            "timestamp" => V.Item(timestamp: 1350544046.084876),
            "expires" => V.Item(expires: V.Expires + 1),
            "name" => V.Item(name: "other name"),
            "meta" => V.Item(meta: new Dictionary<string, string> { ["meta"] = "other value" }),
            "created_with" => V.Item(createdWith: "0.2"),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        Assert.NotEqual(V.CompoundDigest, item.ComputeDigest());
        Assert.False(item.VerifySignature());
        Assert.Equal(ErrorCode.UnverifiableProvenance, item.Validate(V.Timestamp).Error);
    }

    [Fact]
    public void Expectation_5_construct_key_should_match_the_vector_with_and_without_a_name()
    {
        Assert.Equal(V.KeyWithName, ItemKey.For(V.PublicKeyPem, "name"));
        Assert.Equal(V.KeyWithoutName, ItemKey.For(V.PublicKeyPem, string.Empty));
        using var publisher = PublisherKey.FromPem(V.PrivateKeyPem);
        Assert.Equal(V.KeyWithName, publisher.KeyFor("name"));
        Assert.Equal(V.KeyWithoutName, publisher.KeyFor(string.Empty));
    }

    [Fact]
    public void Expectation_6_a_key_built_from_the_alt_public_key_should_fail_with_error_7()
    {
        var item = V.Item(key: ItemKey.For(V.AltPublicKeyPem, V.Name));
        Assert.True(item.VerifySignature());
        Assert.Equal(ErrorCode.KeyMismatch, item.Validate(V.Timestamp).Error);
    }

    [Fact]
    public void Expectation_6_a_key_built_from_another_name_should_fail_with_error_7()
    {
        Assert.Equal(ErrorCode.KeyMismatch, V.Item(key: ItemKey.For(V.PublicKeyPem, "other name")).Validate(V.Timestamp).Error);
        Assert.Equal(ErrorCode.KeyMismatch, V.Item(key: V.KeyWithoutName).Validate(V.Timestamp).Error);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
