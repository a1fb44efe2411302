using System.Buffers;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The frames one connection has yet to write (PROTOCOL §4). One TLS write is in flight at a time; frames
/// queued meanwhile go out together in the next one, so a burst costs few TLS records. Pure bookkeeping:
/// the owning actor starts each write and reports its end.
/// </summary>
internal sealed class OutgoingFrames
{
    private const int ScratchKeep = 16 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    private readonly int _maxFrameSize;
    private readonly int _keepCapacity;
    // Empty until a frame is queued, and emptied again when the connection falls idle: an idle connection holds no
    // write buffer (issue 9, memory per connection).
    private ArrayBufferWriter<byte> _queued = new();
    private ArrayBufferWriter<byte> _writing = new();

    /// <param name="maxFrameSize">The largest payload a frame may carry (<c>max-frame-size</c>).</param>
    /// <param name="keepCapacity">A write buffer grown beyond this is dropped once written, so one large burst does not pin memory.</param>
    public OutgoingFrames(int maxFrameSize, int keepCapacity)
    {
        _maxFrameSize = maxFrameSize;
        _keepCapacity = keepCapacity;
    }

    /// <summary>Whether a write is in flight.</summary>
    public bool InFlight { get; private set; }

    /// <summary>Bytes not yet written: the frames queued and the write in flight (the backpressure measure, PROTOCOL §5).</summary>
    public int QueuedBytes => _queued.WrittenCount + (InFlight ? _writing.WrittenCount : 0);

    /// <summary>Bytes of buffer held, written or not (what an idle connection should not hold).</summary>
    public int HeldCapacity => _queued.Capacity + _writing.Capacity;

    /// <summary>Whether frames wait for the next write.</summary>
    public bool HasQueued => _queued.WrittenCount > 0;

    /// <summary>Queues <paramref name="message"/> as one frame; false when it is larger than <c>max-frame-size</c>.</summary>
    public bool Enqueue(Message message)
    {
        // Encoded into a buffer of this thread's, reused by every connection that runs on it (a frame's length comes
        // before it, so the payload is encoded first): no arrays per message, and none held by an idle connection.
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(ScratchKeep);
        scratch.ResetWrittenCount();
        try
        {
            MessageCodec.Encode(message, scratch);
            if (scratch.WrittenCount > _maxFrameSize)
            {
                return false;
            }

            NetstringFramer.WriteFrame(_queued, scratch.WrittenSpan);
            return true;
        }
        finally
        {
            scratch.ResetWrittenCount();
            if (scratch.Capacity > ScratchKeep)
            {
                t_scratch = null;
            }
        }
    }

    /// <summary>
    /// The bytes to write next, all queued frames, now in flight; false while a write is in flight or nothing
    /// is queued. The bytes stay valid until <see cref="Completed"/>.
    /// </summary>
    public bool TryTakeBatch(out ReadOnlyMemory<byte> batch)
    {
        if (InFlight || !HasQueued)
        {
            batch = default;
            return false;
        }

        (_writing, _queued) = (_queued, _writing);
        _queued.ResetWrittenCount();
        InFlight = true;
        batch = _writing.WrittenMemory;
        return true;
    }

    /// <summary>The write in flight ended.</summary>
    public void Completed()
    {
        InFlight = false;
        if (!HasQueued)
        {
            _writing = new ArrayBufferWriter<byte>();
            _queued = new ArrayBufferWriter<byte>();
        }
        else if (_writing.Capacity > _keepCapacity)
        {
            _writing = new ArrayBufferWriter<byte>();
        }
    }
}
