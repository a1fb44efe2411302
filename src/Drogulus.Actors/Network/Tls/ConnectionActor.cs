using System.Net;
using System.Net.Security;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Diagnostics;
using Drogulus.Core.Identity;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

// The states of a connection, each a behaviour below; the data that exists only in a state is the argument its
// handlers close over (the types are in ConnectionActor.States.cs), as in Akka.IO's TcpConnection.
//
//   dial ───▶ Connecting ──TCP connected──────────┐
//                                                 ├─▶ AskTurn ──▶ AwaitingTurn ──Granted (at once, or in line)──▶ Handshaking
//   accept ─▶ AwaitingHello ──first record whole──┘
//
//   Handshaking ──the peer proved its id──▶ Open ──bad input, or a reply that closes──▶ Draining ──written──▶ Closing
//
//   any state ──Close(reason)──▶ Closing ──Release, and the socket closed──▶ stopped
//
//   whole life      settings, collaborators, _pending (our requests until replied or failed), _phase, _turnAsked
//   Link            from TCP connected: the Akka.IO connection, its stream, the peer's address, the SslStream, its id
//   Opening         Connecting … Handshaking: our requests held until the connection opens
//   FirstTlsRecord  AwaitingHello: the hello's bytes counted (PROTOCOL §5, admission)
//   Session         Open, Draining: reads, answers (the peer's requests), writes, the error that ends a drain
//   Ending          Closing: whether the transport released the connection
//
// Every step is bounded: connect-timeout (Connecting), hello-timeout (AwaitingHello), handshake-timeout (until Open),
// request-timeout per request, idle-timeout, frame-timeout and write-timeout (Open, Draining), handshake-timeout
// again for the socket to close (Closing).
// The handshake turns of the process (AdmissionActor) are asked for in AskTurn, granted in AwaitingTurn and given
// back in ReleaseTurn, and nowhere else.

/// <summary>
/// One TLS connection to one peer (PROTOCOL §4, §5, §12), in either direction: Akka.IO TCP with an
/// <see cref="SslStream"/> over a <see cref="TcpDuplexStream"/>, netstring frames of msgpack messages. Requests sent
/// on this connection are matched to replies by uuid in <see cref="PendingRequests"/>; when the connection ends,
/// those still pending fail at once. This file holds the states and their transitions; the handshake is in
/// ConnectionActor.Handshake.cs, the traffic in ConnectionActor.Traffic.cs with <see cref="OutgoingFrames"/> and
/// <see cref="InboundFrames"/>, reads and backpressure in ConnectionActor.Backpressure.cs, writes in
/// ConnectionActor.Writing.cs, the close in ConnectionActor.Closing.cs, the states' data in
/// ConnectionActor.States.cs and the messages in ConnectionActor.Messages.cs.
/// </summary>
internal sealed partial class ConnectionActor : ReceiveActor, IWithTimers, IWithStash
{
    internal const int ReadBufferSize = 8 * 1024;

    private readonly TlsCredentials _credentials;
    private readonly Key _self;
    private readonly TlsTransportActor.ListenerState _listening; // its ReplyPort follows the node's mode (PROTOCOL §10)
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _handler; // the routing table: inbound requests, PeerSeen, PeerFailed
    private readonly PeerAddress? _dialled;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cts = new();
    private readonly PendingRequests _pending;
    private readonly RequestUuids _uuids = new();
    private Link? _link; // null while a dial connects
    private Phase _phase; // the data of the current state, for what spans states (Activity, the close)

