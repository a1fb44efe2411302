using Akka.Actor;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// Reads and backpressure both ways (PROTOCOL §5): the connection reads only while fewer than <c>outgoing-high-water</c>
/// bytes wait to be written to the peer (and again once they drain below <c>outgoing-low-water</c>), and while the peer
/// has fewer than <c>max-requests-in-flight</c> requests unanswered here; a read is made only then, so nothing the peer
/// sends is taken in while paused (the bytes wait in <see cref="TcpDuplexStream"/>, which suspends the socket).
/// Queued writes that make no progress for <c>write-timeout</c> close the connection.
/// </summary>
internal sealed partial class ConnectionActor
{
    private bool _reportedBusy; // the last Activity told to the transport

    /// <summary>Whether requests are in flight on this connection, either way (the budget never closes such a one).</summary>
    private bool Busy => _pending.Count > 0 || _phase.Busy;

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
    private static bool ReadsPaused(Session session) =>
        session.Writes.Paused || session.Answers.Held > 0 || session.Answers.Full || session.Draining;

    /// <summary>
    /// Starts the next read unless one is pending or reading is paused. It starts as a zero-byte read, which completes
    /// when data (or the end) is there without holding a buffer, so an idle connection holds neither our read buffer
    /// nor SslStream's (issue 9, memory per connection); then one read into a buffer rented for that read. The SslStream
    /// runs on this actor's thread (<see cref="TcpDuplexStream.RunContinuationsInline"/>): a read of bytes already
    /// delivered completes at once, a pending one completes inside the delivery (<see cref="OnDelivered"/>), and no
    /// message or pool item is spent on either (issue 13). One read per message: when more is there, the next read
    /// waits for <see cref="ReadMore"/>.
    /// </summary>
    private void ResumeReading(Session session)
    {
        if (CanStartRead(session) && (session.Reads.LastFilled || Probe(session)))
        {
            Read(session);
        }
    }

    /// <summary>
    /// Whether a read may start. Besides the pauses (<see cref="ReadsPaused"/>): once a read handed requests to the node,
    /// the next waits until the node answered one of them (or the peer closed), so that the node is at most one read
    /// ahead of its answers and a peer that sends faster than it reads meets the high-water mark with its replies, however
    /// fast this actor reads.
    /// </summary>
    private bool CanStartRead(Session session) =>
        session.Reads is { State: ReadState.None, MoreQueued: false } && !ReadsPaused(session) && !_cts.IsCancellationRequested
        && (session.Answers.Count == 0 || session.Answers.AnsweredSinceDispatch || session.Link.Closed);

    /// <summary>Bytes (or the end) were delivered to the stream: a pending read may have completed.</summary>
    private void OnDelivered(Session session)
    {
        switch (session.Reads.State)
        {
            case ReadState.None:
                ResumeReading(session);
                break;
            case ReadState.Probe when session.Reads.Pending.IsCompleted:
                if (Take(session.Reads, out _) && CanStartRead(session))
                {
                    Read(session);
                }

                break;
            case ReadState.Read when session.Reads.Pending.IsCompleted:
                AfterRead(session);
                break;
        }
    }

    /// <summary>Arms a zero-byte read; true when it completed at once (bytes or the end are there).</summary>
    private bool Probe(Session session)
    {
        var reads = session.Reads;
        reads.State = ReadState.Probe;
        reads.Pending = session.Ssl.ReadAsync(Memory<byte>.Empty, _cts.Token);
        return reads.Pending.IsCompleted && Take(reads, out _);
    }

    /// <summary>One read into the rented buffer; its frames are handed on as soon as it completes.</summary>
    private void Read(Session session)
    {
        var reads = session.Reads;
        reads.State = ReadState.Read;
        reads.Pending = session.Ssl.ReadAsync(reads.Frames.Buffer, _cts.Token);
        if (reads.Pending.IsCompleted)
        {
            AfterRead(session);
        }
    }

    private void AfterRead(Session session)
    {
        if (!Take(session.Reads, out var count))
        {
            return;
        }

        if (count == 0)
        {
            session.Reads.LastFilled = false;
            Close(session.Reads.Frames.HasPartialFrame ? "the peer closed the connection inside a frame" : "the peer closed the connection");
            return;
        }

        OnBytes(session, count);
        if (CanStartRead(session) && (session.Reads.LastFilled || Probe(session)))
        {
            session.Reads.MoreQueued = true;
            Self.Tell(ReadMore.Instance);
        }
    }

    private void OnReadMore(Session session)
    {
        session.Reads.MoreQueued = false;
        ResumeReading(session);
    }

    /// <summary>Ends the pending read with its count; false, and the connection closed, when it failed.</summary>
    private bool Take(Reads reads, out int count)
    {
        reads.State = ReadState.None;
        try
        {
            count = reads.Pending.GetAwaiter().GetResult();
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
            reads.Pending = default;
        }
    }

    /// <summary>
    /// Hands a request to the routing table, or holds it while the peer has <c>max-requests-in-flight</c> unanswered. Held
    /// requests are at most those of one read (reading is paused while any is held).
    /// </summary>
    private void Dispatch(Session session, InboundRequest request)
    {
        if (session.Answers.TryDispatch(request))
        {
            _handler.Tell(request);
        }
    }

    /// <summary>The node answered <paramref name="uuid"/>: one fewer in flight, so a held request may go.</summary>
    private void Answered(Session session, string uuid)
    {
        if (!session.Answers.Answered(uuid))
        {
            return;
        }

        while (session.Answers.TryRelease(out var next))
        {
            _handler.Tell(next);
        }
    }

    /// <summary>After a frame was queued: above the high-water mark, reading pauses.</summary>
    private void CheckHighWater(Writes writes)
    {
        if (!writes.Paused && writes.Frames.QueuedBytes > _settings.OutgoingHighWater)
        {
            writes.Paused = true;
        }
    }

    /// <summary>After a write completed: below the low-water mark, reading resumes.</summary>
    private void CheckLowWater(Writes writes)
    {
        if (writes.Paused && writes.Frames.QueuedBytes < _settings.OutgoingLowWater)
        {
            writes.Paused = false;
        }
    }

    /// <summary>A write started: from now on it must make progress within <c>write-timeout</c>.</summary>
    private void WriteStarted(Writes writes)
    {
        writes.LastProgress = Context.System.Scheduler.Now;
        if (!Timers.IsTimerActive("write"))
        {
            Timers.StartSingleTimer("write", WriteCheck.Instance, _settings.WriteTimeout);
        }
    }

    private void OnWriteCheck(Session session)
    {
        var writes = session.Writes;
        if (!writes.Frames.InFlight)
        {
            return;
        }

        var stalled = Context.System.Scheduler.Now - writes.LastProgress;
        if (stalled >= _settings.WriteTimeout)
        {
            Close($"{writes.Frames.QueuedBytes} queued bytes made no progress within write-timeout (the peer does not read)", Warnings.SlowPeer);
            return;
        }

        Timers.StartSingleTimer("write", WriteCheck.Instance, _settings.WriteTimeout - stalled);
    }
}
