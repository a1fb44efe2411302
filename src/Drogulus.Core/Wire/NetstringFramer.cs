using System.Buffers;
using System.Globalization;

namespace Drogulus.Core.Wire;

/// <summary>
/// Splits a byte stream into netstring payloads (PROTOCOL §4 framing): ASCII decimal length without
/// sign or leading zeros (except <c>0</c>) and at most 10 digits, <c>:</c>, payload, <c>,</c>.
/// Incremental: bytes may arrive in any chunking (the original mis-parsed lengths split across reads,
/// §11). An oversize length is refused as soon as its digits exceed the limit, before any payload is
/// buffered. A payload is held in segments of at most one read's size, allocated as its bytes arrive, so the
/// bytes held for a frame never exceed what arrived by more than one read (PROTOCOL §5: nothing grows with
/// what a peer only announces); the segments are joined once, when the frame completes. With a
/// <see cref="FrameSegmentPool"/> the segments come from it and go back to it when the frame completes, fails or is
/// <see cref="Release">released</see>, so that the frames of closed connections are not left as garbage.
/// After an error the framer stays failed. Not thread safe; one per connection.
/// </summary>
public sealed class NetstringFramer
{
    /// <summary>Most digits a length may have.</summary>
    public const int MaxLengthDigits = 10;

    private readonly int _maxFrameSize;
    private readonly int _segmentSize;
    private readonly List<byte[]> _segments = [];
    private readonly FrameSegmentPool? _pool;
    private State _state = State.Length;
    private long _length;
    private int _digits;
    private int _held;
    private int _filled;
    private FrameResult _failure;

    /// <summary>A framer accepting payloads of at most <paramref name="maxFrameSize"/> bytes, held in segments of 8 KiB.</summary>
    public NetstringFramer(int maxFrameSize)
        : this(maxFrameSize, DefaultSegmentSize)
    {
    }

    /// <summary>
    /// A framer accepting payloads of at most <paramref name="maxFrameSize"/> bytes, holding a partial payload in
    /// segments of at most <paramref name="segmentSize"/> bytes (the caller's read size).
    /// </summary>
    public NetstringFramer(int maxFrameSize, int segmentSize)
        : this(maxFrameSize, segmentSize, null)
    {
    }

