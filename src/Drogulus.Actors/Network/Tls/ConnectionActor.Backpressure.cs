using Akka.Actor;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// Backpressure both ways (PROTOCOL §5): the connection reads only while fewer than <c>outgoing-high-water</c> bytes
/// wait to be written to the peer (and again once they drain below <c>outgoing-low-water</c>), and while the peer has
/// fewer than <c>max-requests-in-flight</c> requests unanswered here; a read is made only then, so nothing the peer
/// sends is taken in while paused (the bytes wait in <see cref="TcpDuplexStream"/>, which suspends the socket).
/// Queued writes that make no progress for <c>write-timeout</c> close the connection.
/// </summary>
internal sealed partial class ConnectionActor
{
    private readonly Dictionary<string, int> _answering = new(StringComparer.Ordinal);
    private readonly Queue<InboundRequest> _held = new();
    private int _answeringCount;
    private ReadState _reading;
    private ValueTask<int> _sslRead;
    private bool _readMoreQueued;
    private bool _answeredSinceDispatch;
    private bool _flushQueued;
    private bool _tlsWriting; // a TLS write went asynchronous (rare: the stream completes writes at once)
    private bool _writesPaused;
    private DateTimeOffset _lastWriteProgress;
    private bool _reportedBusy;
    private bool _lastReadFilled;

    /// <summary>Whether requests are in flight on this connection, either way (the budget never closes such a one).</summary>
    private bool Busy => _pending.Count > 0 || _unsent.Count > 0 || _answeringCount > 0 || _held.Count > 0;

    /// <inheritdoc />
    protected override bool AroundReceive(Receive receive, object message)
    {
        var handled = base.AroundReceive(receive, message);
        var busy = Busy;
        if (busy != _reportedBusy)
        {
            _reportedBusy = busy;
            Context.Parent.Tell(new Activity(busy));
        }

        return handled;
    }

    /// <summary>What the pending SslStream read is: none, a zero-byte read waiting for data, or a read into the buffer.</summary>
    private enum ReadState
    {
        None,
        Probe,
        Read,
    }

    /// <summary>Whether reading is paused: too many reply bytes queued, too many requests unanswered, or closing.</summary>
    private bool ReadsPaused => _writesPaused || _held.Count > 0 || _answeringCount >= _settings.MaxRequestsInFlight || _draining;

    /// <summary>
    /// Starts the next read unless one is pending or reading is paused. It starts as a zero-byte read, which completes
    /// when data (or the end) is there without holding a buffer, so an idle connection holds neither our read buffer
    /// nor SslStream's (issue 9, memory per connection); then one read into a buffer rented for that read. The SslStream
    /// runs on this actor's thread (<see cref="TcpDuplexStream.RunContinuationsInline"/>): a read of bytes already
    /// delivered completes at once, a pending one completes inside the delivery (<see cref="OnDelivered"/>), and no
    /// message or pool item is spent on either (issue 13). One read per message: when more is there, the next read
    /// waits for <see cref="ReadMore"/>.
    /// </summary>
    private void ResumeReading()
    {
        if (CanStartRead && (_lastReadFilled || Probe()))
        {
            Read();
        }
    }

    /// <summary>
    /// Whether a read may start. Besides the pauses (<see cref="ReadsPaused"/>): once a read handed requests to the node,
    /// the next waits until the node answered one of them (or the peer closed), so that the node is at most one read
    /// ahead of its answers and a peer that sends faster than it reads meets the high-water mark with its replies, however
    /// fast this actor reads.
    /// </summary>
    private bool CanStartRead =>
        _reading == ReadState.None && !_readMoreQueued && !ReadsPaused && _ssl is not null && !_cts.IsCancellationRequested
        && (_answeringCount == 0 || _answeredSinceDispatch || _tcpClosed);

    /// <summary>Bytes (or the end) were delivered to the stream: a pending read may have completed.</summary>
    private void OnDelivered()
    {
        switch (_reading)
        {
            case ReadState.None:
                ResumeReading();
                break;
            case ReadState.Probe when _sslRead.IsCompleted:
                if (Take(out _) && CanStartRead)
                {
                    Read();
                }

                break;
            case ReadState.Read when _sslRead.IsCompleted:
                AfterRead();
                break;
        }
    }

    /// <summary>Arms a zero-byte read; true when it completed at once (bytes or the end are there).</summary>
    private bool Probe()
    {
        _reading = ReadState.Probe;
        _sslRead = _ssl!.ReadAsync(Memory<byte>.Empty, _cts.Token);
        return _sslRead.IsCompleted && Take(out _);
    }

