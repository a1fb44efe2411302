using System.Net.Security;
using Akka.Actor;
using Akka.Event;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The traffic of a <see cref="ConnectionActor"/>: the TLS handshake that proves the peer's id, requests and
/// replies written as frames, and frames read, checked and handed on (PROTOCOL §4, §5, §12).
/// </summary>
internal sealed partial class ConnectionActor
{
    /// <summary>
    /// The socket is open: bytes are taken in, the handshake-timeout runs, and the TLS handshake starts once the
    /// process's <see cref="AdmissionActor"/> gives this connection its turn (at once unless many are handshaking).
    /// A dial asks for its turn now; an accepted connection only once the peer's first TLS record (its hello) arrived
    /// whole, within <c>hello-timeout</c> (PROTOCOL §5, admission), so that an accept never holds a turn while its
    /// dialler still waits for one, and a peer that sends part of a hello and stalls holds nothing but its socket.
    /// </summary>
    private void BeginHandshake()
    {
        _stream = new TcpDuplexStream(_tcp!, Self);
        Timers.StartSingleTimer("handshake", HandshakeTimedOut.Instance, _settings.HandshakeTimeout);
        if (_dialled is not null)
        {
            AskTurn();
        }
        else
        {
            Timers.StartSingleTimer("hello", HelloTimedOut.Instance, _settings.HelloTimeout);
        }
    }

    /// <summary>Bytes arrived before the connection is open.</summary>
    private void OnHandshakeBytes(Akka.IO.ByteString data)
    {
        _stream!.Deliver(data);
        if (_firstRecord is null || _turnAsked)
        {
            return;
        }

        switch (_firstRecord.Feed(data.ToReadOnlySpan()))
        {
            case FirstTlsRecord.Status.Whole:
                Timers.Cancel("hello");
                AskTurn();
                break;
            case FirstTlsRecord.Status.NotTls:
                Close("the peer's first bytes are not a TLS handshake record", Warnings.Handshake);
                break;
        }
    }

    private void OnHelloTimedOut()
    {
        if (!_turnAsked)
        {
            Close("the peer's first TLS record did not arrive whole within hello-timeout", Warnings.Handshake);
        }
    }

    private void AskTurn()
    {
        if (_turnAsked)
        {
            return;
        }

        _turnAsked = true;
        // PROTOCOL §5, admission: dials take turns node by node, accepts address group by address group.
        object owner = _dialled is not null ? Context.Parent : Core.Limits.AddressGroup.Of(_remoteAddress, _settings.DiversityExemptPrivate);
        _admission.Tell(new AdmissionActor.AskTurn(_dialled is not null, owner)); // answered Granted
    }

    /// <summary>Gives up the turn to handshake, or the place in its line, once (a connection that asked for none tells nothing).</summary>
    private void EndTurn()
    {
        if (_turnAsked)
        {
            _turnAsked = false;
            _admission.Tell(AdmissionActor.HandshakeEnded.Instance);
        }
    }

    private void StartHandshake()
    {
        if (_ssl is not null)
        {
            return;
        }

        _ssl = new SslStream(_stream!, leaveInnerStreamOpen: false);
        var handshake = _dialled is { } to
            ? _ssl.AuthenticateAsClientAsync(_credentials.Client(to.ExpectedId), _cts.Token)
            : _ssl.AuthenticateAsServerAsync(_credentials.Server(), _cts.Token);
        handshake.PipeTo(Self, success: () => HandshakeSucceeded.Instance, failure: e => new HandshakeFailed(e));
    }

    /// <summary>
    /// No handshake within handshake-timeout. An accepted connection whose peer never sent its hello asked for no turn.
    /// One that asked and never got its turn (this process was busy handshaking) is nobody's fault: the requests
    /// waiting on it fail without blaming the peer.
    /// </summary>
    private void OnHandshakeTimedOut()
    {
        if (!_turnAsked)
        {
            Close("the peer sent no TLS hello within handshake-timeout", Warnings.Handshake);
            return;
        }

        if (_ssl is null)
        {
            _blameless = true;
            Close("waited handshake-timeout for a turn to handshake (max-concurrent-handshakes of this process are running)", Warnings.Handshake);
            return;
        }

        Close("no TLS handshake within handshake-timeout", Warnings.Handshake);
    }

