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
    private bool Write(Message message)
    {
        if (!_outgoing.Enqueue(message))
        {
            return false;
        }

        if (_draining)
        {
            Flush();
        }
        else if (!_outgoing.InFlight && !_flushQueued)
        {
            // Written after the messages already queued here, so that the requests and replies that arrive together
            // leave in one TLS record and one socket write (a write in flight gathers them by itself).
            _flushQueued = true;
            Self.Tell(FlushNow.Instance);
        }

        CheckHighWater();
        return true;
    }

    private void OnFlushNow()
    {
        _flushQueued = false;
        Flush();
    }

    /// <summary>
    /// Writes the queued frames as one TLS write, unless a write is in flight. The stream hands the TLS records to Akka.IO
    /// at once, so the write normally completes here; it stays in flight (<see cref="OutgoingFrames.InFlight"/>, the
    /// bytes counted against <c>outgoing-high-water</c>) until Akka.IO acknowledged every record on the socket.
    /// </summary>
    private void Flush()
    {
        if (!_outgoing.TryTakeBatch(out var batch))
        {
            return;
        }

        _lastActivity = Context.System.Scheduler.Now;
        WriteStarted();
        var write = WriteRecords(_ssl!, batch, _settings.TlsRecordSize, _cts.Token);
        if (write.IsCompletedSuccessfully)
        {
            return;
        }

        if (write.IsFaulted || write.IsCanceled)
        {
            Self.Tell(new IoFailed(write.AsTask().Exception?.GetBaseException() ?? new IOException("The TLS write was cancelled.")));
            return;
        }

        _tlsWriting = true;
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
    private void OnWriteAck()
    {
        WriteProgressed();
        _stream!.Acked();
        if (_outgoing.InFlight && !_tlsWriting && _stream.Unacked == 0)
        {
            OnWriteCompleted();
        }
    }

    /// <summary>A TLS write that went asynchronous completed; the acks of its records may all be in already.</summary>
    private void OnTlsWriteCompleted()
    {
        _tlsWriting = false;
        if (_outgoing.InFlight && _stream!.Unacked == 0)
        {
            OnWriteCompleted();
        }
    }

    private void OnWriteCompleted()
    {
        _outgoing.Completed();
        WriteProgressed();
        if (_outgoing.HasQueued)
        {
            Flush();
        }
        else if (_draining && _errorAfterReplies is null)
        {
            Close("closed after an error reply");
            return;
        }

        CheckLowWater();
        ResumeReading();
    }
}
