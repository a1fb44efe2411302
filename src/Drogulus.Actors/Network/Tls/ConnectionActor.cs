using System.Net;
using System.Net.Security;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Drogulus.Actors.Configuration;
using Drogulus.Core.Identity;
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
/// <see cref="OutgoingFrames"/> and <see cref="InboundFrames"/>, and the messages in ConnectionActor.Messages.cs.
/// </summary>
internal sealed partial class ConnectionActor : ReceiveActor, IWithTimers, IWithStash
{
    private const int ReadBufferSize = 8 * 1024;

    private readonly TlsCredentials _credentials;
    private readonly Key _self;
    private readonly int _replyPort;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _handler; // the routing table: inbound requests, PeerSeen, PeerFailed
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
        IActorRef? tcp, EndPoint? remote, PeerAddress? dialled, TlsCredentials credentials, Key self, int replyPort, DrogulusSettings settings, IActorRef handler)
    {
        _tcp = tcp;
        _dialled = dialled;
        _credentials = credentials;
        _self = self;
        _replyPort = replyPort;
        _settings = settings;
        _handler = handler;
        _inbound = new InboundFrames(settings.MaxFrameSize, ReadBufferSize);
        _outgoing = new OutgoingFrames(settings.MaxFrameSize, keepCapacity: 4 * ReadBufferSize);
        _pending = new PendingRequests(Timers, handler, settings.RequestTimeout);
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
        IActorRef tcp, EndPoint remote, TlsCredentials credentials, Key self, int replyPort, DrogulusSettings settings, IActorRef handler) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(tcp, remote, null, credentials, self, replyPort, settings, handler));

    /// <summary>A connection this node dials to <paramref name="to"/>.</summary>
    public static Props Outbound(
        PeerAddress to, TlsCredentials credentials, Key self, int replyPort, DrogulusSettings settings, IActorRef handler) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(null, null, to, credentials, self, replyPort, settings, handler));

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
}
