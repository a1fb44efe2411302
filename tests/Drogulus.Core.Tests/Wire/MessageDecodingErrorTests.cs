using Drogulus.Core.Wire;
using static Drogulus.Core.Tests.Wire.WireSamples;

namespace Drogulus.Core.Tests.Wire;

/// <summary>PROTOCOL §4 "Decoding errors", §12 codes 1, 2 and 5.</summary>
public sealed class MessageDecodingErrorTests
{
    [Fact]
    public void Decoder_should_answer_unknown_request_with_context_when_message_type_is_unknown()
    {
        var failure = Fail(Set(PingFields(), "message", "launch"));

        Assert.Equal(ErrorCode.UnknownRequest, failure.Code);
        Assert.Equal(Details(("context", "launch is not a valid message type.")), failure.Details);
        Assert.Equal("the-uuid", failure.Uuid);
    }

    [Theory]
    [InlineData("message")]
    [InlineData("uuid")]
    [InlineData("node")]
    [InlineData("reply_port")]
    [InlineData("version")]
    public void Decoder_should_report_missing_field_when_a_common_field_is_absent(string field)
    {
        var failure = Fail(Without(PingFields(), field));

        Assert.Equal(ErrorCode.UnknownRequest, failure.Code);
        Assert.Equal(Details((field, "Missing field.")), failure.Details);
    }

    [Theory]
    [InlineData("key")]
    [InlineData("value")]
    [InlineData("timestamp")]
    [InlineData("expires")]
    [InlineData("created_with")]
    [InlineData("public_key")]
    [InlineData("name")]
    [InlineData("meta")]
    [InlineData("sig")]
    public void Decoder_should_report_missing_field_when_an_item_field_is_absent(string field)
    {
        var failure = Fail(Without(StoreFields(), field));

        Assert.Equal(Details((field, "Missing field.")), failure.Details);
    }

