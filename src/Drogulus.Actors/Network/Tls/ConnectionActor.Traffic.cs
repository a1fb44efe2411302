using Akka.Actor;
using Akka.Event;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The traffic of an open <see cref="ConnectionActor"/>: requests and replies written as frames, and frames read,
/// checked and handed on (PROTOCOL §4, §5, §12).
/// </summary>
internal sealed partial class ConnectionActor
{
    private string Track(SendRequest request)
    {
        var uuid = _uuids.Next();
        _pending.Add(uuid, request.To, request.ReplyTo, request.Body.WireName);
        return uuid;
    }

    private void Send(Session session, string uuid, SendRequest request)
    {
        if (request.To.ExpectedId is { } expected && expected != session.PeerId)
        {
            _pending.Fail(uuid, RpcFailure.ConnectionFailed, "the peer at this address proved another identity");
            return;
        }

        var message = request.Body with { Uuid = uuid, Node = _self, ReplyPort = _listening.ReplyPort, Version = _settings.ProtocolVersion };
        if (!Write(session, message))
        {
            _pending.Fail(uuid, RpcFailure.ConnectionFailed, "the request is larger than max-frame-size");
        }
    }

    private void OnSendReply(Session session, SendReply reply)
    {
        Answered(session, reply.InReplyTo);
        // PROTOCOL §4: every reply says where this connection sees the requester.
        var message = reply.Body with { Uuid = reply.InReplyTo, Node = _self, ReplyPort = _listening.ReplyPort, Version = _settings.ProtocolVersion, Seen = Seen(session) };
        if (!Write(session, message))
        {
            Warn(Warnings.Oversize, "a reply is larger than max-frame-size; answering error 3 instead");
            var details = ErrorReply.Details("context", "The reply is larger than max-frame-size.");
            Write(session, ErrorReply.For(reply.InReplyTo, ErrorCode.InternalError, details, _self, _listening.ReplyPort) with { Seen = Seen(session) });
        }

        if (reply.CloseAfter)
        {
            StartDraining(session);
            Flush(session);
            if (!session.Writes.Frames.InFlight)
            {
                Close("closed after the reply, as asked");
            }

            return;
        }

        // The node answered: a read that waited for it may start (CanStartRead).
        ResumeReading(session);
    }

    private void OnBytes(Session session, int count)
    {
        var reads = session.Reads;
        reads.LastFilled = count == ReadBufferSize;
        foreach (var inbound in reads.Frames.Feed(count, session.PeerId))
        {
            switch (inbound)
            {
                case InboundFrames.Accepted accepted:
                    OnMessage(session, accepted.Message);
                    break;
                case InboundFrames.Unknown unknown:
                    Warn(Warnings.Rejected, $"rejected a message: error {(int)unknown.Failure.Code} {InboundFrames.Describe(unknown.Failure.Details)}");
                    Write(session, ErrorReply.For(unknown.Failure, _self, _listening.ReplyPort) with { Seen = Seen(session) });
                    break;
                case InboundFrames.Rejected rejected:
                    Reject(session, rejected.Uuid, rejected.Code, rejected.Details, rejected.Reason);
                    ReportFrameBytes(reads);
                    return;
            }
        }

        ReportFrameBytes(reads);
        ArmFrameDeadline(reads);
    }

    /// <summary>Tells the transport what this connection's unfinished frame holds, when that changed (PROTOCOL §5).</summary>
    private void ReportFrameBytes(Reads reads)
    {
        var held = reads.Frames.HeldFrameBytes;
        if (held != reads.ReportedFrameBytes)
        {
            reads.ReportedFrameBytes = held;
            Context.Parent.Tell(new FrameBytes(held));
        }
    }

    /// <summary>
    /// A frame that has started must complete within <c>frame-timeout</c>; its own bytes do not extend the deadline,
    /// so a peer that trickles a byte now and then (slow-loris) is closed, not only a silent one (<c>idle-timeout</c>).
    /// </summary>
    private void ArmFrameDeadline(Reads reads)
    {
        if (reads.Frames.PartialFrame is not { } frame)
        {
            Timers.Cancel("frame");
            reads.FrameWithDeadline = null;
        }
        else if (reads.FrameWithDeadline != frame)
        {
            reads.FrameWithDeadline = frame;
            Timers.StartSingleTimer("frame", new FrameDeadline(frame), _settings.FrameTimeout);
        }
    }