    /// <summary>One read into the rented buffer; its frames are handed on as soon as it completes.</summary>
    private void Read()
    {
        _reading = ReadState.Read;
        _sslRead = _ssl!.ReadAsync(_inbound.Buffer, _cts.Token);
        if (_sslRead.IsCompleted)
        {
            AfterRead();
        }
    }

    private void AfterRead()
    {
        if (!Take(out var count))
        {
            return;
        }

        if (count == 0)
        {
            _lastReadFilled = false;
            Close(_inbound.HasPartialFrame ? "the peer closed the connection inside a frame" : "the peer closed the connection");
            return;
        }

        OnBytes(count);
        if (CanStartRead && (_lastReadFilled || Probe()))
        {
            ReadMoreLater();
        }
    }

    private void ReadMoreLater()
    {
        _readMoreQueued = true;
        Self.Tell(ReadMore.Instance);
    }

    private void OnReadMore()
    {
        _readMoreQueued = false;
        ResumeReading();
    }

    /// <summary>Ends the pending read with its count; false, and the connection closed, when it failed.</summary>
    private bool Take(out int count)
    {
        _reading = ReadState.None;
        try
        {
            count = _sslRead.GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e)
        {
            count = 0;
            Close("TLS stream failed: " + e.Message);
            return false;
        }
        finally
        {
            _sslRead = default;
        }
    }

    /// <summary>
    /// Hands a request to the routing table, or holds it while the peer has <c>max-requests-in-flight</c> unanswered. Held
    /// requests are at most those of one read (reading is paused while any is held).
    /// </summary>
    private void Dispatch(InboundRequest request)
    {
        if (_held.Count > 0 || _answeringCount >= _settings.MaxRequestsInFlight)
        {
            _held.Enqueue(request);
            return;
        }

        var uuid = request.Request.Uuid;
        _answering[uuid] = _answering.GetValueOrDefault(uuid) + 1;
        _answeringCount++;
        _answeredSinceDispatch = false;
        _handler.Tell(request);
    }

    /// <summary>The node answered <paramref name="uuid"/>: one fewer in flight, so a held request may go.</summary>
    private void Answered(string uuid)
    {
        if (!_answering.TryGetValue(uuid, out var count))
        {
            return;
        }

        if (count == 1)
        {
            _answering.Remove(uuid);
        }
        else
        {
            _answering[uuid] = count - 1;
        }

        _answeringCount--;
        _answeredSinceDispatch = true;
        while (_held.Count > 0 && _answeringCount < _settings.MaxRequestsInFlight)
        {
            var next = _held.Dequeue();
            var nextUuid = next.Request.Uuid;
            _answering[nextUuid] = _answering.GetValueOrDefault(nextUuid) + 1;
            _answeringCount++;
            _handler.Tell(next);
        }
    }

    /// <summary>After a frame was queued: above the high-water mark, reading pauses.</summary>
    private void CheckHighWater()
    {
        if (!_writesPaused && _outgoing.QueuedBytes > _settings.OutgoingHighWater)
        {
            _writesPaused = true;
        }
    }

    /// <summary>After a write completed: below the low-water mark, reading resumes.</summary>
    private void CheckLowWater()
    {
        if (_writesPaused && _outgoing.QueuedBytes < _settings.OutgoingLowWater)
        {
            _writesPaused = false;
        }
    }

    /// <summary>A write started: from now on it must make progress within <c>write-timeout</c>.</summary>
    private void WriteStarted()
    {
        _lastWriteProgress = Context.System.Scheduler.Now;
        if (!Timers.IsTimerActive("write"))
        {
            Timers.StartSingleTimer("write", WriteCheck.Instance, _settings.WriteTimeout);
        }
    }

    /// <summary>Bytes reached the socket (an Akka.IO write ack) or a write completed.</summary>
    private void WriteProgressed() => _lastWriteProgress = Context.System.Scheduler.Now;

    private void OnWriteCheck()
    {
        if (!_outgoing.InFlight)
        {
            return;
        }

        var stalled = Context.System.Scheduler.Now - _lastWriteProgress;
        if (stalled >= _settings.WriteTimeout)
        {
            Close($"{_outgoing.QueuedBytes} queued bytes made no progress within write-timeout (the peer does not read)", Warnings.SlowPeer);
            return;
        }

        Timers.StartSingleTimer("write", WriteCheck.Instance, _settings.WriteTimeout - stalled);
    }
}
