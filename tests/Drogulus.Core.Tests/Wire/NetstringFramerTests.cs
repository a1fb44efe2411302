using System.Text;
using Drogulus.Core.Wire;

namespace Drogulus.Core.Tests.Wire;

/// <summary>PROTOCOL §4 "Framing" and the split-length defect of §11.</summary>
public sealed class NetstringFramerTests
{
    [Fact]
    public void Framer_should_parse_length_when_digits_are_split_across_reads()
    {
        var framer = new NetstringFramer(1000);
        var frames = new List<ReadOnlyMemory<byte>>();

        Assert.True(framer.Feed("1"u8, frames).IsOk);
        Assert.True(framer.HasPartialFrame);
        Assert.True(framer.Feed("2"u8, frames).IsOk);
        Assert.True(framer.Feed(":hello"u8, frames).IsOk);
        Assert.True(framer.Feed(" world!,"u8, frames).IsOk);

        Assert.Equal(["hello world!"], Texts(frames));
        Assert.False(framer.HasPartialFrame);
    }

    [Fact]
    public void Framer_should_return_every_frame_when_many_arrive_in_one_read()
    {
        var framer = new NetstringFramer(1000);
        var frames = new List<ReadOnlyMemory<byte>>();

        var result = framer.Feed("3:abc,0:,1:x,10:0123456789,2:y"u8, frames);

        Assert.True(result.IsOk);
        Assert.Equal(["abc", "", "x", "0123456789"], Texts(frames));
        Assert.True(framer.HasPartialFrame);
    }

    [Fact]
    public void Framer_should_accept_empty_frame()
    {
        var frames = new List<ReadOnlyMemory<byte>>();

        Assert.True(new NetstringFramer(10).Feed("0:,"u8, frames).IsOk);
        Assert.Single(frames);
        Assert.True(frames[0].IsEmpty);
    }

    [Theory]
    [InlineData("01:a,", "leading zero")]
    [InlineData("00:,", "leading zero")]
    [InlineData("10000000000:", "more than 10")]
    [InlineData("3:abc;", "','")]
    [InlineData("+3:abc,", "not a decimal digit")]
    [InlineData("-3:abc,", "not a decimal digit")]
    [InlineData(":abc,", "empty")]
    [InlineData(" 3:abc,", "not a decimal digit")]
    [InlineData("3x:abc,", "not a decimal digit")]
    public void Framer_should_answer_bad_request_when_frame_is_malformed(string stream, string reason)
    {
        var framer = new NetstringFramer(int.MaxValue);

        var result = framer.Feed(Encoding.ASCII.GetBytes(stream), new List<ReadOnlyMemory<byte>>());

        Assert.Equal(ErrorCode.BadRequest, result.Error);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
        Assert.True(framer.IsFailed);
    }

    [Fact]
    public void Framer_should_answer_request_too_big_when_only_the_header_has_arrived()
    {
        var framer = new NetstringFramer(1024);

        var result = framer.Feed("1025:"u8, new List<ReadOnlyMemory<byte>>());

        Assert.Equal(ErrorCode.RequestTooBig, result.Error);
    }

    [Fact]
    public void Framer_should_answer_request_too_big_as_soon_as_the_digits_exceed_the_limit()
    {
        var framer = new NetstringFramer(1024);

        var result = framer.Feed("99999"u8, new List<ReadOnlyMemory<byte>>());

        Assert.Equal(ErrorCode.RequestTooBig, result.Error);
    }

    [Fact]
    public void Framer_should_accept_frame_when_payload_is_exactly_the_maximum_size()
    {
        var payload = new byte[1024];
        new Random(4).NextBytes(payload);
        var frames = new List<ReadOnlyMemory<byte>>();

        var result = new NetstringFramer(1024).Feed(NetstringFramer.Frame(payload), frames);

        Assert.True(result.IsOk);
        Assert.Equal(payload, Assert.Single(frames).ToArray());
    }

