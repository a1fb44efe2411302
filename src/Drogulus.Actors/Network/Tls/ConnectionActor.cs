using System.Net;
using System.Net.Security;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Drogulus.Actors.Configuration;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// One TLS connection to one peer (PROTOCOL §4, §5, §12), in either direction: Akka.IO TCP with an
/// <see cref="SslStream"/> over a <see cref="TcpDuplexStream"/>, netstring frames of msgpack messages.
/// States: connecting (dialled only), handshaking, connected, draining (an error reply is being written
/// before the close) and closed. Every step is bounded: <c>connect-timeout</c>, <c>handshake-timeout</c>,
/// <c>request-timeout</c> per request, <c>idle-timeout</c>. Requests sent on this connection are matched to
/// replies by uuid here; when the connection ends, those still pending fail at once.
/// </summary>
internal sealed class ConnectionActor : ReceiveActor, IWithTimers, IWithStash
{
    private const int ReadBufferSize = 32 * 1024;

    private readonly TlsCredentials _credentials;
    private readonly Key _self;
    private readonly int _replyPort;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _node;
    private readonly PeerAddress? _dialled;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cts = new();
    private readonly InboundFrames _inbound;
    private readonly PendingRequests _pending;
    private readonly List<(string Uuid, SendRequest Request)> _unsent = [];
    private readonly OutgoingFrames _outgoing;
    private IActorRef? _tcp;
    private string _remoteAddress = "";
    private TcpDuplexStream? _stream;
    private SslStream? _ssl;
    private Key _peerId;
    private PeerInfo? _peer;
    private DateTimeOffset _lastActivity;
    private bool _released;
    private bool _tcpClosed;
    private bool _draining;

    public ConnectionActor(
        IActorRef? tcp, EndPoint? remote, PeerAddress? dialled, TlsCredentials credentials, Key self, int replyPort, DrogulusSettings settings, IActorRef node)
    {
        _tcp = tcp;
        _dialled = dialled;
        _credentials = credentials;
        _self = self;
        _replyPort = replyPort;
        _settings = settings;
        _node = node;
        _inbound = new InboundFrames(settings.MaxFrameSize, ReadBufferSize);
        _outgoing = new OutgoingFrames(settings.MaxFrameSize, keepCapacity: 4 * ReadBufferSize);
        _pending = new PendingRequests(Timers, node, settings.RequestTimeout);
        if (remote is not null)
        {
            _remoteAddress = AddressText(remote);
        }

        if (tcp is null)
        {
            Connecting();
        }
        else
        {
            Handshaking();
        }
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    /// <summary>A connection accepted by the listener; <paramref name="tcp"/> is its Akka.IO connection.</summary>
    public static Props Inbound(
        IActorRef tcp, EndPoint remote, TlsCredentials credentials, Key self, int replyPort, DrogulusSettings settings, IActorRef node) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(tcp, remote, null, credentials, self, replyPort, settings, node));

