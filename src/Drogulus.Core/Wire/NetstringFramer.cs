using System.Buffers;
using System.Globalization;

namespace Drogulus.Core.Wire;

/// <summary>
/// Splits a byte stream into netstring payloads (PROTOCOL §4 framing): ASCII decimal length without
/// sign or leading zeros (except <c>0</c>) and at most 10 digits, <c>:</c>, payload, <c>,</c>.
/// Incremental: bytes may arrive in any chunking (the original mis-parsed lengths split across reads,
/// §11). An oversize length is refused as soon as its digits exceed the limit, before any payload is
/// buffered. A payload's buffer grows with the bytes that arrived (doubling, at most to the declared length),
/// never with the declared length alone, so a peer that announces a large frame and sends little holds little.
/// After an error the framer stays failed. Not thread safe; one per connection.
/// </summary>
public sealed class NetstringFramer
{
    /// <summary>Most digits a length may have.</summary>
    public const int MaxLengthDigits = 10;

    private readonly int _maxFrameSize;
    private State _state = State.Length;
    private long _length;
    private int _digits;
    private byte[] _payload = [];
    private int _filled;
    private FrameResult _failure;

    /// <summary>A framer accepting payloads of at most <paramref name="maxFrameSize"/> bytes.</summary>
    public NetstringFramer(int maxFrameSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxFrameSize);
        _maxFrameSize = maxFrameSize;
    }

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

    /// <summary>Bytes held for the frame being read (its buffer's capacity); 0 between frames.</summary>
    internal int BufferedCapacity => _payload.Length;

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
                    var take = (int)Math.Min(chunk.Length, _length - _filled);
                    Grow(_filled + take);
                    chunk[..take].CopyTo(_payload.AsSpan(_filled));
                    _filled += take;
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
                    framesOut.Add(_payload);
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

            _payload = [];
            _filled = 0;
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

    // Capacity at least `needed`, doubling so that copies stay linear, never beyond the declared length; the
    // last growth lands exactly on the length, so the completed buffer is the payload itself.
    private void Grow(int needed)
    {
        if (_payload.Length >= needed)
        {
            return;
        }

        var capacity = (int)Math.Min(_length, Math.Max(needed, (long)_payload.Length * 2));
        Array.Resize(ref _payload, capacity);
    }

    private FrameResult Fail(ErrorCode code, string reason)
    {
        _failure = FrameResult.Fail(code, reason);
        _state = State.Failed;
        _payload = [];
        return _failure;
    }

    private void Reset()
    {
        _state = State.Length;
        _length = 0;
        _digits = 0;
        _payload = [];
        _filled = 0;
    }
}