    [Fact]
    public void Framer_should_stay_failed_after_an_error()
    {
        var framer = new NetstringFramer(100);
        var frames = new List<ReadOnlyMemory<byte>>();
        framer.Feed("1:a,x"u8, frames);

        var again = framer.Feed("1:b,"u8, frames);

        Assert.Equal(ErrorCode.BadRequest, again.Error);
        Assert.Equal(["a"], Texts(frames));
        Assert.False(framer.HasPartialFrame);
    }

    [Fact]
    public void Framer_should_write_netstrings_that_it_reads_back()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        NetstringFramer.WriteFrame(buffer, "hello"u8);
        NetstringFramer.WriteFrame(buffer, ""u8);

        Assert.Equal("5:hello,0:,", Encoding.ASCII.GetString(buffer.WrittenSpan));
        Assert.Equal("12:hello world!,", Encoding.ASCII.GetString(NetstringFramer.Frame("hello world!"u8)));
    }

    [Fact]
    public void Framer_should_assemble_a_large_frame_when_it_arrives_one_byte_at_a_time()
    {
        var payload = new byte[300_000];
        new Random(5).NextBytes(payload);
        var framed = NetstringFramer.Frame(payload);
        var framer = new NetstringFramer(1 << 20);
        var frames = new List<ReadOnlyMemory<byte>>();

        for (var i = 0; i < framed.Length; i++)
        {
            Assert.True(framer.Feed(framed.AsSpan(i, 1), frames).IsOk);
        }

        Assert.Equal(payload, Assert.Single(frames).ToArray());
    }

    [Fact]
    public void Framer_should_hold_only_the_bytes_that_arrived_when_a_large_frame_is_announced()
    {
        var framer = new NetstringFramer(1 << 20);
        var frames = new List<ReadOnlyMemory<byte>>();

        Assert.True(framer.Feed(Encoding.ASCII.GetBytes("1048576:0123456789"), frames).IsOk);

        Assert.Empty(frames);
        Assert.True(framer.HasPartialFrame);
        Assert.InRange(framer.HeldBytes, 10, 10 + NetstringFramer.DefaultSegmentSize);
    }

    [Fact]
    public void Framer_should_hold_at_most_one_read_more_than_the_bytes_that_arrived_when_a_large_frame_trickles_in()
    {
        // PROTOCOL §5: a buffer that doubled would hold up to twice what arrived (2.8 MiB per 1 MB frame).
        var framer = new NetstringFramer(1 << 20, segmentSize: 4096);
        var frames = new List<ReadOnlyMemory<byte>>();
        Assert.True(framer.Feed(Encoding.ASCII.GetBytes("1048576:"), frames).IsOk);
        var arrived = 0;

        // Then reads of 1,000 bytes, as a peer trickling a frame in sends them: a doubling buffer would jump to twice
        // what arrived at the first of them.
        foreach (var size in new[] { 1, 7, 100, 3000, 50_000, 200_000 }.Concat(Enumerable.Repeat(1000, 300)))
        {
            Assert.True(framer.Feed(new byte[size], frames).IsOk);
            arrived += size;
            Assert.InRange(framer.HeldBytes, arrived, arrived + 4096);
        }

        Assert.Empty(frames);
    }

    [Fact]
    public void Framer_should_release_the_buffer_and_yield_the_exact_payload_when_a_grown_frame_completes()
    {
        var payload = new byte[70_001];
        new Random(9).NextBytes(payload);
        var framed = NetstringFramer.Frame(payload);
        var framer = new NetstringFramer(1 << 20);
        var frames = new List<ReadOnlyMemory<byte>>();

        for (var at = 0; at < framed.Length; at += 4096)
        {
            Assert.True(framer.Feed(framed.AsSpan(at, Math.Min(4096, framed.Length - at)), frames).IsOk);
        }

        Assert.Equal(payload, Assert.Single(frames).ToArray());
        Assert.Equal(0, framer.HeldBytes);
    }

    [Fact]
    public void Framer_should_hand_its_segments_back_to_the_pool_when_released_inside_a_frame()
    {
        // Issue 21 item 4: a closed connection's half-sent frame serves the next frame instead of waiting as garbage.
        var pool = new FrameSegmentPool(4096, maxIdleBytes: 1 << 20);
        var closing = new NetstringFramer(1 << 20, 4096, pool);
        var staying = new NetstringFramer(1 << 20, 4096, pool);
        var frames = new List<ReadOnlyMemory<byte>>();
        Assert.True(closing.Feed([.. "100000:"u8, .. new byte[8192]], frames).IsOk);
        Assert.True(staying.Feed([.. "100000:"u8, .. new byte[8192]], frames).IsOk);

        closing.Release();

        Assert.Equal(0, closing.HeldBytes);
        Assert.Equal(2 * 4096, pool.IdleBytes);
        Assert.Equal(2 * 4096, pool.LentBytes);
        Assert.True(closing.IsFailed);
    }

    [Fact]
    public void Framer_should_hand_its_segments_back_to_the_pool_when_a_frame_of_many_segments_completes()
    {
        var pool = new FrameSegmentPool(4096, maxIdleBytes: 1 << 20);
        var other = new NetstringFramer(1 << 20, 4096, pool);
        var framer = new NetstringFramer(1 << 20, 4096, pool);
        var frames = new List<ReadOnlyMemory<byte>>();
        Assert.True(other.Feed([.. "100000:"u8, .. new byte[5 * 4096]], frames).IsOk);

        Assert.True(framer.Feed(NetstringFramer.Frame(new byte[3 * 4096]), frames).IsOk);

        Assert.Equal(3 * 4096, Assert.Single(frames).Length);
        Assert.Equal(3 * 4096, pool.IdleBytes);
        Assert.Equal(0, framer.HeldBytes);
    }

    [Fact]
    public void Framer_should_leave_nothing_counted_as_lent_when_frames_of_exactly_one_segment_are_handed_out()
    {
        var pool = new FrameSegmentPool(4096, maxIdleBytes: 1 << 20);
        var framer = new NetstringFramer(1 << 20, 4096, pool);
        var frames = new List<ReadOnlyMemory<byte>>();

        // A peer's frames of one segment each: the segment becomes the payload and never comes back.
        for (var i = 0; i < 100; i++)
        {
            Assert.True(framer.Feed(NetstringFramer.Frame(new byte[4096]), frames).IsOk);
        }

        Assert.Equal(100, frames.Count);
        Assert.Equal(0, pool.LentBytes);
    }

    [Fact]
    public void Framer_should_yield_exact_payloads_that_no_later_frame_overwrites_when_segments_are_reused()
    {
        var random = new Random(21);
        var pool = new FrameSegmentPool(4096, maxIdleBytes: 1 << 20);
        var holder = new NetstringFramer(1 << 20, 4096, pool);
        var frames = new List<ReadOnlyMemory<byte>>();
        Assert.True(holder.Feed([.. "1000000:"u8, .. new byte[40 * 4096]], frames).IsOk);
        var expected = new List<byte[]>();

        // Half-sent frames released, frames of one segment exactly (handed out as the payload itself) and frames of
        // many segments, on framers sharing one pool, fed in reads of 1,000 bytes.
        for (var round = 0; round < 30; round++)
        {
            var released = new NetstringFramer(1 << 20, 4096, pool);
            var junk = new byte[3 * 4096];
            random.NextBytes(junk);
            Assert.True(released.Feed([.. "50000:"u8, .. junk], frames).IsOk);
            released.Release();

            var payload = new byte[round % 2 == 0 ? 4096 : 4096 * 3 + random.Next(4096)];
            random.NextBytes(payload);
            expected.Add(payload);
            var framed = NetstringFramer.Frame(payload);
            var framer = new NetstringFramer(1 << 20, 4096, pool);
            for (var at = 0; at < framed.Length; at += 1000)
            {
                Assert.True(framer.Feed(framed.AsSpan(at, Math.Min(1000, framed.Length - at)), frames).IsOk);
            }
        }

        Assert.Equal(expected.Count, frames.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], frames[i].ToArray());
        }
    }

    private static List<string> Texts(List<ReadOnlyMemory<byte>> frames) =>
        frames.Select(f => Encoding.ASCII.GetString(f.Span)).ToList();
}