    private void OnHandshakeSucceeded()
    {
        Timers.Cancel("handshake");
        EndTurn();
        if (_ssl!.RemoteCertificate is not { } certificate)
        {
            Close("the peer presented no certificate", Warnings.Handshake);
            return;
        }

        _peerId = _credentials.IdOf(certificate);
        if (_dialled?.ExpectedId is { } expected && expected != _peerId)
        {
            Close("the peer proved another identity", Warnings.Handshake);
            return;
        }

        // From here on the SslStream runs on this actor's thread: reads and writes complete inline, without pool hops.
        _stream!.RunContinuationsInline();
        Context.Parent.Tell(new Established(_peerId));
        _lastActivity = Context.System.Scheduler.Now;
        Timers.StartSingleTimer("idle", IdleCheck.Instance, _settings.IdleTimeout);
        Become(Connected);
        Stash.UnstashAll();
        foreach (var (uuid, request) in _unsent)
        {
            if (_pending.Contains(uuid))
            {
                Send(uuid, request);
            }
        }

        _unsent.Clear();
        ResumeReading();
    }

    private string Track(SendRequest request)
    {
        var uuid = _uuids.Next();
        _pending.Add(uuid, request.To, request.ReplyTo, request.Body.WireName);
        return uuid;
    }

    private void Send(string uuid, SendRequest request)
    {
        if (request.To.ExpectedId is { } expected && expected != _peerId)
        {
            _pending.Fail(uuid, RpcFailure.ConnectionFailed, "the peer at this address proved another identity");
            return;
        }

        var message = request.Body with { Uuid = uuid, Node = _self, ReplyPort = _listening.ReplyPort, Version = _settings.ProtocolVersion };
        if (!Write(message))
        {
            _pending.Fail(uuid, RpcFailure.ConnectionFailed, "the request is larger than max-frame-size");
        }
    }

    private void OnSendReply(SendReply reply)
    {
        Answered(reply.InReplyTo);
        // PROTOCOL §4: every reply says where this connection sees the requester.
        var message = reply.Body with { Uuid = reply.InReplyTo, Node = _self, ReplyPort = _listening.ReplyPort, Version = _settings.ProtocolVersion, Seen = Seen };
        if (!Write(message))
        {
            Warn(Warnings.Oversize, "a reply is larger than max-frame-size; answering error 3 instead");
            var details = ErrorReply.Details("context", "The reply is larger than max-frame-size.");
            Write(ErrorReply.For(reply.InReplyTo, ErrorCode.InternalError, details, _self, _listening.ReplyPort) with { Seen = Seen });
        }

        if (reply.CloseAfter)
        {
            StartDraining();
            Flush();
            if (!_outgoing.InFlight)
            {
                Close("closed after the reply, as asked");
            }

            return;
        }

        // The node answered: a read that waited for it may start (CanStartRead).
        ResumeReading();
    }

    private void OnBytes(int count)
    {
        _lastReadFilled = count == ReadBufferSize;
        foreach (var inbound in _inbound.Feed(count, _peerId))
        {
            switch (inbound)
            {
                case InboundFrames.Accepted accepted:
                    OnMessage(accepted.Message);
                    break;
                case InboundFrames.Unknown unknown:
                    Warn(Warnings.Rejected, $"rejected a message: error {(int)unknown.Failure.Code} {InboundFrames.Describe(unknown.Failure.Details)}");
                    Write(ErrorReply.For(unknown.Failure, _self, _listening.ReplyPort) with { Seen = Seen });
                    break;
                case InboundFrames.Rejected rejected:
                    Reject(rejected.Uuid, rejected.Code, rejected.Details, rejected.Reason);
                    ReportFrameBytes();
                    return;
            }
        }

        ReportFrameBytes();
        ArmFrameDeadline();
    }

    /// <summary>Tells the transport what this connection's unfinished frame holds, when that changed (PROTOCOL §5).</summary>
    private void ReportFrameBytes()
    {
        var held = _inbound.HeldFrameBytes;
        if (held != _reportedFrameBytes)
        {
            _reportedFrameBytes = held;
            Context.Parent.Tell(new FrameBytes(held));
        }
    }

