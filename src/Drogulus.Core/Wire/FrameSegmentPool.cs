namespace Drogulus.Core.Wire;

/// <summary>
/// The segments in which the connections of one node hold their unfinished frames (<see cref="NetstringFramer"/>),
/// handed back when a frame completes, fails or its connection closes, and handed out again to the next frame
/// (PROTOCOL §5, issue 21 item 4). Without it, every frame a closed connection had half-sent is garbage that lived
/// long enough to reach the oldest generation: peers that open connections, half-send a large frame each and are
/// closed (by max-partial-frame-bytes or max-connections) grew the managed heap by about as much again as the frames
/// they held, until the next full collection. Only segments of the full segment size are kept, and only while fewer
/// idle bytes than <c>max-spare-frame-bytes</c> and than the bytes lent out wait: when the unfinished frames go, so do
/// their spares, and a node at rest keeps none. Thread safe (the connections of one node share it).
/// </summary>
public sealed class FrameSegmentPool
{
    private readonly object _gate = new();
    private readonly Stack<byte[]> _idle = new();
    private readonly long _maxIdleBytes;
    private long _lent;

    /// <summary>A pool of segments of <paramref name="segmentSize"/> bytes keeping at most <paramref name="maxIdleBytes"/> of them idle.</summary>
    public FrameSegmentPool(int segmentSize, long maxIdleBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxIdleBytes);
        SegmentSize = segmentSize;
        _maxIdleBytes = maxIdleBytes;
    }

    /// <summary>The size of the segments kept.</summary>
    public int SegmentSize { get; }

    /// <summary>Bytes of full-size segments handed out and not handed back.</summary>
    public long LentBytes
    {
        get
        {
            lock (_gate)
            {
                return _lent;
            }
        }
    }

    /// <summary>Bytes of segments kept for the next frames.</summary>
    public long IdleBytes
    {
        get
        {
            lock (_gate)
            {
                return (long)_idle.Count * SegmentSize;
            }
        }
    }

    /// <summary>
    /// A segment of <paramref name="size"/> bytes: an idle one when <paramref name="size"/> is the segment size and one
    /// waits (its old bytes are still in it: the caller overwrites before it reads), else a new one.
    /// </summary>
    public byte[] Rent(int size)
    {
        if (size != SegmentSize)
        {
            return new byte[size];
        }

        lock (_gate)
        {
            _lent += SegmentSize;
            return _idle.Count > 0 ? _idle.Pop() : new byte[SegmentSize];
        }
    }

    /// <summary>
    /// Hands back a segment from <see cref="Rent"/> that nothing refers to any more. It is kept while the idle bytes stay
    /// within <c>max-spare-frame-bytes</c> and within the bytes still lent; idle ones beyond the bytes still lent are let go.
    /// </summary>
    public void Return(byte[] segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.Length != SegmentSize)
        {
            return;
        }

        lock (_gate)
        {
            _lent = Math.Max(0, _lent - SegmentSize);
            if (IdleAfterOneMore() <= Math.Min(_maxIdleBytes, _lent))
            {
                _idle.Push(segment);
            }

            while (_idle.Count > 0 && (long)_idle.Count * SegmentSize > _lent)
            {
                _idle.Pop();
            }
        }
    }

    /// <summary>
    /// A segment from <see cref="Rent"/> left the pool's keeping for good (handed out as a payload): it no longer counts as
    /// lent, so the bytes lent stay what unfinished frames hold however many such frames a peer sends.
    /// </summary>
    public void Forget(byte[] segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.Length != SegmentSize)
        {
            return;
        }

        lock (_gate)
        {
            _lent = Math.Max(0, _lent - SegmentSize);
        }
    }

    private long IdleAfterOneMore() => ((long)_idle.Count + 1) * SegmentSize;
}
