using System.Net;
using System.Net.Security;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Diagnostics;
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
/// replies by uuid in <see cref="PendingRequests"/>; when the connection ends, those still pending fail at once.
/// This file holds the states and the lifecycle; the traffic is in ConnectionActor.Traffic.cs, with
/// <see cref="OutgoingFrames"/> and <see cref="InboundFrames"/>, backpressure in ConnectionActor.Backpressure.cs, the close in
/// ConnectionActor.Closing.cs and the messages in ConnectionActor.Messages.cs.
/// </summary>
internal sealed partial class ConnectionActor : ReceiveActor, IWithTimers, IWithStash
{
    private const int ReadBufferSize = 8 * 1024;

    private readonly TlsCredentials _credentials;
    private readonly Key _self;
    private readonly TlsTransportActor.ListenerState _listening; // its ReplyPort follows the node's mode (PROTOCOL §10)
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _handler; // the routing table: inbound requests, PeerSeen, PeerFailed
    private readonly PeerAddress? _dialled;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cts = new();
    private readonly InboundFrames _inbound;
    private readonly PendingRequests _pending;
    private readonly List<(string Uuid, SendRequest Request)> _unsent = [];
    private readonly OutgoingFrames _outgoing;
    private readonly IActorRef _admission = AdmissionExtension.Get(Context.System); // the process's turns to handshake
    private readonly RequestUuids _uuids = new();
    private readonly FirstTlsRecord? _firstRecord; // accepted connections: the peer's hello must arrive whole before a turn
    private IActorRef? _tcp;
    private string _remoteAddress = "";
    private int _remotePort;
    private TcpDuplexStream? _stream;
    private SslStream? _ssl;
    private Key _peerId;
    private PeerInfo? _peer;
    private DateTimeOffset _lastActivity;
    private bool _released;
    private bool _tcpClosed;
    private bool _draining;

    // The error that closes the connection, while it waits for the replies to the requests read before it (PROTOCOL §4).
    private Message? _errorAfterReplies;
    private bool _turnAsked; // of the process's admission, until the turn is given up
    private bool _blameless; // closing for a reason of our own: the requests fail without blaming the peer
    private long? _frameWithDeadline;
    private long _reportedFrameBytes; // last FrameBytes told to the transport

    public ConnectionActor(
        IActorRef? tcp, EndPoint? remote, PeerAddress? dialled, TlsCredentials credentials, Key self, TlsTransportActor.ListenerState listening, DrogulusSettings settings, IActorRef handler)
    {
        _tcp = tcp;
        _dialled = dialled;
        _credentials = credentials;
        _self = self;
        _listening = listening;
        _settings = settings;
        _handler = handler;
        _inbound = new InboundFrames(settings.MaxFrameSize, ReadBufferSize);
        _outgoing = new OutgoingFrames(settings.MaxFrameSize, keepCapacity: 4 * ReadBufferSize);
        _pending = new PendingRequests(Timers, Context.System.Scheduler, handler, settings.RequestTimeout, NodeMetrics.For(self));
        if (remote is not null)
        {
            (_remoteAddress, _remotePort) = (AddressText(remote), PortOf(remote));
        }

        if (tcp is null)
        {
            Connecting();
        }
        else
        {
            _firstRecord = new FirstTlsRecord();
            Handshaking();
        }
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    /// <summary>A connection accepted by the listener; <paramref name="tcp"/> is its Akka.IO connection.</summary>
    public static Props Inbound(
        IActorRef tcp, EndPoint remote, TlsCredentials credentials, Key self, TlsTransportActor.ListenerState listening, DrogulusSettings settings, IActorRef handler) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(tcp, remote, null, credentials, self, listening, settings, handler));

