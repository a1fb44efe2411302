using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using MessagePack;
using static Drogulus.Core.Tests.Wire.WireSamples;

namespace Drogulus.Core.Tests.Wire;

public sealed class MessageCodecTests
{
    public static TheoryData<int> MessageIndexes() => [.. Enumerable.Range(0, AllTypes().Count)];

    [Theory]
    [MemberData(nameof(MessageIndexes))]
    public void Codec_should_round_trip_when_message_is_of_any_type(int index)
    {
        var message = AllTypes()[index];

        var bytes = MessageCodec.Encode(message);
        var result = MessageCodec.Decode(bytes);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(message, result.Message);
        Assert.Equal(message.GetType(), result.Message.GetType());
        Assert.Equal(bytes, MessageCodec.Encode(result.Message));
    }

    [Fact]
    public void Codec_should_write_exact_canonical_bytes_when_encoding_a_small_ping()
    {
        var node = new Key(Enumerable.Repeat((byte)0x11, 64).ToArray());
        var ping = new PingMessage("u", node, 1, "1.0");

        var expected = Convert.FromHexString(
            "85"
            + "a7" + Hex("message") + "a4" + Hex("ping")
            + "a4" + Hex("node") + "da0040" + string.Concat(Enumerable.Repeat("11", 64))
            + "aa" + Hex("reply_port") + "01"
            + "a4" + Hex("uuid") + "a1" + Hex("u")
            + "a7" + Hex("version") + "a3" + Hex("1.0"));

        Assert.Equal(expected, MessageCodec.Encode(ping));
    }

    [Theory]
    [MemberData(nameof(MessageIndexes))]
    public void Codec_should_write_map_keys_in_ascending_utf8_order_and_only_old_spec_codes(int index)
    {
        var bytes = MessageCodec.Encode(AllTypes()[index]);

        var reader = new MessagePackReader(bytes);
        var count = reader.ReadMapHeader();
        var keys = new List<string>();
        for (var i = 0; i < count; i++)
        {
            keys.Add(reader.ReadString()!);
            reader.Skip();
        }

        Assert.True(reader.End);
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        Assert.Equal(bytes, CanonicalMsgPack.Canonicalize(bytes));
    }

    [Fact]
    public void Codec_should_write_ids_as_64_byte_raws_when_key_has_leading_zero_bytes()
    {
        var small = Key.FromBigInteger(1);
        var bytes = MessageCodec.Encode(new FindNodeMessage("u", small, 1, "1.0", small));

        var header = new byte[] { 0xda, 0x00, 0x40 };
        var count = 0;
        for (var i = 0; i + 3 <= bytes.Length; i++)
        {
            count += bytes.AsSpan(i, 3).SequenceEqual(header) ? 1 : 0;
        }

        Assert.Equal(2, count);
        Assert.Equal(small, ((FindNodeMessage)MessageCodec.Decode(bytes).Message!).Target);
    }

    [Fact]
    public void Codec_should_write_every_float_as_float64_when_encoding_an_item()
    {
        var bytes = MessageCodec.Encode(AllTypes().OfType<StoreMessage>().Single());

        var reader = new MessagePackReader(bytes);
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            if (key is "timestamp" or "expires")
            {
                Assert.Equal(MessagePackCode.Float64, reader.NextCode);
            }

            reader.Skip();
        }
    }

    [Fact]
    public void Codec_should_refuse_to_encode_when_reply_port_is_out_of_range()
    {
        Assert.Throws<ArgumentException>(() => MessageCodec.Encode(new PingMessage("u", NodeId, 65536, "1.0")));
        Assert.Throws<ArgumentException>(() => MessageCodec.Encode(new PingMessage("u", NodeId, -1, "1.0")));
    }

    [Fact]
    public void Codec_should_refuse_to_encode_when_item_value_is_not_one_msgpack_value()
    {
        var item = Item();
        var broken = new Drogulus.Core.Items.SignedItem(item.Key, [], 1, 0, "0.1", "pk", "n", new Dictionary<string, string>(), [1]);

        Assert.Throws<ArgumentException>(() => MessageCodec.Encode(new StoreMessage("u", NodeId, 1, "1.0", broken)));
    }

    [Fact]
    public void Codec_should_round_trip_error_code_when_code_is_not_a_named_value()
    {
        var error = new ErrorMessage("u", NodeId, 1, "1.0", (ErrorCode)42, "Future error", new Dictionary<string, string>());

        var decoded = MessageCodec.Decode(MessageCodec.Encode(error));

        Assert.Equal(error, decoded.Message);
    }

    [Fact]
    public void Message_should_report_is_request_only_for_ping_store_findnode_findvalue_and_dialback()
    {
        var requests = AllTypes().Where(m => m.IsRequest).Select(m => m.WireName).Distinct().Order();

        Assert.Equal(["dialback", "findnode", "findvalue", "ping", "store"], requests);
    }

    [Fact]
    public void Messages_should_compare_by_content_when_collections_are_distinct_instances()
    {
        var a = new NodesMessage("u", NodeId, 1, "1.0", [new NodeInfo(Target, "h", 1, "1.0")]);
        var b = new NodesMessage("u", NodeId, 1, "1.0", new List<NodeInfo> { new(Target, "h", 1, "1.0") });
        var e1 = new ErrorMessage("u", NodeId, 1, "1.0", ErrorCode.BadRequest, "t", new Dictionary<string, string> { ["a"] = "b" });
        var e2 = e1 with { Details = new Dictionary<string, string> { ["a"] = "b" } };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(e1, e2);
        Assert.NotEqual(e1, e1 with { Details = new Dictionary<string, string> { ["a"] = "c" } });
    }

    [Theory]
    [InlineData("1.0", true)]
    [InlineData("1.7", true)]
    [InlineData("1", true)]
    [InlineData("2.0", false)]
    [InlineData("0.9", false)]
    [InlineData("", false)]
    [InlineData("x.1", false)]
    [InlineData("-1.0", false)]
    public void ProtocolVersion_should_accept_only_major_version_1(string version, bool supported)
    {
        Assert.Equal(supported, ProtocolVersion.IsSupported(version));
    }

    [Fact]
    public void ErrorReply_should_echo_uuid_and_use_the_code_title()
    {
        var request = new PingMessage("req-1", Target, 9, "1.3");

        var reply = ErrorReply.For(request, ErrorCode.KeyMismatch, ErrorReply.Details("message", "m"), NodeId, 1908);

        Assert.Equal(new ErrorMessage("req-1", NodeId, 1908, ProtocolVersion.Current, ErrorCode.KeyMismatch, "Key mismatch",
            new Dictionary<string, string> { ["message"] = "m" }), reply);
    }

    [Fact]
    public void ErrorReply_should_carry_an_empty_uuid_when_decode_failure_has_none()
    {
        var failure = MessageCodec.Decode(new byte[] { 0x90 }).Failure!;

        var reply = ErrorReply.For(failure, NodeId, 1908);

        Assert.Equal(string.Empty, reply.Uuid);
        Assert.Equal(ErrorCode.BadRequest, reply.Code);
        Assert.Equal("Bad request", reply.Title);
        Assert.True(MessageCodec.Decode(MessageCodec.Encode(reply)).IsSuccess);
    }

    private static string Hex(string text) => Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(text));
}
