using Drogulus.Core.Wire;
using static Drogulus.Core.Tests.Wire.WireSamples;

namespace Drogulus.Core.Tests.Wire;

/// <summary>PROTOCOL §4: a msgpack count that cannot fit the frame is a malformed frame (error 1), checked before anything is allocated.</summary>
public sealed class MsgPackBoundsTests
{
    // Headers whose counts promise more than the frame holds: array32/map32 of 2^31 and 2^32-1, array16/map16,
    // str32/bin32 of 2^31, fixarray/fixmap a little too long.
    public static TheoryData<string> Impossible() => new()
    {
        "dd80000000",
        "ddffffffff",
        "df80000000",
        "dfffffffff",
        "dc0100",
        "de0100",
        "db80000000",
        "c6ffffffff",
        "da0010",
        "93c0c0",
        "82c0c0c0",
    };

    [Theory]
    [MemberData(nameof(Impossible))]
    public void Decoder_should_answer_bad_request_when_an_unknown_field_holds_a_count_that_cannot_fit(string hex)
    {
        var fields = PingFields();
        fields.Add(("extra", new Raw(Convert.FromHexString(hex))));

        var failure = MessageCodec.Decode(Map(fields)).Failure;

        Assert.NotNull(failure);
        Assert.Equal(ErrorCode.BadRequest, failure.Code);
    }

    [Theory]
    [InlineData("df80000000")]
    [InlineData("dfffffffff")]
    [InlineData("de7fff")]
    public void Decoder_should_answer_bad_request_when_the_top_map_count_cannot_fit(string hex)
    {
        var payload = Convert.FromHexString(hex).Concat(Map(PingFields())[1..]).ToArray();

        var failure = MessageCodec.Decode(payload).Failure;

        Assert.NotNull(failure);
        Assert.Equal(ErrorCode.BadRequest, failure.Code);
    }

    [Theory]
    [InlineData("details", "df80000000")]
    [InlineData("details", "dfffffffff")]
    [InlineData("nodes", "dd80000000")]
    [InlineData("nodes", "ddffffffff")]
    public void Decoder_should_answer_bad_request_not_unknown_request_when_a_known_field_count_cannot_fit(string field, string hex)
    {
        var fields = Set(Set(Set(PingFields(), "message", field == "nodes" ? "nodes" : "error"), "code", 2), "title", "t");
        Set(fields, "details", new Dictionary<string, string>());
        Set(fields, field, new Raw(Convert.FromHexString(hex)));

        var failure = MessageCodec.Decode(Map(fields)).Failure;

        Assert.NotNull(failure);
        Assert.Equal(ErrorCode.BadRequest, failure.Code);
    }

    [Fact]
    public void Decoder_should_answer_bad_request_when_a_value_count_cannot_fit()
    {
        var failure = MessageCodec.Decode(Map(Set(StoreFields(), "value", new Raw(Convert.FromHexString("dd80000000"))))).Failure;

        Assert.NotNull(failure);
        Assert.Equal(ErrorCode.BadRequest, failure.Code);
    }

    [Theory]
    [InlineData("dd00000002c0c0")]
    [InlineData("df00000001c0c0")]
    [InlineData("db00000002c0c0")]
    [InlineData("92c0c0")]
    public void Decoder_should_accept_long_form_counts_when_they_fit(string hex)
    {
        var fields = PingFields();
        fields.Add(("extra", new Raw(Convert.FromHexString(hex))));

        Assert.True(MessageCodec.Decode(Map(fields)).IsSuccess);
    }

    [Fact]
    public void Canonicalize_should_refuse_when_an_array_count_cannot_fit()
    {
        Assert.Throws<FormatException>(() => CanonicalMsgPack.Canonicalize(Convert.FromHexString("dd80000000c0")));
    }
}