    /// <summary>A connection this node dials to <paramref name="to"/>.</summary>
    public static Props Outbound(
        PeerAddress to, TlsCredentials credentials, Key self, TlsTransportActor.ListenerState listening, DrogulusSettings settings, IActorRef handler) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(null, null, to, credentials, self, listening, settings, handler));

    protected override void PreStart()
    {
        NodeMetrics.For(_self).ConnectionOpened();
        if (_tcp is null)
        {
            var to = _dialled!;
            var remote = TlsTransportActor.EndpointOf(to.Host, to.Port);
            Context.System.Tcp().Tell(new Tcp.Connect(remote, TlsTransportActor.LocalEndpointFor(_settings.ListenHost, remote), timeout: _settings.ConnectTimeout));
            Timers.StartSingleTimer("connect", ConnectTimedOut.Instance, _settings.ConnectTimeout);
        }
        else
        {
            _tcp.Tell(new Tcp.Register(Self));
            BeginHandshake();
        }
    }

    protected override void PostStop()
    {
        // Stopped with the socket still open (its transport or node stopping): reset it, so the peer's
        // pending requests fail at once instead of waiting for request-timeout.
        if (_tcp is not null && !_tcpClosed)
        {
            _tcp.Tell(Tcp.Abort.Instance);
        }

        _cts.Cancel();
        EndTurn();
        _stream?.Complete();
        FailAll("the connection stopped");
        _inbound.Drop();
        NodeMetrics.For(_self).ConnectionClosed();
        _ssl?.Dispose();
        _cts.Dispose();
    }

    private void Connecting()
    {
        Receive<Tcp.Connected>(connected =>
        {
            Timers.Cancel("connect");
            _tcp = Sender;
            (_remoteAddress, _remotePort) = (AddressText(connected.RemoteAddress), PortOf(connected.RemoteAddress));
            _tcp.Tell(new Tcp.Register(Self));
            BeginHandshake();
            Become(Handshaking);
        });
        Receive<Tcp.CommandFailed>(failed =>
        {
            // EMFILE/ENFILE: the transport stops accepting for a while, so that the open connections keep working.
            if (failed.Cause.HasValue && failed.Cause.Value is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.TooManyOpenSockets })
            {
                Context.Parent.Tell(ListenerAlarm.OutOfDescriptors.Instance);
            }

            Close("cannot connect: " + failed.CauseString);
        });
        Receive<ConnectTimedOut>(_ => Close("no connection within connect-timeout"));
        CommonBeforeConnected();
    }

    private void Handshaking()
    {
        Receive<Tcp.Received>(received => OnHandshakeBytes(received.Data));
        Receive<TcpDuplexStream.WriteAck>(_ => _stream!.Acked());
        Receive<AdmissionActor.Granted>(_ => StartHandshake());
        Receive<HandshakeSucceeded>(_ => OnHandshakeSucceeded());
        Receive<HandshakeFailed>(failed => Close("TLS handshake failed: " + failed.Cause.Message, Warnings.Handshake));
        Receive<HandshakeTimedOut>(_ => OnHandshakeTimedOut());
        Receive<HelloTimedOut>(_ => OnHelloTimedOut());
        Receive<Tcp.ConnectionClosed>(_ =>
        {
            _tcpClosed = true;
            Close("the peer closed the connection during the handshake");
        });
        Receive<Tcp.CommandFailed>(failed => Close("a socket command failed: " + failed.CauseString));
        Receive<PendingRequests.TimedOut>(timeout =>
        {
            if (_ssl is null)
            {
                _pending.OnTimedOutBlameless(timeout, "no reply within request-timeout: the connection still waited for a turn to handshake (max-concurrent-handshakes)");
                if (_pending.Count == 0)
                {
                    // Nothing is left to send: the turn would be wasted on it.
                    _blameless = true;
                    Close("every request waiting for this connection timed out before its turn to handshake");
                }
            }
            else
            {
                _pending.OnTimedOut(timeout);
            }
        });
        CommonBeforeConnected();
    }

    private void CommonBeforeConnected()
    {
        Receive<Evict>(_ => Close("closed to stay within max-connections"));
        Receive<SendRequest>(Hold);
        Receive<PendingRequests.TimedOut>(_pending.OnTimedOut);
        Receive<SendReply>(_ => Stash.Stash());
    }

    /// <summary>
    /// Holds one of our own requests until the connection is open; at most <c>max-requests-in-flight</c> wait, the
    /// excess fails at once as a connection failure that blames nobody (it is our backlog, not the peer's doing).
    /// </summary>
    private void Hold(SendRequest request)
    {
        if (_unsent.Count >= _settings.MaxRequestsInFlight)
        {
            request.ReplyTo.Tell(new RpcFailed(request.To, RpcFailure.ConnectionFailed, "max-requests-in-flight requests already wait for this connection to open"));
            return;
        }

        _unsent.Add((Track(request), request));
    }

    private void Connected()
    {
        Receive<Tcp.Received>(received =>
        {
            _lastActivity = Context.System.Scheduler.Now;
            _stream!.Deliver(received.Data);
            OnDelivered();
        });
        Receive<TcpDuplexStream.WriteAck>(_ => OnWriteAck());
        Receive<ReadMore>(_ => OnReadMore());
        Receive<FlushNow>(_ => OnFlushNow());
        Receive<WriteCompleted>(_ => OnTlsWriteCompleted());
        Receive<IoFailed>(failed => Close("TLS stream failed: " + failed.Cause.Message));
        Receive<SendRequest>(request => Send(Track(request), request));
        Receive<SendReply>(OnSendReply);
        Receive<PendingRequests.TimedOut>(_pending.OnTimedOut);
        Receive<IdleCheck>(_ => OnIdleCheck());
        Receive<FrameDeadline>(OnFrameDeadline);
        Receive<ShedFrame>(_ => Close("its unfinished frame was the largest when this node's half-sent frames passed max-partial-frame-bytes", Warnings.SlowPeer));
        Receive<Evict>(_ => Close("closed, idle longest, to stay within max-connections"));
        Receive<WriteCheck>(_ => OnWriteCheck());

        // The stream still yields what arrived before the close; its read then returns 0 and closes us. While reading
        // is paused no read will come, and no reply can reach the peer any more: close now.
        Receive<Tcp.ConnectionClosed>(_ =>
        {
            _tcpClosed = true;
            _stream!.Complete();
            if (ReadsPaused && _reading == ReadState.None)
            {
                Close("the peer closed the connection while reading was paused");
                return;
            }

            OnDelivered();
        });
        Receive<Tcp.CommandFailed>(failed => Close("a socket command failed: " + failed.CauseString));
    }

    /// <summary>An error reply is on its way; nothing more is read, and the connection closes once it is written.</summary>
    private void Draining()
    {
        Receive<Tcp.Received>(_ => { });
        Receive<ReadMore>(_ => { });
        Receive<FlushNow>(_ => OnFlushNow());
        Receive<TcpDuplexStream.WriteAck>(_ => OnWriteAck());
        Receive<WriteCheck>(_ => OnWriteCheck());
        Receive<WriteCompleted>(_ => OnTlsWriteCompleted());
        Receive<IoFailed>(failed => Close("TLS stream failed: " + failed.Cause.Message));
        Receive<SendRequest>(request => FailNow(request, "the connection is closing"));
        Receive<SendReply>(OnDrainingReply);
        Receive<PendingRequests.TimedOut>(_pending.OnTimedOut);
        Receive<IdleCheck>(_ => Close("the error reply was not written within idle-timeout"));
        Receive<FrameDeadline>(_ => { });
        Receive<Tcp.ConnectionClosed>(_ =>
        {
            _tcpClosed = true;
            Close("the peer closed the connection");
        });
        Receive<Tcp.CommandFailed>(failed => Close("a socket command failed: " + failed.CauseString));
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
}
