using Akka.Actor;
using Akka.IO;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The duplex byte stream under a connection's <see cref="System.Net.Security.SslStream"/>: the connection
/// actor hands it each <see cref="Tcp.Received"/> (<see cref="Deliver"/>) and each write ack
/// (<see cref="Acked"/>); reads complete from that data, writes become <see cref="Tcp.Write"/>s to the Akka.IO
/// connection, finished by their ack. Never blocks: a read with nothing buffered returns a task that the
/// next delivery completes. Thread safe (the SslStream runs on pool threads, deliveries come from the actor);
/// continuations run asynchronously so that no TLS work runs on the actor's thread.
/// </summary>
internal sealed class TcpDuplexStream : Stream
{
    /// <summary>Above this many unread bytes the socket stops reading until the TLS layer catches up.</summary>
    private const int SuspendAbove = 256 * 1024;

    private const int ResumeBelow = 64 * 1024;

    private readonly object _gate = new();
    private readonly IActorRef _tcp;
    private readonly IActorRef _owner;
    private readonly Queue<byte[]> _chunks = new();
    private int _offset;
    private int _buffered;
    private bool _suspended;
    private bool _ended;
    private TaskCompletionSource<int>? _read;
    private Memory<byte> _readInto;
    private TaskCompletionSource? _write;

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

    /// <summary>The write ack the actor receives for every <see cref="Tcp.Write"/> this stream sends.</summary>
    public sealed class WriteAck : Tcp.Event
    {
        public static WriteAck Instance { get; } = new();

        private WriteAck()
        {
        }
    }

    /// <summary>Bytes received from the socket (called by the actor).</summary>
    public void Deliver(ByteString data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        TaskCompletionSource<int>? complete = null;
        var n = 0;
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            var bytes = data.ToArray();
            _chunks.Enqueue(bytes);
            _buffered += bytes.Length;
            if (_read is not null)
            {
                n = Drain(_readInto.Span);
                complete = _read;
                _read = null;
                _readInto = default;
            }

            if (!_suspended && _buffered > SuspendAbove)
            {
                _suspended = true;
                _tcp.Tell(Tcp.SuspendReading.Instance, _owner);
            }
        }

        complete?.TrySetResult(n);
    }

    /// <summary>The previous write reached the socket (called by the actor on <see cref="WriteAck"/>).</summary>
    public void Acked()
    {
        TaskCompletionSource? complete;
        lock (_gate)
        {
            complete = _write;
            _write = null;
        }

        complete?.TrySetResult();
    }

    /// <summary>
    /// The connection ended: reads return the bytes still buffered and then 0, a pending write fails.
    /// </summary>
    public void Complete()
    {
        TaskCompletionSource<int>? read;
        TaskCompletionSource? write;
        lock (_gate)
        {
            _ended = true;
            read = _read;
            _read = null;
            _readInto = default;
            write = _write;
            _write = null;
        }

        read?.TrySetResult(0);
        write?.TrySetException(new IOException("The connection is closed."));
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

            if (_read is not null)
            {
                return ValueTask.FromException<int>(new InvalidOperationException("Only one read may be pending."));
            }

            _read = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _readInto = buffer;
            return new ValueTask<int>(_read.Task);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_ended)
            {
                return ValueTask.FromException(new IOException("The connection is closed."));
            }

            if (_write is not null)
            {
                return ValueTask.FromException(new InvalidOperationException("Only one write may be pending."));
            }

            _write = done;
            _tcp.Tell(Tcp.Write.Create(ByteString.FromBytes(buffer.ToArray()), WriteAck.Instance), _owner);
        }

        return new ValueTask(done.Task);
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
            var take = Math.Min(chunk.Length - _offset, into.Length - copied);
            chunk.AsSpan(_offset, take).CopyTo(into[copied..]);
            copied += take;
            _offset += take;
            if (_offset == chunk.Length)
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