    /// <summary>A connection this node dials to <paramref name="to"/>.</summary>
    public static Props Outbound(
        PeerAddress to, TlsCredentials credentials, Key self, int replyPort, DrogulusSettings settings, IActorRef node) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(null, null, to, credentials, self, replyPort, settings, node));

    protected override void PreStart()
    {
        if (_tcp is null)
        {
            var to = _dialled!;
            Context.System.Tcp().Tell(new Tcp.Connect(TlsTransportActor.EndpointOf(to.Host, to.Port), timeout: _settings.ConnectTimeout));
            Timers.StartSingleTimer("connect", ConnectTimedOut.Instance, _settings.ConnectTimeout);
        }
        else
        {
            _tcp.Tell(new Tcp.Register(Self));
            StartHandshake();
        }
    }

    protected override void PostStop()
    {
        _cts.Cancel();
        _stream?.Complete();
        FailAll("the connection stopped");
        _ssl?.Dispose();
        _cts.Dispose();
    }

    private void Connecting()
    {
        Receive<Tcp.Connected>(connected =>
        {
            Timers.Cancel("connect");
            _tcp = Sender;
            _remoteAddress = AddressText(connected.RemoteAddress);
            _tcp.Tell(new Tcp.Register(Self));
            StartHandshake();
            Become(Handshaking);
        });
        Receive<Tcp.CommandFailed>(failed => Close("cannot connect: " + failed.CauseString, warn: false));
        Receive<ConnectTimedOut>(_ => Close("no connection within connect-timeout", warn: false));
        CommonBeforeConnected();
    }

    private void Handshaking()
    {
        Receive<Tcp.Received>(received => _stream!.Deliver(received.Data));
        Receive<TcpDuplexStream.WriteAck>(_ => _stream!.Acked());
        Receive<HandshakeSucceeded>(_ => OnHandshakeSucceeded());
        Receive<HandshakeFailed>(failed => Close("TLS handshake failed: " + failed.Cause.Message, warn: true));
        Receive<HandshakeTimedOut>(_ => Close("no TLS handshake within handshake-timeout", warn: true));
        Receive<Tcp.ConnectionClosed>(_ =>
        {
            _tcpClosed = true;
            Close("the peer closed the connection during the handshake", warn: false);
        });
        Receive<Tcp.CommandFailed>(failed => Close("a socket command failed: " + failed.CauseString, warn: false));
        CommonBeforeConnected();
    }

    private void CommonBeforeConnected()
    {
        Receive<SendRequest>(request => _unsent.Add((Track(request), request)));
        Receive<PendingRequests.TimedOut>(_pending.OnTimedOut);
        Receive<SendReply>(_ => Stash.Stash());
    }

    private void Connected()
    {
        Receive<Tcp.Received>(received =>
        {
            _lastActivity = Context.System.Scheduler.Now;
            _stream!.Deliver(received.Data);
        });
        Receive<TcpDuplexStream.WriteAck>(_ => _stream!.Acked());
        Receive<ReadCompleted>(read =>
        {
            if (read.Count == 0)
            {
                Close(_inbound.HasPartialFrame ? "the peer closed the connection inside a frame" : "the peer closed the connection", warn: false);
                return;
            }

            OnBytes(read.Count);
        });
        Receive<WriteCompleted>(_ => OnWriteCompleted());
        Receive<IoFailed>(failed => Close("TLS stream failed: " + failed.Cause.Message, warn: false));
        Receive<SendRequest>(request => Send(Track(request), request));
        Receive<SendReply>(OnSendReply);
        Receive<PendingRequests.TimedOut>(_pending.OnTimedOut);
        Receive<IdleCheck>(_ => OnIdleCheck());

        // The stream still yields what arrived before the close; its read then returns 0 and closes us.
        Receive<Tcp.ConnectionClosed>(_ =>
        {
            _tcpClosed = true;
            _stream!.Complete();
        });
        Receive<Tcp.CommandFailed>(failed => Close("a socket command failed: " + failed.CauseString, warn: false));
    }

    /// <summary>An error reply is on its way; nothing more is read, and the connection closes once it is written.</summary>
    private void Draining()
    {
        Receive<Tcp.Received>(_ => { });
        Receive<TcpDuplexStream.WriteAck>(_ => _stream!.Acked());
        Receive<ReadCompleted>(_ => { });
        Receive<WriteCompleted>(_ => OnWriteCompleted());
        Receive<IoFailed>(failed => Close("TLS stream failed: " + failed.Cause.Message, warn: false));
        Receive<SendRequest>(request => FailNow(request, "the connection is closing"));
        Receive<SendReply>(_ => { });
        Receive<PendingRequests.TimedOut>(_pending.OnTimedOut);
        Receive<IdleCheck>(_ => Close("the error reply was not written within idle-timeout", warn: false));
        Receive<Tcp.ConnectionClosed>(_ =>
        {
            _tcpClosed = true;
            Close("the peer closed the connection", warn: false);
        });
        Receive<Tcp.CommandFailed>(failed => Close("a socket command failed: " + failed.CauseString, warn: false));
    }

    private void ClosedState()
    {
        Receive<SendRequest>(request => FailNow(request, "the connection is closed"));
        Receive<TcpDuplexStream.WriteAck>(_ => _stream?.Acked());
        Receive<Tcp.ConnectionClosed>(_ =>
        {
            _tcpClosed = true;
            StopWhenDone();
        });
        Receive<Tcp.Connected>(_ => Sender.Tell(Tcp.Abort.Instance));
        Receive<Release>(_ =>
        {
            _released = true;
            StopWhenDone();
        });
        Receive<CloseTimedOut>(_ =>
        {
            _tcp?.Tell(Tcp.Abort.Instance);
            _tcpClosed = true;
            StopWhenDone();
        });
        ReceiveAny(_ => { });
    }

    private void StartHandshake()
    {
        _stream = new TcpDuplexStream(_tcp!, Self);
        _ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        var handshake = _dialled is { } to
            ? _ssl.AuthenticateAsClientAsync(_credentials.Client(to.ExpectedId), _cts.Token)
            : _ssl.AuthenticateAsServerAsync(_credentials.Server(), _cts.Token);
        handshake.PipeTo(Self, success: () => HandshakeSucceeded.Instance, failure: e => new HandshakeFailed(e));
        Timers.StartSingleTimer("handshake", HandshakeTimedOut.Instance, _settings.HandshakeTimeout);
    }

    private void OnHandshakeSucceeded()
    {
        Timers.Cancel("handshake");
        if (_ssl!.RemoteCertificate is not { } certificate)
        {
            Close("the peer presented no certificate", warn: true);
            return;
        }

        _peerId = NodeIdentity.IdOf(certificate);
        if (_dialled?.ExpectedId is { } expected && expected != _peerId)
        {
            Close("the peer proved another identity", warn: true);
            return;
        }

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
        StartRead();
    }

    private string Track(SendRequest request)
    {
        var uuid = Guid.NewGuid().ToString();
        _pending.Add(uuid, request.To, request.ReplyTo);
        return uuid;
    }

    private void Send(string uuid, SendRequest request)
    {
        if (request.To.ExpectedId is { } expected && expected != _peerId)
        {
            _pending.Fail(uuid, RpcFailure.ConnectionFailed, "the peer at this address proved another identity");
            return;
        }

        var message = request.Body with { Uuid = uuid, Node = _self, ReplyPort = _replyPort, Version = _settings.ProtocolVersion };
        if (!Write(message))
        {
            _pending.Fail(uuid, RpcFailure.ConnectionFailed, "the request is larger than max-frame-size");
        }
    }

    private void OnSendReply(SendReply reply)
    {
        var message = reply.Body with { Uuid = reply.InReplyTo, Node = _self, ReplyPort = _replyPort, Version = _settings.ProtocolVersion };
        if (!Write(message))
        {
            _log.Warning("A reply to {PeerId} is larger than max-frame-size; answering error 3 instead", _peerId.ToShortString());
            var details = ErrorReply.Details("context", "The reply is larger than max-frame-size.");
            Write(ErrorReply.For(reply.InReplyTo, ErrorCode.InternalError, details, _self, _replyPort));
        }

        if (reply.CloseAfter)
        {
            StartDraining();
            if (!_outgoing.InFlight)
            {
                Close("closed after the reply, as asked", warn: false);
            }
        }
    }

    private bool Write(Message message)
    {
        if (!_outgoing.Enqueue(message))
        {
            return false;
        }

        Flush();
        return true;
    }

    private void Flush()
    {
        if (!_outgoing.TryTakeBatch(out var batch))
        {
            return;
        }

        _lastActivity = Context.System.Scheduler.Now;
        _ssl!.WriteAsync(batch, _cts.Token).AsTask()
            .PipeTo(Self, success: () => WriteCompleted.Instance, failure: e => new IoFailed(e));
    }

    private void OnWriteCompleted()
    {
        _outgoing.Completed();
        if (_outgoing.HasQueued)
        {
            Flush();
        }
        else if (_draining)
        {
            Close("closed after an error reply", warn: false);
        }
    }

    private void StartRead()
    {
        _ssl!.ReadAsync(_inbound.Buffer, _cts.Token).AsTask()
            .PipeTo(Self, success: n => new ReadCompleted(n), failure: e => new IoFailed(e));
    }

    private void OnBytes(int count)
    {
        foreach (var inbound in _inbound.Feed(count, _peerId))
        {
            switch (inbound)
            {
                case InboundFrames.Accepted accepted:
                    OnMessage(accepted.Message);
                    break;
                case InboundFrames.Unknown unknown:
                    _log.Warning("Rejected a message from {PeerId}: error {Code} {Details}", _peerId.ToShortString(), (int)unknown.Failure.Code, InboundFrames.Describe(unknown.Failure.Details));
                    Write(ErrorReply.For(unknown.Failure, _self, _replyPort));
                    break;
                case InboundFrames.Rejected rejected:
                    Reject(rejected.Uuid, rejected.Code, rejected.Details, rejected.Reason);
                    return;
            }
        }

        StartRead();
    }

    private void OnMessage(Message message)
    {
        if (_peer is null || _peer.ReplyPort != message.ReplyPort || _peer.Version != message.Version)
        {
            _peer = new PeerInfo(_peerId, _remoteAddress, message.ReplyPort, message.Version);
        }

        if (message.IsRequest)
        {
            _node.Tell(new InboundRequest(_peer, message, Self));
        }
        else if (!_pending.Complete(message, _peer))
        {
            _log.Debug("Ignored a reply with unknown uuid {RpcId} from {PeerId}", message.Uuid, _peerId.ToShortString());
        }
    }

    /// <summary>Answers bad input with an error and closes the connection once the answer is written.</summary>
    private void Reject(string uuid, ErrorCode code, IReadOnlyDictionary<string, string> details, string reason)
    {
        _log.Warning("Rejected input from {PeerId} at {Address}: error {Code}, {Reason}; closing the connection", _peerId.ToShortString(), _remoteAddress, (int)code, reason);
        StartDraining();
        Write(ErrorReply.For(uuid, code, details, _self, _replyPort));
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
            Close("a partial frame and then nothing within idle-timeout", warn: true);
        }
        else
        {
            Close("idle for idle-timeout", warn: false);
        }
    }

    private void FailNow(SendRequest request, string reason) =>
        _pending.FailUntracked(request.To, request.ReplyTo, RpcFailure.ConnectionFailed, reason);

    private void FailAll(string reason)
    {
        _pending.FailAll(reason);
        _unsent.Clear();
    }

    private void Close(string reason, bool warn)
    {
        var peer = _peerId == default ? _dialled?.ToString() ?? _remoteAddress : _peerId.ToShortString();
        if (warn)
        {
            _log.Warning("Closing the connection with {PeerId}: {Reason}", peer, reason);
        }
        else
        {
            _log.Debug("Closing the connection with {PeerId}: {Reason}", peer, reason);
        }

        Timers.CancelAll();
        FailAll(reason);
        _cts.Cancel();
        _stream?.Complete();
        Stash.ClearStash();
        if (_tcp is null)
        {
            _tcpClosed = true;
        }
        else if (!_tcpClosed)
        {
            _tcp.Tell(Tcp.Close.Instance);
            Timers.StartSingleTimer("close", CloseTimedOut.Instance, _settings.HandshakeTimeout);
        }

        Context.Parent.Tell(Closed.Instance);
        Become(ClosedState);
    }

    private void StopWhenDone()
    {
        if (_released && _tcpClosed)
        {
            Context.Stop(Self);
        }
    }

    private static string AddressText(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(),
        DnsEndPoint dns => dns.Host,
        _ => endpoint.ToString() ?? "",
    };

    /// <summary>Told to the transport once the handshake proved the peer's id.</summary>
    internal sealed record Established(Key PeerId);

    /// <summary>Told to the transport when the connection closes; it forgets the route and answers <see cref="Release"/>.</summary>
    internal sealed record Closed : IDeadLetterSuppression
    {
        public static Closed Instance { get; } = new();
    }

    /// <summary>The transport routes nothing more to this connection, so it may stop.</summary>
    internal sealed record Release : IDeadLetterSuppression
    {
        public static Release Instance { get; } = new();
    }

    private sealed record ReadCompleted(int Count) : IDeadLetterSuppression;

    private sealed record IoFailed(Exception Cause) : IDeadLetterSuppression;

    private sealed record HandshakeFailed(Exception Cause) : IDeadLetterSuppression;

    private sealed record WriteCompleted : IDeadLetterSuppression
    {
        public static WriteCompleted Instance { get; } = new();
    }

    private sealed record HandshakeSucceeded : IDeadLetterSuppression
    {
        public static HandshakeSucceeded Instance { get; } = new();
    }

    private sealed record ConnectTimedOut
    {
        public static ConnectTimedOut Instance { get; } = new();
    }

    private sealed record HandshakeTimedOut
    {
        public static HandshakeTimedOut Instance { get; } = new();
    }

    private sealed record IdleCheck
    {
        public static IdleCheck Instance { get; } = new();
    }

    private sealed record CloseTimedOut
    {
        public static CloseTimedOut Instance { get; } = new();
    }
}