    private void OnFrameDeadline(Session session, FrameDeadline deadline)
    {
        if (ReadsPaused(session) && !session.Draining)
        {
            // The rest of the frame may be waiting on this node, not on the peer.
            Timers.StartSingleTimer("frame", deadline, _settings.FrameTimeout);
        }
        else if (session.Reads.Frames.PartialFrame == deadline.Frame)
        {
            Close("a frame did not complete within frame-timeout", Warnings.SlowPeer);
        }
    }

    private static SeenAddress Seen(Session session) => new(session.Link.Address, session.Link.Port);

    private void OnMessage(Session session, Message message)
    {
        if (session.Peer is not { } peer || peer.ReplyPort != message.ReplyPort || peer.Version != message.Version)
        {
            session.Peer = peer = new PeerInfo(session.PeerId, session.Link.Address, message.ReplyPort, message.Version);
        }

        if (message.IsRequest)
        {
            Dispatch(session, new InboundRequest(peer, message, Self, _cts.Token, FromAcceptedConnection: _dialled is null));
        }
        else if (!_pending.Complete(message, peer))
        {
            _log.Debug("Ignored a reply with unknown uuid {RpcId} from {Peer}", WireText.ForLog(message.Uuid), PeerLabel);
        }
    }

    /// <summary>
    /// Answers bad input with an error and closes the connection once the answer is written. The reason is already
    /// escaped. PROTOCOL §4: the replies to requests that arrived before the bad frame are sent first, so the error
    /// waits until the node has answered them (<see cref="OnDrainingReply"/>; bounded by <c>idle-timeout</c>).
    /// </summary>
    private void Reject(Session session, string uuid, ErrorCode code, IReadOnlyDictionary<string, string> details, string reason)
    {
        Warn(Warnings.Rejected, $"rejected input: error {(int)code}, {reason}; closing the connection");
        StartDraining(session);
        session.ErrorAfterReplies = ErrorReply.For(uuid, code, details, _self, _listening.ReplyPort) with { Seen = Seen(session) };
        WriteErrorWhenAnswered(session);
    }

    /// <summary>A reply while an error waits to close the connection: written, since its request came before the bad frame.</summary>
    private void OnDrainingReply(Session session, SendReply reply)
    {
        if (session.ErrorAfterReplies is null)
        {
            return;
        }

        Answered(session, reply.InReplyTo);
        var message = reply.Body with { Uuid = reply.InReplyTo, Node = _self, ReplyPort = _listening.ReplyPort, Version = _settings.ProtocolVersion, Seen = Seen(session) };
        if (!Write(session, message))
        {
            Write(session, ErrorReply.For(reply.InReplyTo, ErrorCode.InternalError, ErrorReply.Details("context", "The reply is larger than max-frame-size."), _self, _listening.ReplyPort) with { Seen = Seen(session) });
        }

        WriteErrorWhenAnswered(session);
    }

    private void WriteErrorWhenAnswered(Session session)
    {
        if (session.ErrorAfterReplies is { } error && session.Answers.Count == 0 && session.Answers.Held == 0)
        {
            session.ErrorAfterReplies = null;
            Write(session, error);
        }
    }

    private void StartDraining(Session session)
    {
        session.Draining = true;
        Become(() => Draining(session));
    }

    private void OnIdleCheck(Session session)
    {
        var idle = Context.System.Scheduler.Now - session.LastActivity;
        if (idle < _settings.IdleTimeout)
        {
            Timers.StartSingleTimer("idle", IdleCheck.Instance, _settings.IdleTimeout - idle);
            return;
        }

        if (session.Reads.Frames.HasPartialFrame)
        {
            Close("a partial frame and then nothing within idle-timeout", Warnings.SlowPeer);
        }
        else
        {
            Close("idle for idle-timeout");
        }
    }
}
