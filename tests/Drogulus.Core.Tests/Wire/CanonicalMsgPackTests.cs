using System.Buffers;
using System.Text;
using Drogulus.Core.Wire;
using MessagePack;

namespace Drogulus.Core.Tests.Wire;

/// <summary>PROTOCOL §3 "Canonical msgpack".</summary>
public sealed class CanonicalMsgPackTests
{
    public static TheoryData<int, string> RawHeaders => new()
    {
        { 0, "a0" },
        { 31, "bf" },
        { 32, "da0020" },
        { 65535, "daffff" },
        { 65536, "db00010000" },
    };

    [Theory]
    [MemberData(nameof(RawHeaders))]
    public void Strings_should_be_old_spec_raw_when_encoded(int length, string header)
    {
        var encoded = CanonicalMsgPack.Encode(new string('x', length));
        Assert.Equal(header, Convert.ToHexStringLower(encoded[..(header.Length / 2)]));
        Assert.Equal((header.Length / 2) + length, encoded.Length);
    }

    [Theory]
    [MemberData(nameof(RawHeaders))]
    public void Str8_and_bin_inputs_should_become_old_spec_raw_when_canonicalized(int length, string header)
    {
        var payload = Enumerable.Range(0, length).Select(i => (byte)('a' + (i % 26))).ToArray();
        var expected = Convert.FromHexString(header).Concat(payload).ToArray();
        Assert.Equal(expected, CanonicalMsgPack.Canonicalize(NewSpec((ref MessagePackWriter w) => w.WriteString(payload))));
        Assert.Equal(expected, CanonicalMsgPack.Canonicalize(NewSpec((ref MessagePackWriter w) => w.Write(payload))));
    }

    [Fact]
    public void Str8_and_bin8_headers_should_never_appear_when_canonicalized()
    {
        byte[] str8 = [0xd9, 0x03, 0x61, 0x62, 0x63];
        byte[] bin8 = [0xc4, 0x03, 0x61, 0x62, 0x63];
        byte[] bin16 = [0xc5, 0x00, 0x03, 0x61, 0x62, 0x63];
        byte[] bin32 = [0xc6, 0x00, 0x00, 0x00, 0x03, 0x61, 0x62, 0x63];
        foreach (var input in new[] { str8, bin8, bin16, bin32 })
        {
            Assert.Equal("a3616263", Hex(CanonicalMsgPack.Canonicalize(input)));
        }
    }

    [Theory]
    [InlineData("d30000000000000005", "05")]
    [InlineData("cf00000000000000c8", "ccc8")]
    [InlineData("d1ffff", "ff")]
    [InlineData("d3ffffffffffffffdf", "d0df")]
    [InlineData("ce00010000", "ce00010000")]
    [InlineData("cf000000000000ffff", "cdffff")]
    [InlineData("d2ffff8000", "d18000")]
    [InlineData("d2ffff7fff", "d2ffff7fff")]
    [InlineData("cfffffffffffffffff", "cfffffffffffffffff")]
    [InlineData("d38000000000000000", "d38000000000000000")]
    [InlineData("cc7f", "7f")]
    public void Integers_should_take_the_smallest_encoding(string input, string expected)
    {
        Assert.Equal(expected, Hex(CanonicalMsgPack.Canonicalize(Convert.FromHexString(input))));
    }

    [Fact]
    public void Float32_input_should_become_float64()
    {
        Assert.Equal("cb3ff8000000000000", Hex(CanonicalMsgPack.Canonicalize(Convert.FromHexString("ca3fc00000"))));
        Assert.Equal("cb3ff8000000000000", Hex(CanonicalMsgPack.Encode(1.5)));
        Assert.Equal("cb0000000000000000", Hex(CanonicalMsgPack.Encode(0.0)));
    }