    public ConnectionActor(
        IActorRef? tcp, EndPoint? remote, PeerAddress? dialled, TlsCredentials credentials, Key self, TlsTransportActor.ListenerState listening, DrogulusSettings settings, IActorRef handler)
    {
        _dialled = dialled;
        _credentials = credentials;
        _self = self;
        _listening = listening;
        _settings = settings;
        _handler = handler;
        _pending = new PendingRequests(Timers, Context.System.Scheduler, handler, settings.RequestTimeout, NodeMetrics.For(self));
        var opening = new Opening();
        _phase = opening;
        if (tcp is null)
        {
            Connecting(opening);
        }
        else
        {
            _link = new Link(tcp, new TcpDuplexStream(tcp, Self), AddressText(remote!), PortOf(remote!));
            AwaitingHello(opening, new FirstTlsRecord());
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
        if (_link is null)
        {
            var to = _dialled!;
            var remote = TlsTransportActor.EndpointOf(to.Host, to.Port);
            Context.System.Tcp().Tell(new Tcp.Connect(remote, TlsTransportActor.LocalEndpointFor(_settings.ListenHost, remote), timeout: _settings.ConnectTimeout));
            Timers.StartSingleTimer("connect", ConnectTimedOut.Instance, _settings.ConnectTimeout);
        }
        else
        {
            _link.Tcp.Tell(new Tcp.Register(Self));
            BeginHandshake();
        }
    }

    protected override void PostStop()
    {
        // Stopped with the socket still open (its transport or node stopping): reset it, so the peer's
        // pending requests fail at once instead of waiting for request-timeout.
        if (_link is { Closed: false })
        {
            _link.Tcp.Tell(Tcp.Abort.Instance);
        }

        _cts.Cancel();
        ReleaseTurn();
        _link?.Stream.Complete();
        (_phase as Session)?.Reads.Frames.Release();
        FailAll("the connection stopped");
        NodeMetrics.For(_self).ConnectionClosed();
        _link?.Ssl?.Dispose();
        _cts.Dispose();
    }

    /// <summary>A dial waits for TCP to connect, within <c>connect-timeout</c>.</summary>
    private void Connecting(Opening opening)
    {
        Receive<Tcp.Connected>(connected =>
        {
            Timers.Cancel("connect");
            _link = new Link(Sender, new TcpDuplexStream(Sender, Self), AddressText(connected.RemoteAddress), PortOf(connected.RemoteAddress));
            _link.Tcp.Tell(new Tcp.Register(Self));
            BeginHandshake();
            AskTurn(opening);
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
        Receive<PendingRequests.TimedOut>(_pending.OnTimedOut);
        BeforeOpen(opening);
    }

    /// <summary>
    /// An accepted connection takes no turn to handshake until its peer's first TLS record arrived whole, within
    /// <c>hello-timeout</c> (PROTOCOL §5, admission): a peer that sends part of a hello and stalls holds only its socket.
    /// </summary>
    private void AwaitingHello(Opening opening, FirstTlsRecord hello)
    {
        Receive<Tcp.Received>(received => OnHelloBytes(opening, hello, received.Data));
        Receive<HelloTimedOut>(_ => Close("the peer's first TLS record did not arrive whole within hello-timeout", Warnings.Handshake));
        Receive<HandshakeTimedOut>(_ => Close("the peer sent no TLS hello within handshake-timeout", Warnings.Handshake));
        Receive<PendingRequests.TimedOut>(timeout => OnTimedOutBeforeTurn(timeout));
        HandshakeSocket();
        BeforeOpen(opening);
    }

    /// <summary>
    /// Waiting for the turn to handshake: granted at once while fewer than max-concurrent-handshakes of this process
    /// run, else in line; nobody's fault.
    /// </summary>
    private void AwaitingTurn(Opening opening)
    {
        Receive<Tcp.Received>(received => _link!.Stream.Deliver(received.Data));
        Receive<AdmissionActor.Granted>(_ => StartHandshake(opening));
        Receive<HandshakeTimedOut>(_ => Close("waited handshake-timeout for a turn to handshake (max-concurrent-handshakes of this process are running)", Warnings.Handshake, blameless: true));
        Receive<PendingRequests.TimedOut>(timeout => OnTimedOutBeforeTurn(timeout));
        HandshakeSocket();
        BeforeOpen(opening);
    }

    /// <summary>The TLS handshake runs on the SslStream; it ends in <see cref="HandshakeSucceeded"/> or <see cref="HandshakeFailed"/>.</summary>
    private void Handshaking(Opening opening)
    {
        Receive<Tcp.Received>(received => _link!.Stream.Deliver(received.Data));
        Receive<HandshakeSucceeded>(_ => OnHandshakeSucceeded(opening));
        Receive<HandshakeFailed>(failed => Close("TLS handshake failed: " + failed.Cause.Message, Warnings.Handshake));
        Receive<HandshakeTimedOut>(_ => Close("no TLS handshake within handshake-timeout", Warnings.Handshake));
        Receive<PendingRequests.TimedOut>(_pending.OnTimedOut);
        HandshakeSocket();
        BeforeOpen(opening);
    }

    /// <summary>The socket's events from TCP connected until the connection opens.</summary>
    private void HandshakeSocket()
    {
        Receive<TcpDuplexStream.WriteAck>(_ => _link!.Stream.Acked());
        Receive<Tcp.ConnectionClosed>(_ =>
        {
            _link!.Closed = true;
            Close("the peer closed the connection during the handshake");
        });
        Receive<Tcp.CommandFailed>(failed => Close("a socket command failed: " + failed.CauseString));
    }

    /// <summary>Until the connection opens, our requests wait (<see cref="Hold"/>) and replies cannot be there yet.</summary>
    private void BeforeOpen(Opening opening)
    {
        Receive<Evict>(_ => Close("closed to stay within max-connections"));
        Receive<SendRequest>(request => Hold(opening, request));
        Receive<SendReply>(_ => Stash.Stash());
    }

    /// <summary>The peer proved its id: requests and replies flow both ways, with backpressure.</summary>
    private void Open(Session session)
    {
        Receive<Tcp.Received>(received =>
        {
            session.LastActivity = Context.System.Scheduler.Now;
            session.Link.Stream.Deliver(received.Data);
            OnDelivered(session);
        });
        Receive<TcpDuplexStream.WriteAck>(_ => OnWriteAck(session));
        Receive<ReadMore>(_ => OnReadMore(session));
        Receive<FlushNow>(_ => OnFlushNow(session));
        Receive<WriteCompleted>(_ => OnTlsWriteCompleted(session));
        Receive<IoFailed>(failed => Close("TLS stream failed: " + failed.Cause.Message));
        Receive<SendRequest>(request => Send(session, Track(request), request));
        Receive<SendReply>(reply => OnSendReply(session, reply));
        Receive<PendingRequests.TimedOut>(_pending.OnTimedOut);
        Receive<IdleCheck>(_ => OnIdleCheck(session));
        Receive<FrameDeadline>(deadline => OnFrameDeadline(session, deadline));
        Receive<ShedFrame>(_ => Close("its unfinished frame was the largest when this node's half-sent frames passed max-partial-frame-bytes", Warnings.SlowPeer));
        Receive<Evict>(_ => Close("closed, idle longest, to stay within max-connections"));
        Receive<WriteCheck>(_ => OnWriteCheck(session));

        // The stream still yields what arrived before the close; its read then returns 0 and closes us. While reading
        // is paused no read will come, and no reply can reach the peer any more: close now.
        Receive<Tcp.ConnectionClosed>(_ =>
        {
            session.Link.Closed = true;
            session.Link.Stream.Complete();
            if (ReadsPaused(session) && session.Reads.State == ReadState.None)
            {
                Close("the peer closed the connection while reading was paused");
                return;
            }

            OnDelivered(session);
        });
        Receive<Tcp.CommandFailed>(failed => Close("a socket command failed: " + failed.CauseString));
    }

    /// <summary>An error reply is on its way; nothing more is read, and the connection closes once it is written.</summary>
    private void Draining(Session session)
    {
        Receive<Tcp.Received>(_ => { });
        Receive<ReadMore>(_ => { });
        Receive<FlushNow>(_ => OnFlushNow(session));
        Receive<TcpDuplexStream.WriteAck>(_ => OnWriteAck(session));
        Receive<WriteCheck>(_ => OnWriteCheck(session));
        Receive<WriteCompleted>(_ => OnTlsWriteCompleted(session));
        Receive<IoFailed>(failed => Close("TLS stream failed: " + failed.Cause.Message));
        Receive<SendRequest>(request => FailNow(request, "the connection is closing"));
        Receive<SendReply>(reply => OnDrainingReply(session, reply));
        Receive<PendingRequests.TimedOut>(_pending.OnTimedOut);
        Receive<IdleCheck>(_ => Close("the error reply was not written within idle-timeout"));
        Receive<FrameDeadline>(_ => { });
        Receive<Tcp.ConnectionClosed>(_ =>
        {
            session.Link.Closed = true;
            Close("the peer closed the connection");
        });
        Receive<Tcp.CommandFailed>(failed => Close("a socket command failed: " + failed.CauseString));
    }

    /// <summary>The transport was told <see cref="Closed"/>; the actor stops once it released us and the socket closed.</summary>
    private void Closing(Ending ending)
    {
        Receive<SendRequest>(request => FailNow(request, "the connection is closed"));
        Receive<TcpDuplexStream.WriteAck>(_ => _link?.Stream.Acked());
        Receive<Tcp.ConnectionClosed>(_ =>
        {
            _link?.Closed = true;
            StopWhenDone(ending);
        });
        Receive<Tcp.Connected>(_ => Sender.Tell(Tcp.Abort.Instance));
        Receive<Release>(_ =>
        {
            ending.Released = true;
            StopWhenDone(ending);
        });
        Receive<CloseTimedOut>(_ =>
        {
            _link?.Tcp.Tell(Tcp.Abort.Instance);
            _link?.Closed = true;
            StopWhenDone(ending);
        });
        ReceiveAny(_ => { });
    }
}
