using System.Threading.Tasks.Sources;
using Akka.Actor;
using Akka.IO;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The duplex byte stream under a connection's <see cref="System.Net.Security.SslStream"/>: the connection
/// actor hands it each <see cref="Tcp.Received"/> (<see cref="Deliver"/>) and each write ack
/// (<see cref="Acked"/>); reads complete from that data, each write becomes one <see cref="Tcp.Write"/> to the
/// Akka.IO connection at once, acknowledged later (<see cref="Unacked"/> counts the writes not yet on the socket).
/// Never blocks: a read with nothing buffered returns a pending task that the next delivery completes.
/// During the handshake the SslStream runs on pool threads and a read's continuation runs asynchronously. After it
/// (<see cref="RunContinuationsInline"/>) the actor alone calls the stream, and a delivery completes a pending read
/// inline, on the actor's thread: the SslStream decrypts there, and no pool item or message is spent per read or
/// write (issue 13). Thread safe either way.
/// </summary>
internal sealed class TcpDuplexStream : Stream, IValueTaskSource<int>
{
    /// <summary>Above this many unread bytes the socket stops reading until the TLS layer catches up.</summary>
    private const int SuspendAbove = 256 * 1024;

    private const int ResumeBelow = 64 * 1024;

    private readonly object _gate = new();
    private readonly IActorRef _tcp;
    private readonly IActorRef _owner;
    private readonly Queue<ByteString> _chunks = new();
    private ManualResetValueTaskSourceCore<int> _read = new() { RunContinuationsAsynchronously = true };
    private int _offset;
    private int _buffered;
    private long _delivered;
    private int _unacked;
    private bool _suspended;
    private bool _ended;
    private bool _readPending;
    private Memory<byte> _readInto;

    public TcpDuplexStream(IActorRef tcp, IActorRef owner)
    {
        _tcp = tcp;
        _owner = owner;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Bytes delivered and not yet read.</summary>
    public int Buffered
    {
        get
        {
            lock (_gate)
            {
                return _buffered;
            }
        }
    }

    /// <summary>Bytes the TLS layer has read so far (delivered and taken by reads).</summary>
    public long BytesRead
    {
        get
        {
            lock (_gate)
            {
                return _delivered - _buffered;
            }
        }
    }

    /// <summary>Writes handed to the Akka.IO connection and not yet acknowledged (not yet on the socket).</summary>
    public int Unacked
    {
        get
        {
            lock (_gate)
            {
                return _unacked;
            }
        }
    }

    /// <summary>The write ack the actor receives for every <see cref="Tcp.Write"/> this stream sends.</summary>
    public sealed class WriteAck : Tcp.Event
    {
        public static WriteAck Instance { get; } = new();

        private WriteAck()
        {
        }
    }

    /// <summary>From now on a read completes on the thread of the delivery that completes it (called by the actor once the handshake is done).</summary>
    public void RunContinuationsInline()
    {
        lock (_gate)
        {
            _read.RunContinuationsAsynchronously = false;
        }
    }

    /// <summary>Bytes received from the socket (called by the actor).</summary>
    public void Deliver(ByteString data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var complete = false;
        var n = 0;
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            _chunks.Enqueue(data.Compact());
            _buffered += data.Count;
            _delivered += data.Count;
            if (_readPending)
            {
                n = Drain(_readInto.Span);
                complete = true;
                _readPending = false;
                _readInto = default;
            }

            if (!_suspended && _buffered > SuspendAbove)
            {
                _suspended = true;
                _tcp.Tell(Tcp.SuspendReading.Instance, _owner);
            }
        }

        if (complete)
        {
            _read.SetResult(n);
        }
    }

    /// <summary>One write reached the socket (called by the actor on <see cref="WriteAck"/>).</summary>
    public void Acked()
    {
        lock (_gate)
        {
            _unacked = Math.Max(0, _unacked - 1);
        }
    }

    /// <summary>The connection ended: reads return the bytes still buffered and then 0, writes fail.</summary>
    public void Complete()
    {
        var complete = false;
        lock (_gate)
        {
            _ended = true;
            _unacked = 0;
            if (_readPending)
            {
                complete = true;
                _readPending = false;
                _readInto = default;
            }
        }

        if (complete)
        {
            _read.SetResult(0);
        }
    }

    /// <summary>
    /// Reads what was delivered. A zero-byte read waits until something is delivered (or the end) and returns 0, so
    /// that SslStream can wait for data without holding a buffer.
    /// </summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (buffer.IsEmpty && (_buffered > 0 || _ended))
            {
                return ValueTask.FromResult(0);
            }

            if (_buffered > 0)
            {
                return ValueTask.FromResult(Drain(buffer.Span));
            }

            if (_ended)
            {
                return ValueTask.FromResult(0);
            }

            if (_readPending)
            {
                return ValueTask.FromException<int>(new InvalidOperationException("Only one read may be pending."));
            }

            _read.Reset();
            _readPending = true;
            _readInto = buffer;
            return new ValueTask<int>(this, _read.Version);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Sends the bytes as one <see cref="Tcp.Write"/> and completes at once; the ack comes to the actor later.</summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            if (_ended)
            {
                return ValueTask.FromException(new IOException("The connection is closed."));
            }

            _unacked++;
        }

        // SslStream reuses its buffer once the write completes: the bytes are copied.
        _tcp.Tell(Tcp.Write.Create(ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer)), WriteAck.Instance), _owner);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("The stream is asynchronous only.");

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("The stream is asynchronous only.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    int IValueTaskSource<int>.GetResult(short token) => _read.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _read.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Complete();
        }

        base.Dispose(disposing);
    }

    // Called under _gate with _buffered > 0.
    private int Drain(Span<byte> into)
    {
        var copied = 0;
        while (copied < into.Length && _chunks.Count > 0)
        {
            var chunk = _chunks.Peek();
            var take = Math.Min(chunk.Count - _offset, into.Length - copied);
            chunk.ToReadOnlySpan().Slice(_offset, take).CopyTo(into[copied..]);
            copied += take;
            _offset += take;
            if (_offset == chunk.Count)
            {
                _chunks.Dequeue();
                _offset = 0;
            }
        }

        _buffered -= copied;
        if (_suspended && _buffered < ResumeBelow && !_ended)
        {
            _suspended = false;
            _tcp.Tell(Tcp.ResumeReading.Instance, _owner);
        }

        return copied;
    }
}