    /// <summary>
    /// A framer accepting payloads of at most <paramref name="maxFrameSize"/> bytes, holding a partial payload in
    /// segments of at most <paramref name="segmentSize"/> bytes rented from <paramref name="pool"/> (none: new arrays).
    /// </summary>
    public NetstringFramer(int maxFrameSize, int segmentSize, FrameSegmentPool? pool)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxFrameSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentSize, 1);
        _maxFrameSize = maxFrameSize;
        _segmentSize = segmentSize;
        _pool = pool;
    }

    /// <summary>Segment size of the one-argument constructor.</summary>
    public const int DefaultSegmentSize = 8 * 1024;

    private enum State
    {
        Length,
        Payload,
        Comma,
        Failed,
    }

    /// <summary>The largest payload accepted.</summary>
    public int MaxFrameSize => _maxFrameSize;

    /// <summary>
    /// Whether part of a frame (even one length digit) has arrived without its end, so the peer owes
    /// the rest; false between frames and after a failure.
    /// </summary>
    public bool HasPartialFrame => _state is State.Payload or State.Comma || (_state == State.Length && _digits > 0);

    /// <summary>How many frames have been completed; with <see cref="HasPartialFrame"/> it names the frame being read.</summary>
    public long FramesCompleted { get; private set; }

    /// <summary>
    /// Bytes held for the frame being read (the capacity of its segments): at most what arrived of it plus one
    /// segment; 0 between frames.
    /// </summary>
    public int HeldBytes => _held;

    /// <summary>Whether the stream was malformed; every later <see cref="Feed"/> returns the same error.</summary>
    public bool IsFailed => _state == State.Failed;

    /// <summary>
    /// Consumes <paramref name="chunk"/> and appends each completed payload to <paramref name="framesOut"/>
    /// (each in its own array, so the caller may reuse its read buffer). On a malformed stream the frames
    /// completed before the error are still appended and the error is returned.
    /// </summary>
    public FrameResult Feed(ReadOnlySpan<byte> chunk, ICollection<ReadOnlyMemory<byte>> framesOut)
    {
        ArgumentNullException.ThrowIfNull(framesOut);
        while (!chunk.IsEmpty)
        {
            switch (_state)
            {
                case State.Failed:
                    return _failure;
                case State.Length:
                    if (!ReadLengthByte(chunk[0]))
                    {
                        return _failure;
                    }

                    chunk = chunk[1..];
                    break;
                case State.Payload:
                    var take = Append(chunk);
                    chunk = chunk[take..];
                    if (_filled == _length)
                    {
                        _state = State.Comma;
                    }

                    break;
                case State.Comma:
                    if (chunk[0] != (byte)',')
                    {
                        return Fail(ErrorCode.BadRequest, "The netstring payload is not followed by ','.");
                    }

                    chunk = chunk[1..];
                    framesOut.Add(Joined());
                    FramesCompleted++;
                    Reset();
                    break;
            }
        }

        return _state == State.Failed ? _failure : FrameResult.Ok;
    }

    /// <summary>The netstring of <paramref name="payload"/>.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var buffer = new ArrayBufferWriter<byte>(payload.Length + MaxLengthDigits + 2);
        WriteFrame(buffer, payload);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the netstring of <paramref name="payload"/> to <paramref name="output"/>.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(output);
        var header = output.GetSpan(MaxLengthDigits + 1);
        payload.Length.TryFormat(header, out var digits, default, CultureInfo.InvariantCulture);
        header[digits] = (byte)':';
        output.Advance(digits + 1);
        output.Write(payload);
        output.GetSpan(1)[0] = (byte)',';
        output.Advance(1);
    }

    private bool ReadLengthByte(byte b)
    {
        if (b == (byte)':')
        {
            if (_digits == 0)
            {
                Fail(ErrorCode.BadRequest, "The netstring length is empty.");
                return false;
            }

            ClearPayload();
            _state = _length == 0 ? State.Comma : State.Payload;
            return true;
        }

        if (b is < (byte)'0' or > (byte)'9')
        {
            Fail(ErrorCode.BadRequest, "The netstring length holds a byte that is not a decimal digit.");
            return false;
        }

        if (_digits == 1 && _length == 0)
        {
            Fail(ErrorCode.BadRequest, "The netstring length has a leading zero.");
            return false;
        }

        if (_digits == MaxLengthDigits)
        {
            Fail(ErrorCode.BadRequest, $"The netstring length has more than {MaxLengthDigits} digits.");
            return false;
        }

        _length = (_length * 10) + (b - '0');
        _digits++;

        // Digits only ever make the length larger, so the limit is known to be broken right away.
        if (_length > _maxFrameSize)
        {
            Fail(ErrorCode.RequestTooBig, $"The frame is longer than {_maxFrameSize} bytes.");
            return false;
        }

        return true;
    }

    // Copies what `chunk` holds of the payload into the last segment, starting a new one (of one segment's size,
    // or what is left of the payload when less) when it is full; returns the bytes taken.
    private int Append(ReadOnlySpan<byte> chunk)
    {
        var taken = 0;
        while (taken < chunk.Length && _filled < _length)
        {
            var last = _segments.Count == 0 ? null : _segments[^1];
            var used = _filled - (_held - (last?.Length ?? 0));
            if (last is null || used == last.Length)
            {
                var size = (int)Math.Min(_segmentSize, _length - _filled);
                last = _pool?.Rent(size) ?? new byte[size];
                _segments.Add(last);
                _held += last.Length;
                used = 0;
            }

            var n = Math.Min(chunk.Length - taken, last.Length - used);
            chunk.Slice(taken, n).CopyTo(last.AsSpan(used));
            taken += n;
            _filled += n;
        }

        return taken;
    }

    // The completed payload in one array: the segment itself when there is one, else the segments joined.
    private byte[] Joined()
    {
        if (_segments.Count == 0)
        {
            return [];
        }

        if (_segments.Count == 1)
        {
            // Handed out as the payload: it never goes back to the pool, and no longer counts as lent.
            var only = _segments[0];
            _segments.Clear();
            _pool?.Forget(only);
            return only;
        }

        var payload = new byte[_filled];
        var at = 0;
        foreach (var segment in _segments)
        {
            segment.CopyTo(payload, at);
            at += segment.Length;
        }

        return payload;
    }

    /// <summary>
    /// Hands the unfinished frame's segments back to the pool (its connection closed); the framer is failed from then on.
    /// </summary>
    public void Release()
    {
        if (_state != State.Failed)
        {
            Fail(ErrorCode.BadRequest, "The framer was released.");
        }

        ClearPayload();
    }

    private void ClearPayload()
    {
        if (_pool is not null)
        {
            foreach (var segment in _segments)
            {
                _pool.Return(segment);
            }
        }

        _segments.Clear();
        _held = 0;
        _filled = 0;
    }

    private FrameResult Fail(ErrorCode code, string reason)
    {
        _failure = FrameResult.Fail(code, reason);
        _state = State.Failed;
        ClearPayload();
        return _failure;
    }

    private void Reset()
    {
        _state = State.Length;
        _length = 0;
        _digits = 0;
        ClearPayload();
    }
}