    [Fact]
    public void Nil_booleans_and_array_order_should_be_kept()
    {
        Assert.Equal("93c0c3c2", Hex(CanonicalMsgPack.Canonicalize(Convert.FromHexString("93c0c3c2"))));
        Assert.Equal("90", Hex(CanonicalMsgPack.Canonicalize(Convert.FromHexString("dc0000"))));
        Assert.Equal("80", Hex(CanonicalMsgPack.Canonicalize(Convert.FromHexString("de0000"))));
    }

    [Fact]
    public void Map_entries_should_be_sorted_by_utf8_bytes_of_their_keys()
    {
        var canonical = CanonicalMsgPack.Canonicalize(NewSpec((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(3);
            w.Write("b");
            w.Write(1);
            w.Write("a");
            w.Write(2);
            w.Write("ab");
            w.Write(3);
        }));
        Assert.Equal("83a16102a2616203a16201", Hex(canonical));
    }

    [Fact]
    public void Map_entries_should_follow_utf8_order_when_utf16_order_differs()
    {
        const string replacement = "\uFFFD"; // UTF-8 ef bf bd; UTF-16 fffd
        const string emoji = "\U0001F600"; // UTF-8 f0 9f 98 80; UTF-16 d83d de00
        Assert.True(string.CompareOrdinal(emoji, replacement) < 0);
        Assert.True(CanonicalMsgPack.CompareUtf8(replacement, emoji) < 0);

        var expected = "82a3efbfbd01a4f09f988002";
        var map = new Dictionary<string, string> { [emoji] = "2", [replacement] = "1" };
        Assert.Equal("82a3efbfbda131a4f09f9880a132", Hex(CanonicalMsgPack.Encode(map)));
        var input = NewSpec((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(2);
            w.Write(emoji);
            w.Write(2);
            w.Write(replacement);
            w.Write(1);
        });
        Assert.Equal(expected, Hex(CanonicalMsgPack.Canonicalize(input)));
    }

    [Fact]
    public void Nested_maps_should_be_sorted_too()
    {
        // {"z": {"b": 1, "a": 2}, "a": nil}
        var input = Convert.FromHexString("82a17a82a16201a16102a161c0");
        Assert.Equal("82a161c0a17a82a16102a16201", Hex(CanonicalMsgPack.Canonicalize(input)));
    }

    [Theory]
    [InlineData("82a16101a16102")]
    [InlineData("82d9016101a16102")]
    [InlineData("82c4016101a16102")]
    [InlineData("820101d0010f")]
    [InlineData("83a161016102d9016103")]
    [InlineData("83d90161016102a16102")]
    public void Maps_should_be_rejected_when_a_key_repeats(string input)
    {
        Assert.Throws<FormatException>(() => CanonicalMsgPack.Canonicalize(Convert.FromHexString(input)));
    }

    [Theory]
    [InlineData("d40100")]
    [InlineData("d6ffffffffff")]
    [InlineData("c70101ff")]
    [InlineData("91d50100ff")]
    public void Extension_types_should_be_rejected(string input)
    {
        Assert.Throws<FormatException>(() => CanonicalMsgPack.Canonicalize(Convert.FromHexString(input)));
    }

    [Fact]
    public void Nesting_should_be_rejected_when_deeper_than_64()
    {
        var ok = Enumerable.Repeat((byte)0x91, CanonicalMsgPack.MaxDepth).Append((byte)0xc0).ToArray();
        Assert.Equal(ok, CanonicalMsgPack.Canonicalize(ok));
        var deep = Enumerable.Repeat((byte)0x91, CanonicalMsgPack.MaxDepth + 1).Append((byte)0xc0).ToArray();
        Assert.Throws<FormatException>(() => CanonicalMsgPack.Canonicalize(deep));

        // Maps nest through their values: {"a": {"a": ... nil}}.
        var maps = Enumerable.Range(0, CanonicalMsgPack.MaxDepth + 1).SelectMany(_ => new byte[] { 0x81, 0xa1, 0x61 }).Append((byte)0xc0).ToArray();
        Assert.Throws<FormatException>(() => CanonicalMsgPack.Canonicalize(maps));
        Assert.Throws<FormatException>(() => CanonicalMsgPack.Canonicalize(Enumerable.Repeat((byte)0x91, 100_000).ToArray()));
    }

