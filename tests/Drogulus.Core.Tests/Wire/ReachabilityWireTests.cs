using Drogulus.Core.Wire;
using static Drogulus.Core.Tests.Wire.WireSamples;

namespace Drogulus.Core.Tests.Wire;

/// <summary>PROTOCOL §4 (third edition): <c>seen</c> on replies, the <c>dialback</c> request, the <c>ping</c> nonce; §12 error 12.</summary>
public sealed class ReachabilityWireTests
{
    [Fact]
    public void Codec_should_write_exact_canonical_bytes_when_a_pong_carries_seen()
    {
        var pong = new PongMessage("u", NodeId, 1, "1.0") { Seen = new SeenAddress("1.2.3.4", 300) };

        // `seen` sorts between `reply_port` and `uuid`; the port takes its smallest encoding (uint16).
        var expected = Convert.FromHexString(
            "86"
            + "a7" + Hex("message") + "a4" + Hex("pong")
            + "a4" + Hex("node") + "da0040" + Convert.ToHexString(NodeId.ToArray())
            + "aa" + Hex("reply_port") + "01"
            + "a4" + Hex("seen") + "92" + "a7" + Hex("1.2.3.4") + "cd012c"
            + "a4" + Hex("uuid") + "a1" + Hex("u")
            + "a7" + Hex("version") + "a3" + Hex("1.0"));

        Assert.Equal(expected, MessageCodec.Encode(pong));
    }

    [Fact]
    public void Codec_should_write_the_dialback_port_and_nonce_as_an_int_and_a_16_byte_raw()
    {
        var dialback = new DialbackMessage("u", NodeId, 0, "1.0", 1908, Nonce);

        var expected = Convert.FromHexString(
            "87"
            + "a7" + Hex("message") + "a8" + Hex("dialback")
            + "a4" + Hex("node") + "da0040" + Convert.ToHexString(NodeId.ToArray())
            + "a5" + Hex("nonce") + "b0" + "000102030405060708090A0B0C0D0E0F"
            + "a4" + Hex("port") + "cd0774"
            + "aa" + Hex("reply_port") + "00"
            + "a4" + Hex("uuid") + "a1" + Hex("u")
            + "a7" + Hex("version") + "a3" + Hex("1.0"));

        Assert.Equal(expected, MessageCodec.Encode(dialback));
    }

    [Fact]
    public void Codec_should_not_write_seen_when_the_message_is_a_request()
    {
        var ping = new PingMessage("u", NodeId, 1, "1.0") { Seen = new SeenAddress("1.2.3.4", 300) };

        var decoded = MessageCodec.Decode(MessageCodec.Encode(ping));

        Assert.Null(decoded.Message!.Seen);
        Assert.Equal(MessageCodec.Encode(ping with { Seen = null }), MessageCodec.Encode(ping));
    }

    [Fact]
    public void Decoder_should_accept_a_reply_without_seen()
    {
        var decoded = MessageCodec.Decode(Map(PongFields()));

        Assert.True(decoded.IsSuccess, decoded.ToString());
        Assert.Null(decoded.Message.Seen);
    }

    [Fact]
    public void Decoder_should_read_seen_when_a_reply_carries_it()
    {
        var decoded = MessageCodec.Decode(Map(Set(PongFields(), "seen", new object[] { "198.51.100.9", 61000 })));

        Assert.Equal(new SeenAddress("198.51.100.9", 61000), decoded.Message!.Seen);
    }

    [Fact]
    public void Decoder_should_ignore_seen_when_a_request_carries_it()
    {
        var decoded = MessageCodec.Decode(Map(Set(PingFields(), "seen", "not even an array")));

        Assert.True(decoded.IsSuccess, decoded.ToString());
        Assert.Null(decoded.Message.Seen);
    }

    public static TheoryData<object?> BadSeen() => new()
    {
        { "1.2.3.4:5" },
        { new object[] { "1.2.3.4" } },
        { new object[] { "1.2.3.4", 5, 6 } },
        { new object[] { "1.2.3.4", 65536 } },
        { new object[] { "1.2.3.4", -1 } },
        { new object[] { "", 5 } },
        { new object[] { 5, "1.2.3.4" } },
        { null },
    };

