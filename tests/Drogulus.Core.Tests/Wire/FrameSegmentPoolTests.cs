using Drogulus.Core.Wire;

namespace Drogulus.Core.Tests.Wire;

/// <summary>Issue 21 item 4: the segments of unfinished frames serve the next frames instead of becoming garbage.</summary>
public sealed class FrameSegmentPoolTests
{
    private const int Segment = 8 * 1024;

    [Fact]
    public void Pool_should_hand_out_a_returned_segment_again_when_another_frame_needs_one()
    {
        var pool = new FrameSegmentPool(Segment, maxIdleBytes: 4 * Segment);
        var held = pool.Rent(Segment);
        var other = pool.Rent(Segment);

        pool.Return(held);

        Assert.Same(held, pool.Rent(Segment));
        Assert.Equal(2 * Segment, pool.LentBytes);
        GC.KeepAlive(other);
    }

    [Fact]
    public void Pool_should_keep_no_more_idle_bytes_than_max_spare_frame_bytes_when_many_frames_end_at_once()
    {
        var pool = new FrameSegmentPool(Segment, maxIdleBytes: 3 * Segment);
        var segments = Enumerable.Range(0, 20).Select(_ => pool.Rent(Segment)).ToList();

        foreach (var segment in segments.Take(10))
        {
            pool.Return(segment);
        }

        Assert.Equal(3 * Segment, pool.IdleBytes);
        Assert.Equal(10 * Segment, pool.LentBytes);
    }

    [Fact]
    public void Pool_should_keep_no_idle_segment_when_no_frame_is_unfinished()
    {
        var pool = new FrameSegmentPool(Segment, maxIdleBytes: 64 * Segment);
        var segments = Enumerable.Range(0, 16).Select(_ => pool.Rent(Segment)).ToList();

        foreach (var segment in segments)
        {
            pool.Return(segment);
        }

        Assert.Equal(0, pool.IdleBytes);
        Assert.Equal(0, pool.LentBytes);
    }

    [Fact]
    public void Pool_should_keep_no_more_idle_bytes_than_are_lent_when_unfinished_frames_end()
    {
        var pool = new FrameSegmentPool(Segment, maxIdleBytes: 64 * Segment);
        var segments = Enumerable.Range(0, 8).Select(_ => pool.Rent(Segment)).ToList();

        foreach (var segment in segments.Take(6))
        {
            pool.Return(segment);
        }

        Assert.Equal(2 * Segment, pool.LentBytes);
        Assert.Equal(2 * Segment, pool.IdleBytes);
    }

    [Fact]
    public void Pool_should_not_keep_a_segment_when_its_size_is_not_the_segment_size()
    {
        var pool = new FrameSegmentPool(Segment, maxIdleBytes: 4 * Segment);
        var lent = pool.Rent(Segment);
        var tail = pool.Rent(100);

        pool.Return(tail);

        Assert.Equal(100, tail.Length);
        Assert.Equal(0, pool.IdleBytes);
        Assert.Equal(Segment, pool.LentBytes);
        GC.KeepAlive(lent);
    }
}