    public static TheoryData<string, object?> WrongTypes() => new()
    {
        { "reply_port", "1908" },
        { "reply_port", 65536 },
        { "reply_port", -1 },
        { "reply_port", 1.5 },
        { "uuid", 7 },
        { "node", "short" },
        { "version", new object[] { "1.0" } },
        { "timestamp", 1350544046 },
        { "expires", "never" },
        { "name", 3 },
        { "created_with", null },
        { "meta", new object[] { "meta" } },
        { "meta", new Raw([0x81, 0xa1, (byte)'a', 0x01]) },
        { "sig", 12 },
        { "value", new Raw([0xd4, 0x01, 0x00]) },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void Decoder_should_report_invalid_value_when_a_field_has_the_wrong_type(string field, object? value)
    {
        var failure = Fail(Set(StoreFields(), field, value));

        Assert.Equal(ErrorCode.UnknownRequest, failure.Code);
        Assert.Equal(Details((field, "Invalid value.")), failure.Details);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(0)]
    public void Decoder_should_report_invalid_value_when_key_is_not_exactly_64_bytes(int length)
    {
        var fields = Set(Set(PingFields(), "message", "findnode"), "key", new byte[length]);

        Assert.Equal(Details(("key", "Invalid value.")), Fail(fields).Details);
    }

    [Fact]
    public void Decoder_should_report_invalid_value_when_node_id_is_63_bytes()
    {
        Assert.Equal(Details(("node", "Invalid value.")), Fail(Set(PingFields(), "node", new byte[63])).Details);
    }

    [Fact]
    public void Decoder_should_list_all_bad_fields_together_when_several_are_wrong()
    {
        var fields = Set(Set(Without(StoreFields(), "sig"), "name", 3), "key", new byte[63]);
        Set(fields, "reply_port", "x");

        var failure = Fail(fields);

        Assert.Equal(
            Details(("key", "Invalid value."), ("name", "Invalid value."), ("reply_port", "Invalid value."), ("sig", "Missing field.")),
            failure.Details);
        Assert.Equal("the-uuid", failure.Uuid);
    }

    [Fact]
    public void Decoder_should_ignore_unknown_extra_fields()
    {
        var fields = PingFields();
        fields.Insert(0, ("future", new object[] { 1, "two", new Dictionary<string, string> { ["a"] = "b" } }));
        fields.Add(("zzz", null));

        var result = MessageCodec.Decode(Map(fields));

        Assert.Equal(new PingMessage("the-uuid", NodeId, 1908, "1.0"), result.Message);
    }

    [Fact]
    public void Decoder_should_ignore_an_unknown_field_given_twice_and_keep_known_fields_strict()
    {
        var fields = PingFields();
        fields.Insert(0, ("future", 1));
        fields.Add(("future", "again"));
        fields.Add(("Uuid", "not the uuid field: names are case-sensitive"));

        var result = MessageCodec.Decode(Map(fields));

        Assert.Equal(new PingMessage("the-uuid", NodeId, 1908, "1.0"), result.Message);
        Assert.Equal(Details(("uuid", "Invalid value.")), Fail(Set(PingFields(), "uuid", new byte[] { 0xff, 0xfe })).Details);
    }

    [Fact]
    public void Decoder_should_echo_uuid_when_it_is_readable_and_give_null_when_it_is_not()
    {
        Assert.Equal("the-uuid", Fail(Without(PingFields(), "node")).Uuid);
        Assert.Null(Fail(Set(Without(PingFields(), "node"), "uuid", 5)).Uuid);
    }

    [Fact]
    public void Decoder_should_answer_unsupported_protocol_when_major_version_is_2()
    {
        var failure = Fail(Set(Set(PingFields(), "version", "2.0"), "message", "hyperping"));

        Assert.Equal(ErrorCode.UnsupportedProtocol, failure.Code);
        Assert.Equal("the-uuid", failure.Uuid);
        Assert.Equal(["version"], failure.Details.Keys);
    }

    [Fact]
    public void Decoder_should_accept_message_when_version_is_1_7()
    {
        var result = MessageCodec.Decode(Map(Set(PingFields(), "version", "1.7")));

        Assert.Equal(new PingMessage("the-uuid", NodeId, 1908, "1.7"), result.Message);
    }

    [Fact]
    public void Decoder_should_accept_bin_family_for_text_and_bytes()
    {
        var fields = Set(Set(StoreFields(), "node", new Bin(NodeId.ToArray())), "name", new Bin("name"u8.ToArray()));
        Set(fields, "sig", new Bin(new byte[300]));

        var result = MessageCodec.Decode(Map(fields));

        var store = Assert.IsType<StoreMessage>(result.Message);
        Assert.Equal(NodeId, store.Node);
        Assert.Equal("name", store.Item.Name);
        Assert.Equal(300, store.Item.Signature.Length);
    }

    [Fact]
    public void Decoder_should_accept_new_spec_str8_for_text()
    {
        var result = MessageCodec.Decode(Map(Set(PingFields(), "uuid", new Raw([0xd9, 0x03, (byte)'a', (byte)'b', (byte)'c']))));

        Assert.Equal("abc", result.Message?.Uuid);
    }

    [Fact]
    public void Decoder_should_report_invalid_value_when_text_is_not_valid_utf8()
    {
        Assert.Equal(Details(("uuid", "Invalid value.")), Fail(Set(PingFields(), "uuid", new byte[] { 0xff, 0xfe })).Details);
    }

    [Fact]
    public void Decoder_should_store_value_in_canonical_form_when_its_map_keys_arrive_out_of_order()
    {
        var unordered = new byte[] { 0x82, 0xa1, (byte)'b', 0x01, 0xa1, (byte)'a', 0x02 };
        var result = MessageCodec.Decode(Map(Set(StoreFields(), "value", new Raw(unordered))));

        var store = Assert.IsType<StoreMessage>(result.Message);
        Assert.Equal(new byte[] { 0x82, 0xa1, (byte)'a', 0x02, 0xa1, (byte)'b', 0x01 }, store.Item.Value.ToArray());
    }

    [Fact]
    public void Decoder_should_report_invalid_value_when_value_repeats_a_map_key()
    {
        var repeated = new byte[] { 0x82, 0xa1, (byte)'a', 0x01, 0xa1, (byte)'a', 0x02 };

        Assert.Equal(Details(("value", "Invalid value.")), Fail(Set(StoreFields(), "value", new Raw(repeated))).Details);
    }

    [Fact]
    public void Decoder_should_report_invalid_value_when_a_field_is_repeated()
    {
        var fields = PingFields();
        fields.Add(("reply_port", 1909));

        Assert.Equal(Details(("reply_port", "Invalid value.")), Fail(fields).Details);
    }

    [Theory]
    [InlineData("not an array")]
    [InlineData("three items")]
    [InlineData("port too big")]
    [InlineData("short id")]
    public void Decoder_should_report_invalid_value_when_a_nodes_entry_is_malformed(string defect)
    {
        object?[] entry = defect switch
        {
            "three items" => [Target.ToArray(), "h", 1],
            "port too big" => [Target.ToArray(), "h", 70000, "1.0"],
            "short id" => [new byte[10], "h", 1, "1.0"],
            _ => [],
        };
        object value = defect == "not an array" ? "nodes" : new object[] { new object[] { Target.ToArray(), "h", 1, "1.0" }, entry };
        var fields = Set(Set(PingFields(), "message", "nodes"), "nodes", value);

        Assert.Equal(Details(("nodes", "Invalid value.")), Fail(fields).Details);
    }

    [Fact]
    public void Decoder_should_report_invalid_value_when_details_map_a_string_to_a_number()
    {
        var fields = Set(Set(Set(PingFields(), "message", "error"), "code", 2), "title", "Unknown request");
        Set(fields, "details", new Raw([0x81, 0xa1, (byte)'a', 0x01]));

        Assert.Equal(Details(("details", "Invalid value.")), Fail(fields).Details);
    }

    [Theory]
    [InlineData("")]
    [InlineData("90")]
    [InlineData("a470696e67")]
    [InlineData("85a76d657373616765")]
    [InlineData("c1")]
    public void Decoder_should_answer_bad_request_when_payload_is_not_a_msgpack_map(string hex)
    {
        var failure = MessageCodec.Decode(Convert.FromHexString(hex)).Failure;

        Assert.NotNull(failure);
        Assert.Equal(ErrorCode.BadRequest, failure.Code);
        Assert.Equal(["context"], failure.Details.Keys);
    }

    [Fact]
    public void Decoder_should_answer_bad_request_when_bytes_trail_the_map()
    {
        var bytes = Map(PingFields()).Append((byte)0xc0).ToArray();

        var failure = MessageCodec.Decode(bytes).Failure!;

        Assert.Equal(ErrorCode.BadRequest, failure.Code);
        Assert.Equal("the-uuid", failure.Uuid);
    }

    [Fact]
    public void Decoder_should_answer_bad_request_without_overflowing_the_stack_when_nesting_is_very_deep()
    {
        var deep = Enumerable.Repeat((byte)0x91, 200_000).Append((byte)0xc0).ToArray();
        var fields = PingFields();
        fields.Add(("deep", new Raw(deep)));

        var failure = MessageCodec.Decode(Map(fields)).Failure!;

        Assert.Equal(ErrorCode.BadRequest, failure.Code);
    }

    private static DecodeFailure Fail(IEnumerable<(string Key, object? Value)> fields)
    {
        var result = MessageCodec.Decode(Map(fields));
        Assert.False(result.IsSuccess, result.ToString());
        return result.Failure;
    }

    private static Dictionary<string, string> Details(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);
}