    [Theory]
    [InlineData("c0c0")]
    [InlineData("a16100")]
    [InlineData("9100c0")]
    public void Trailing_bytes_should_be_rejected(string input)
    {
        Assert.Throws<FormatException>(() => CanonicalMsgPack.Canonicalize(Convert.FromHexString(input)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a561")]
    [InlineData("92c0")]
    [InlineData("81a161")]
    [InlineData("cb3ff8")]
    [InlineData("c1")]
    public void Truncated_or_invalid_input_should_be_rejected(string input)
    {
        Assert.Throws<FormatException>(() => CanonicalMsgPack.Canonicalize(Convert.FromHexString(input)));
    }

    [Fact]
    public void Canonicalize_should_be_idempotent()
    {
        var random = new Random(42);
        for (var i = 0; i < 300; i++)
        {
            var input = NewSpec((ref MessagePackWriter w) => WriteRandom(ref w, random, 0));
            var once = CanonicalMsgPack.Canonicalize(input);
            Assert.Equal(once, CanonicalMsgPack.Canonicalize(once));
        }
    }

    [Fact]
    public void Map_entries_should_have_one_order_when_a_number_key_ties_with_a_string_key()
    {
        // 97 encodes as 0x61, the same byte as the UTF-8 payload of "a".
        var numberFirst = Convert.FromHexString("826101a16102");
        var stringFirst = Convert.FromHexString("82a161026101");
        Assert.Equal(CanonicalMsgPack.Canonicalize(numberFirst), CanonicalMsgPack.Canonicalize(stringFirst));
    }

    [Fact]
    public void Canonicalize_should_give_the_same_bytes_when_map_order_differs()
    {
        var a = Convert.FromHexString("83a16101a16202a16303");
        var b = Convert.FromHexString("83a16303a16101a16202");
        Assert.Equal(CanonicalMsgPack.Canonicalize(a), CanonicalMsgPack.Canonicalize(b));
    }

    private delegate void Writing(ref MessagePackWriter writer);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Encodes with the new spec (str8, bin family), i.e. non-canonical but valid msgpack.</summary>
    private static byte[] NewSpec(Writing write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer) { OldSpec = false };
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteRandom(ref MessagePackWriter w, Random random, int depth)
    {
        switch (random.Next(depth >= 4 ? 7 : 9))
        {
            case 0: w.WriteNil(); break;
            case 1: w.Write(random.Next(2) == 0); break;
            case 2: w.Write(random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64)); break;
            case 3: w.Write((float)random.NextDouble()); break;
            case 4: w.Write(random.NextDouble() * 1e9); break;
            case 5: w.Write(RandomText(random)); break;
            case 6: w.Write(Encoding.UTF8.GetBytes(RandomText(random))); break;
            case 7:
                var count = random.Next(4);
                w.WriteArrayHeader(count);
                for (var i = 0; i < count; i++)
                {
                    WriteRandom(ref w, random, depth + 1);
                }

                break;
            default:
                var keys = Enumerable.Range(0, random.Next(5)).Select(_ => RandomText(random)).Distinct().ToList();
                w.WriteMapHeader(keys.Count);
                foreach (var key in keys)
                {
                    w.Write(key);
                    WriteRandom(ref w, random, depth + 1);
                }

                break;
        }
    }

    private static string RandomText(Random random)
    {
        string[] alphabet = ["a", "b", "Z", "é", "\uFFFD", "\U0001F600", "\u4E2D", "0"];
        return string.Concat(Enumerable.Range(0, random.Next(40)).Select(_ => alphabet[random.Next(alphabet.Length)]));
    }
}
