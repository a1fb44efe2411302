using Akka.Actor;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// Backpressure both ways (PROTOCOL §5): the connection reads only while fewer than <c>outgoing-high-water</c> bytes
/// wait to be written to the peer (and again once they drain below <c>outgoing-low-water</c>), and while the peer has
/// fewer than <c>max-requests-in-flight</c> requests unanswered here; a read is armed only then, so nothing the peer
/// sends is taken in while paused (the bytes wait in <see cref="TcpDuplexStream"/>, which suspends the socket).
/// Queued writes that make no progress for <c>write-timeout</c> close the connection.
/// </summary>
internal sealed partial class ConnectionActor
{
    private readonly Dictionary<string, int> _answering = new(StringComparer.Ordinal);
    private readonly Queue<InboundRequest> _held = new();
    private int _answeringCount;
    private bool _readPending;
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

    /// <summary>Whether reading is paused: too many reply bytes queued, too many requests unanswered, or closing.</summary>
    private bool ReadsPaused => _writesPaused || _held.Count > 0 || _answeringCount >= _settings.MaxRequestsInFlight || _draining;

    /// <summary>
    /// Arms the next read unless one is pending or reading is paused. It starts as a zero-byte read, which completes
    /// when data (or the end) arrives without holding a buffer, so an idle connection holds neither our read buffer
    /// nor SslStream's (issue 9, memory per connection); <see cref="OnDataReady"/> then reads into a rented buffer.
    /// </summary>
    private void ResumeReading()
    {
        if (_readPending || ReadsPaused || _ssl is null)
        {
            return;
        }

        _readPending = true;
        if (_lastReadFilled)
        {
            // The last read filled the buffer, so more is most likely waiting: read it without the extra round.
            OnDataReady();
            return;
        }

        _ssl.ReadAsync(Memory<byte>.Empty, _cts.Token).AsTask()
            .PipeTo(Self, success: _ => DataReady.Instance, failure: e => new IoFailed(e));
    }

    /// <summary>Data arrived after a zero-byte read: read it into a rented buffer, unless reading paused meanwhile.</summary>
    private void OnDataReady()
    {
        if (ReadsPaused || _ssl is null)
        {
            _readPending = false;
            return;
        }

        _ssl.ReadAsync(_inbound.Buffer, _cts.Token).AsTask()
            .PipeTo(Self, success: n => new ReadCompleted(n), failure: e => new IoFailed(e));
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