    [Theory]
    [MemberData(nameof(BadSeen))]
    public void Decoder_should_report_invalid_value_when_a_reply_has_a_malformed_seen(object? seen)
    {
        var failure = Fail(Set(PongFields(), "seen", seen));

        Assert.Equal(ErrorCode.UnknownRequest, failure.Code);
        Assert.Equal(Details(("seen", "Invalid value.")), failure.Details);
    }

    [Fact]
    public void Decoder_should_read_a_ping_without_nonce_as_a_plain_ping()
    {
        var decoded = MessageCodec.Decode(Map(PingFields()));

        Assert.Null(((PingMessage)decoded.Message!).Nonce);
    }

    [Fact]
    public void Decoder_should_read_the_nonce_when_a_ping_carries_one()
    {
        var decoded = MessageCodec.Decode(Map(Set(PingFields(), "nonce", new Bin(Nonce.ToArray()))));

        Assert.Equal(Nonce, ((PingMessage)decoded.Message!).Nonce);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(0)]
    public void Decoder_should_report_invalid_value_when_a_ping_nonce_is_not_16_bytes(int length)
    {
        Assert.Equal(Details(("nonce", "Invalid value.")), Fail(Set(PingFields(), "nonce", new byte[length])).Details);
    }

    [Fact]
    public void Decoder_should_read_a_dialback()
    {
        var decoded = MessageCodec.Decode(Map(DialbackFields()));

        Assert.Equal(new DialbackMessage("the-uuid", NodeId, 1908, "1.0", 1908, Nonce), decoded.Message);
    }

    public static TheoryData<string, object?> BadDialback() => new()
    {
        { "port", 0 },
        { "port", 65536 },
        { "port", -5 },
        { "port", "1908" },
        { "port", 1908.0 },
        { "nonce", new byte[15] },
        { "nonce", new byte[17] },
        { "nonce", 7 },
        { "nonce", new object[] { new byte[16] } },
    };

    [Theory]
    [MemberData(nameof(BadDialback))]
    public void Decoder_should_answer_error_2_when_a_dialback_field_is_invalid(string field, object? value)
    {
        var failure = Fail(Set(DialbackFields(), field, value));

        Assert.Equal(ErrorCode.UnknownRequest, failure.Code);
        Assert.Equal(Details((field, "Invalid value.")), failure.Details);
        Assert.Equal("the-uuid", failure.Uuid);
    }

    [Theory]
    [InlineData("port")]
    [InlineData("nonce")]
    public void Decoder_should_answer_error_2_when_a_dialback_field_is_missing(string field)
    {
        var failure = Fail(Without(DialbackFields(), field));

        Assert.Equal(ErrorCode.UnknownRequest, failure.Code);
        Assert.Equal(Details((field, "Missing field.")), failure.Details);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void Encoder_should_refuse_a_dialback_whose_port_is_outside_1_to_65535(int port)
    {
        Assert.Throws<ArgumentException>(() => MessageCodec.Encode(new DialbackMessage("u", NodeId, 0, "1.0", port, Nonce)));
    }

    [Fact]
    public void Nonce_should_refuse_bytes_of_another_size_and_round_trip_its_own()
    {
        Assert.Throws<ArgumentException>(() => new DialbackNonce(new byte[15]));
        Assert.Equal(Nonce, new DialbackNonce(Nonce.ToArray()));
        Assert.NotEqual(DialbackNonce.NewRandom(), DialbackNonce.NewRandom());
        Assert.Equal(DialbackNonce.From(new Random(7)), DialbackNonce.From(new Random(7)));
    }

    [Fact]
    public void Seen_should_be_compared_by_record_equality()
    {
        var a = new PongMessage("u", NodeId, 1, "1.0") { Seen = new SeenAddress("1.2.3.4", 5) };

        Assert.Equal(a, a with { Seen = new SeenAddress("1.2.3.4", 5) });
        Assert.NotEqual(a, a with { Seen = new SeenAddress("1.2.3.4", 6) });
        Assert.NotEqual(a, a with { Seen = null });
    }

    private static string Hex(string text) => Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(text));

    private static DecodeFailure Fail(IEnumerable<(string Key, object? Value)> fields)
    {
        var result = MessageCodec.Decode(Map(fields));
        Assert.False(result.IsSuccess, result.ToString());
        return result.Failure;
    }

    private static Dictionary<string, string> Details(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);
}
