using System.Buffers;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// What one connection reads (PROTOCOL §4, §5, §12): bytes into netstring frames, frames into messages, each
/// message checked against the peer's TLS identity. Pure: it says what each frame calls for and the owning
/// actor answers, writes and closes.
/// </summary>
internal sealed class InboundFrames
{
    private readonly NetstringFramer _framer;
    private readonly int _bufferSize;
    private readonly List<ReadOnlyMemory<byte>> _frames = [];

    // Rented from the shared pool for one read and returned by Feed: an idle connection, which waits with a
    // zero-byte read, holds no read buffer (issue 9, memory per connection).
    private byte[]? _buffer;

    public InboundFrames(int maxFrameSize, int bufferSize, FrameSegmentPool? segments = null)
    {
        _framer = new NetstringFramer(maxFrameSize, segmentSize: bufferSize, segments);
        _bufferSize = bufferSize;
    }

    /// <summary>Where the next read lands, rented until <see cref="Feed"/> takes what it read.</summary>
    public Memory<byte> Buffer => (_buffer ??= ArrayPool<byte>.Shared.Rent(_bufferSize)).AsMemory(0, _bufferSize);

    /// <summary>Whether a read buffer is held (between a read and its <see cref="Feed"/>).</summary>
    public bool HoldsBuffer => _buffer is not null;

    /// <summary>Frames held from the last read (none once <see cref="Feed"/> returned: an idle connection keeps no payload).</summary>
    public int HeldFrames => _frames.Count;

    /// <summary>Forgets the read buffer without returning it to the pool (a read may still write into it).</summary>
    public void Drop() => _buffer = null;

    /// <summary>
    /// The connection closed: the unfinished frame's segments go back to the node's <see cref="FrameSegmentPool"/> (issue 21
    /// item 4), and nothing more is framed.
    /// </summary>
    public void Release() => _framer.Release();

    /// <summary>Bytes held for the frame being read: at most one read more than what arrived of it (PROTOCOL §5).</summary>
    public int HeldFrameBytes => _framer.HeldBytes;

    /// <summary>Whether the bytes read so far end inside a frame.</summary>
    public bool HasPartialFrame => _framer.HasPartialFrame;

    /// <summary>
    /// The frame being read, when the bytes read so far end inside one: a number that stays the same while it
    /// trickles in and changes with every new frame, so its deadline (<c>frame-timeout</c>) is not extended by
    /// its own bytes. Null between frames.
    /// </summary>
    public long? PartialFrame => _framer.HasPartialFrame ? _framer.FramesCompleted : null;

    /// <summary>
    /// Frames the first <paramref name="count"/> bytes of <see cref="Buffer"/> and judges each complete frame in
    /// order; a framing error comes last. Stop at the first <see cref="Rejected"/>: the connection closes on it.
    /// </summary>
    public IReadOnlyList<Inbound> Feed(int count, Key peerId)
    {
        _frames.Clear();
        var buffer = _buffer ?? throw new InvalidOperationException("Feed without a read into Buffer.");
        var result = _framer.Feed(buffer.AsSpan(0, count), _frames);
        _buffer = null;
        ArrayPool<byte>.Shared.Return(buffer);
        var judged = new List<Inbound>(_frames.Count + 1);
        foreach (var frame in _frames)
        {
            judged.Add(Judge(frame, peerId));
        }

        // Not kept until the next read: the last frame's payload (up to max-frame-size) would stay with an idle
        // connection (issue 9, memory per connection).
        _frames.Clear();

        if (!result.IsOk)
        {
            judged.Add(new Rejected(string.Empty, result.Error!.Value, ErrorReply.Details("context", result.Reason), result.Reason));
        }

        return judged;
    }

    /// <summary>The error details as one line for the log, escaped and truncated: they hold text from the wire.</summary>
    public static string Describe(IReadOnlyDictionary<string, string> details) => WireText.Describe(details);

    private static Inbound Judge(ReadOnlyMemory<byte> frame, Key peerId)
    {
        var decoded = MessageCodec.Decode(frame);
        if (!decoded.IsSuccess)
        {
            var failure = decoded.Failure!;
            return failure.Code == ErrorCode.UnknownRequest
                ? new Unknown(failure)
                : new Rejected(failure.Uuid ?? string.Empty, failure.Code, failure.Details, Describe(failure.Details));
        }

        var message = decoded.Message!;
        return message.Node == peerId
            ? new Accepted(message)
            : new Rejected(message.Uuid, ErrorCode.BadRequest, ErrorReply.Details("node", "does not match the TLS identity"), "its node field does not match its TLS identity");
    }

    /// <summary>What one frame calls for.</summary>
    internal abstract record Inbound;

    /// <summary>A well-formed message from the proven peer.</summary>
    internal sealed record Accepted(Message Message) : Inbound;

    /// <summary>A request of a kind this node does not know: answer the error and read on.</summary>
    internal sealed record Unknown(DecodeFailure Failure) : Inbound;

    /// <summary>Bad input: answer the error, then close.</summary>
    internal sealed record Rejected(string Uuid, ErrorCode Code, IReadOnlyDictionary<string, string> Details, string Reason) : Inbound;
}