    /// <summary>
    /// A frame that has started must complete within <c>frame-timeout</c>; its own bytes do not extend the deadline,
    /// so a peer that trickles a byte now and then (slow-loris) is closed, not only a silent one (<c>idle-timeout</c>).
    /// </summary>
    private void ArmFrameDeadline()
    {
        if (_inbound.PartialFrame is not { } frame)
        {
            Timers.Cancel("frame");
            _frameWithDeadline = null;
        }
        else if (_frameWithDeadline != frame)
        {
            _frameWithDeadline = frame;
            Timers.StartSingleTimer("frame", new FrameDeadline(frame), _settings.FrameTimeout);
        }
    }

    private void OnFrameDeadline(FrameDeadline deadline)
    {
        if (ReadsPaused && !_draining)
        {
            // The rest of the frame may be waiting on this node, not on the peer.
            Timers.StartSingleTimer("frame", deadline, _settings.FrameTimeout);
        }
        else if (_inbound.PartialFrame == deadline.Frame)
        {
            Close("a frame did not complete within frame-timeout", Warnings.SlowPeer);
        }
    }

    private SeenAddress Seen => new(_remoteAddress, _remotePort);

    private void OnMessage(Message message)
    {
        if (_peer is null || _peer.ReplyPort != message.ReplyPort || _peer.Version != message.Version)
        {
            _peer = new PeerInfo(_peerId, _remoteAddress, message.ReplyPort, message.Version);
        }

        if (message.IsRequest)
        {
            Dispatch(new InboundRequest(_peer, message, Self, _cts.Token, FromAcceptedConnection: _dialled is null));
        }
        else if (!_pending.Complete(message, _peer))
        {
            _log.Debug("Ignored a reply with unknown uuid {RpcId} from {Peer}", WireText.ForLog(message.Uuid), PeerLabel);
        }
    }

    /// <summary>
    /// Answers bad input with an error and closes the connection once the answer is written. The reason is already
    /// escaped. PROTOCOL §4: the replies to requests that arrived before the bad frame are sent first, so the error
    /// waits until the node has answered them (<see cref="OnDrainingReply"/>; bounded by <c>idle-timeout</c>).
    /// </summary>
    private void Reject(string uuid, ErrorCode code, IReadOnlyDictionary<string, string> details, string reason)
    {
        Warn(Warnings.Rejected, $"rejected input: error {(int)code}, {reason}; closing the connection");
        StartDraining();
        _errorAfterReplies = ErrorReply.For(uuid, code, details, _self, _listening.ReplyPort) with { Seen = Seen };
        WriteErrorWhenAnswered();
    }

    /// <summary>A reply while an error waits to close the connection: written, since its request came before the bad frame.</summary>
    private void OnDrainingReply(SendReply reply)
    {
        if (_errorAfterReplies is null)
        {
            return;
        }

        Answered(reply.InReplyTo);
        var message = reply.Body with { Uuid = reply.InReplyTo, Node = _self, ReplyPort = _listening.ReplyPort, Version = _settings.ProtocolVersion, Seen = Seen };
        if (!Write(message))
        {
            Write(ErrorReply.For(reply.InReplyTo, ErrorCode.InternalError, ErrorReply.Details("context", "The reply is larger than max-frame-size."), _self, _listening.ReplyPort) with { Seen = Seen });
        }

        WriteErrorWhenAnswered();
    }

    private void WriteErrorWhenAnswered()
    {
        if (_errorAfterReplies is { } error && _answeringCount == 0 && _held.Count == 0)
        {
            _errorAfterReplies = null;
            Write(error);
        }
    }

    private void StartDraining()
    {
        _draining = true;
        Become(Draining);
    }

    private void OnIdleCheck()
    {
        var idle = Context.System.Scheduler.Now - _lastActivity;
        if (idle < _settings.IdleTimeout)
        {
            Timers.StartSingleTimer("idle", IdleCheck.Instance, _settings.IdleTimeout - idle);
            return;
        }

        if (_inbound.HasPartialFrame)
        {
            Close("a partial frame and then nothing within idle-timeout", Warnings.SlowPeer);
        }
        else
        {
            Close("idle for idle-timeout");
        }
    }
}
