using System.Buffers;
using System.Text;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using MessagePack;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// <see cref="InboundFrames"/> on its own (PROTOCOL §4, §5, §12): bytes in any chunking become judged messages
/// in order; a framing error or a message that is not valid for the peer is rejected.
/// </summary>
public sealed class InboundFramesTests
{
    private const int MaxFrameSize = 1000;

    private readonly Random _random = new(23);
    private readonly Key _peerId;

    public InboundFramesTests()
    {
        _peerId = Key.Random(_random);
    }

    [Fact]
    public void InboundFrames_should_accept_messages_in_order_when_several_frames_arrive_in_one_read()
    {
        var inbound = new InboundFrames(MaxFrameSize, 4096);
        var messages = new Message[]
        {
            new PingMessage("u1", _peerId, 4000, ProtocolVersion.Current),
            new FindNodeMessage("u2", _peerId, 4000, ProtocolVersion.Current, Key.Random(_random)),
            new PongMessage("u3", _peerId, 4000, ProtocolVersion.Current),
        };

        var judged = Feed(inbound, messages.SelectMany(Frame).ToArray(), 4096);

        Assert.Equal(messages, judged.Select(j => Assert.IsType<InboundFrames.Accepted>(j).Message));
        Assert.False(inbound.HasPartialFrame);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    public void InboundFrames_should_accept_messages_in_order_when_the_bytes_arrive_in_small_chunks(int chunk)
    {
        var inbound = new InboundFrames(MaxFrameSize, chunk);
        var messages = Enumerable.Range(0, 4)
            .Select(i => (Message)new PingMessage($"uuid-{i}", _peerId, 4000 + i, ProtocolVersion.Current))
            .ToArray();

        var judged = Feed(inbound, messages.SelectMany(Frame).ToArray(), chunk);

        Assert.Equal(messages, judged.Select(j => Assert.IsType<InboundFrames.Accepted>(j).Message));
        Assert.False(inbound.HasPartialFrame);
    }

    [Fact]
    public void InboundFrames_should_report_a_partial_frame_when_a_read_ends_inside_a_frame()
    {
        var inbound = new InboundFrames(MaxFrameSize, 4096);
        var frame = Frame(new PingMessage("u1", _peerId, 4000, ProtocolVersion.Current));

        Assert.Empty(Feed(inbound, frame[..^1], 4096));
        Assert.True(inbound.HasPartialFrame);

        var judged = Assert.Single(Feed(inbound, frame[^1..], 4096));
        Assert.Equal("u1", Assert.IsType<InboundFrames.Accepted>(judged).Message.Uuid);
        Assert.False(inbound.HasPartialFrame);
    }

    [Fact]
    public void InboundFrames_should_yield_Unknown_and_read_on_when_a_well_framed_message_has_an_unknown_type()
    {
        var inbound = new InboundFrames(MaxFrameSize, 4096);
        var unknown = NetstringFramer.Frame(Map(("message", "teleport"), ("uuid", "u1"), ("version", ProtocolVersion.Current)));
        var next = Frame(new PingMessage("u2", _peerId, 4000, ProtocolVersion.Current));

        var judged = Feed(inbound, [.. unknown, .. next], 4096);

        Assert.Equal(2, judged.Count);
        var failure = Assert.IsType<InboundFrames.Unknown>(judged[0]).Failure;
        Assert.Equal(ErrorCode.UnknownRequest, failure.Code);
        Assert.Equal("u1", failure.Uuid);
        Assert.Equal("u2", Assert.IsType<InboundFrames.Accepted>(judged[1]).Message.Uuid);
    }

    [Fact]
    public void InboundFrames_should_reject_with_code_4_when_a_length_exceeds_max_frame_size()
    {
        var payload = MessageCodec.Encode(new PingMessage("u1", _peerId, 4000, ProtocolVersion.Current));
        var inbound = new InboundFrames(payload.Length, 4096);
        var oversize = Encoding.ASCII.GetBytes($"{payload.Length + 1}:");

        var judged = Feed(inbound, [.. NetstringFramer.Frame(payload), .. oversize], 4096);

        Assert.Equal(2, judged.Count);
        Assert.IsType<InboundFrames.Accepted>(judged[0]);
        var rejected = Assert.IsType<InboundFrames.Rejected>(judged[1]);
        Assert.Equal(ErrorCode.RequestTooBig, rejected.Code);
        Assert.Equal(string.Empty, rejected.Uuid);
    }

    [Fact]
    public void InboundFrames_should_accept_a_frame_of_exactly_max_frame_size_when_it_is_valid()
    {
        var payload = MessageCodec.Encode(new PingMessage("u1", _peerId, 4000, ProtocolVersion.Current));
        var inbound = new InboundFrames(payload.Length, 4096);

        var judged = Assert.Single(Feed(inbound, NetstringFramer.Frame(payload), 4096));

        Assert.IsType<InboundFrames.Accepted>(judged);
    }

    [Theory]
    [InlineData("x:")]
    [InlineData("05:hello,")]
    [InlineData(":")]
    [InlineData("3:abcX")]
    public void InboundFrames_should_reject_with_code_1_and_yield_nothing_after_when_the_frame_is_malformed(string garbage)
    {
        var inbound = new InboundFrames(MaxFrameSize, 4096);
        var before = Frame(new PingMessage("u1", _peerId, 4000, ProtocolVersion.Current));
        var after = Frame(new PingMessage("u2", _peerId, 4000, ProtocolVersion.Current));

        var judged = Feed(inbound, [.. before, .. Encoding.ASCII.GetBytes(garbage), .. after], 4096);

        Assert.Equal(2, judged.Count);
        Assert.Equal("u1", Assert.IsType<InboundFrames.Accepted>(judged[0]).Message.Uuid);
        Assert.Equal(ErrorCode.BadRequest, Assert.IsType<InboundFrames.Rejected>(judged[1]).Code);

        var later = Assert.Single(Feed(inbound, after, 4096));
        Assert.Equal(ErrorCode.BadRequest, Assert.IsType<InboundFrames.Rejected>(later).Code);
    }

    [Fact]
    public void InboundFrames_should_reject_with_code_1_when_a_well_framed_payload_is_not_msgpack()
    {
        var inbound = new InboundFrames(MaxFrameSize, 4096);

        var judged = Assert.Single(Feed(inbound, NetstringFramer.Frame("abc"u8), 4096));

        Assert.Equal(ErrorCode.BadRequest, Assert.IsType<InboundFrames.Rejected>(judged).Code);
    }

    [Fact]
    public void InboundFrames_should_reject_under_its_uuid_when_the_node_field_is_not_the_peer_identity()
    {
        var inbound = new InboundFrames(MaxFrameSize, 4096);
        var impostor = new PingMessage("u1", Key.Random(_random), 4000, ProtocolVersion.Current);

        var judged = Assert.Single(Feed(inbound, Frame(impostor), 4096));

        var rejected = Assert.IsType<InboundFrames.Rejected>(judged);
        Assert.Equal(ErrorCode.BadRequest, rejected.Code);
        Assert.Equal("u1", rejected.Uuid);
        Assert.Equal("node", Assert.Single(rejected.Details).Key);
    }

    [Fact]
    public void InboundFrames_should_reject_with_code_5_when_the_version_is_another_major()
    {
        var inbound = new InboundFrames(MaxFrameSize, 4096);
        var other = new PingMessage("u1", _peerId, 4000, "2.0");

        var judged = Assert.Single(Feed(inbound, Frame(other), 4096));

        var rejected = Assert.IsType<InboundFrames.Rejected>(judged);
        Assert.Equal(ErrorCode.UnsupportedProtocol, rejected.Code);
        Assert.Equal("u1", rejected.Uuid);
    }

    [Fact]
    public void PartialFrame_should_stay_the_same_while_a_frame_trickles_in_and_change_with_the_next_frame()
    {
        var inbound = new InboundFrames(MaxFrameSize, 4096);
        var first = Frame(new PingMessage("u1", _peerId, 4000, ProtocolVersion.Current));
        var second = Frame(new PingMessage("u2", _peerId, 4000, ProtocolVersion.Current));
        Assert.Null(inbound.PartialFrame);

        Feed(inbound, first[..5], 4096);
        var started = inbound.PartialFrame;
        var seen = new HashSet<long?>();
        foreach (var b in first[5..^1])
        {
            Feed(inbound, [b], 1);
            seen.Add(inbound.PartialFrame);
        }

        var judged = Feed(inbound, [first[^1], .. second[..3]], 4096);

        Assert.NotNull(started);
        Assert.Equal([started], seen);
        Assert.IsType<InboundFrames.Accepted>(Assert.Single(judged));
        Assert.NotNull(inbound.PartialFrame);
        Assert.NotEqual(started, inbound.PartialFrame);
        Feed(inbound, second[3..], 4096);
        Assert.Null(inbound.PartialFrame);
    }

    [Fact]
    public void InboundFrames_should_hold_no_frame_when_feed_returned()
    {
        // Issue 9, memory per connection: the last frame's payload (up to max-frame-size) is not kept until the next read.
        var inbound = new InboundFrames(MaxFrameSize, 4096);
        var frames = new[] { new PingMessage("u1", _peerId, 4000, ProtocolVersion.Current), new PingMessage("u2", _peerId, 4000, ProtocolVersion.Current) }
            .SelectMany(Frame).ToArray();

        var judged = Feed(inbound, frames, 4096);

        Assert.Equal(2, judged.Count);
        Assert.Equal(0, inbound.HeldFrames);
        Assert.False(inbound.HoldsBuffer);
    }

    [Fact]
    public void InboundFrames_should_hand_the_unfinished_frame_back_to_the_pool_when_released()
    {
        // Issue 21 item 4: the connection closed inside a frame; its pieces serve the next connection's frame.
        var pool = new FrameSegmentPool(4096, maxIdleBytes: 1 << 20);
        var staying = new InboundFrames(1 << 20, 4096, pool);
        var closing = new InboundFrames(1 << 20, 4096, pool);
        byte[] half = [.. "60000:"u8, .. new byte[3 * 4096]];
        Feed(staying, half, 4096);
        Feed(closing, half, 4096);
        Assert.Equal(6 * 4096, pool.LentBytes);

        closing.Release();

        Assert.Equal(0, closing.HeldFrameBytes);
        Assert.Equal((3 * 4096, 3 * 4096), (pool.LentBytes, pool.IdleBytes));
    }

    private static byte[] Frame(Message message) => NetstringFramer.Frame(MessageCodec.Encode(message));

    private static byte[] Map(params (string Name, string Value)[] fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(fields.Length);
        foreach (var (name, value) in fields)
        {
            writer.Write(name);
            writer.Write(value);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads <paramref name="bytes"/> through the read buffer <paramref name="chunk"/> bytes at a time, as the connection does.</summary>
    private List<InboundFrames.Inbound> Feed(InboundFrames inbound, byte[] bytes, int chunk)
    {
        var judged = new List<InboundFrames.Inbound>();
        for (var offset = 0; offset < bytes.Length; offset += chunk)
        {
            var count = Math.Min(chunk, bytes.Length - offset);
            bytes.AsSpan(offset, count).CopyTo(inbound.Buffer.Span);
            judged.AddRange(inbound.Feed(count, _peerId));
        }

        return judged;
    }
}
