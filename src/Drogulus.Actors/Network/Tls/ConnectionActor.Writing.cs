using Akka.Actor;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The writes of a <see cref="ConnectionActor"/> (PROTOCOL §4, §5): frames queued in <see cref="OutgoingFrames"/> go
/// out as one TLS write at a time, after the messages already queued (<see cref="FlushNow"/>), in TLS records of at most
/// <c>tls-record-size</c> bytes, and a write stays in flight until Akka.IO acknowledged every TLS record of it (issue 13).
/// </summary>
internal sealed partial class ConnectionActor
{
    private bool Write(Session session, Message message)
    {
        var writes = session.Writes;
        if (!writes.Frames.Enqueue(message))
        {
            return false;
        }

        if (session.Draining)
        {
            Flush(session);
        }
        else if (!writes.Frames.InFlight && !writes.FlushQueued)
        {
            // Written after the messages already queued here, so that the requests and replies that arrive together
            // leave in one TLS record and one socket write (a write in flight gathers them by itself).
            writes.FlushQueued = true;
            Self.Tell(FlushNow.Instance);
        }

        CheckHighWater(writes);
        return true;
    }

    private void OnFlushNow(Session session)
    {
        session.Writes.FlushQueued = false;
        Flush(session);
    }

    /// <summary>
    /// Writes the queued frames as one TLS write, unless a write is in flight. The stream hands the TLS records to Akka.IO
    /// at once, so the write normally completes here; it stays in flight (<see cref="OutgoingFrames.InFlight"/>, the
    /// bytes counted against <c>outgoing-high-water</c>) until Akka.IO acknowledged every record on the socket.
    /// </summary>
    private void Flush(Session session)
    {
        if (!session.Writes.Frames.TryTakeBatch(out var batch))
        {
            return;
        }

        session.LastActivity = Context.System.Scheduler.Now;
        WriteStarted(session.Writes);
        var write = WriteRecords(session.Ssl, batch, _settings.TlsRecordSize, _cts.Token);
        if (write.IsCompletedSuccessfully)
        {
            return;
        }

        if (write.IsFaulted || write.IsCanceled)
        {
            Self.Tell(new IoFailed(write.AsTask().Exception?.GetBaseException() ?? new IOException("The TLS write was cancelled.")));
            return;
        }

        session.Writes.TlsWriting = true;
        write.AsTask().PipeTo(Self, success: () => WriteCompleted.Instance, failure: e => new IoFailed(e));
    }

    /// <summary>
    /// Writes <paramref name="batch"/> as TLS records of at most <paramref name="recordSize"/> bytes each (one SslStream
    /// write each). OpenSSL's memory BIOs, through which SslStream passes every record on both ends, keep the capacity
    /// of the largest record they carried for the connection's life, so the record size bounds what a connection holds
    /// after a large frame (<c>tls-record-size</c>; issue 9, memory per connection). Completes at once when every record
    /// did, as they do over <see cref="TcpDuplexStream"/>.
    /// </summary>
    internal static ValueTask WriteRecords(Stream ssl, ReadOnlyMemory<byte> batch, int recordSize, CancellationToken token)
    {
        while (batch.Length > recordSize)
        {
            var write = ssl.WriteAsync(batch[..recordSize], token);
            batch = batch[recordSize..];
            if (!write.IsCompletedSuccessfully)
            {
                return WriteRestAsync(write, ssl, batch, recordSize, token);
            }

            write.GetAwaiter().GetResult();
        }

        return ssl.WriteAsync(batch, token);

        static async ValueTask WriteRestAsync(ValueTask pending, Stream ssl, ReadOnlyMemory<byte> rest, int recordSize, CancellationToken token)
        {
            await pending.ConfigureAwait(false);
            await WriteRecords(ssl, rest, recordSize, token).ConfigureAwait(false);
        }
    }

    /// <summary>Akka.IO wrote one of our TLS records to the socket; the write in flight ends with its last.</summary>
    private void OnWriteAck(Session session)
    {
        WriteProgressed(session.Writes);
        session.Link.Stream.Acked();
        if (session.Writes is { Frames.InFlight: true, TlsWriting: false } && session.Link.Stream.Unacked == 0)
        {
            OnWriteCompleted(session);
        }
    }

    /// <summary>A TLS write that went asynchronous completed; the acks of its records may all be in already.</summary>
    private void OnTlsWriteCompleted(Session session)
    {
        session.Writes.TlsWriting = false;
        if (session.Writes.Frames.InFlight && session.Link.Stream.Unacked == 0)
        {
            OnWriteCompleted(session);
        }
    }

    private void OnWriteCompleted(Session session)
    {
        var writes = session.Writes;
        writes.Frames.Completed();
        WriteProgressed(writes);
        if (writes.Frames.HasQueued)
        {
            Flush(session);
        }
        else if (session.Draining && session.ErrorAfterReplies is null)
        {
            Close("closed after an error reply");
            return;
        }

        CheckLowWater(writes);
        ResumeReading(session);
    }

    /// <summary>Bytes reached the socket (an Akka.IO write ack) or a write completed.</summary>
    private void WriteProgressed(Writes writes) => writes.LastProgress = Context.System.Scheduler.Now;
}
