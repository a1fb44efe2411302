using System.Net;
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
/// A node's TLS transport and listener: binds with Akka.IO <see cref="Tcp.Bind"/>, turns every accepted
/// socket into a <see cref="ConnectionActor"/>, and routes each <see cref="SendRequest"/> to the one
/// connection of its peer, opening it when there is none (PROTOCOL §5: one connection per peer, reused in
/// both directions, including a connection the peer opened). Inbound requests go from a connection straight
/// to the node's routing table (the <c>handler</c>), never through this actor or the node.
/// A restart (the node's supervisor restarts a failed transport) keeps the listener and the port it bound,
/// so peers keep a valid address; connections are per-request-like children and are stopped, never
/// restarted, when they fail. If the listener stops, the node is told <see cref="TransportFailed"/> and
/// sends <see cref="Rebind"/> with backoff; the bind reuses the port the transport had.
/// </summary>
internal sealed partial class TlsTransportActor : ReceiveActor, IWithStash, IWithTimers
{
    private readonly NodeIdentity _identity;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _node;
    private readonly IActorRef _handler;
    private readonly ListenerState _listening;
    private readonly TlsCredentials _credentials;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Key, IActorRef> _byId = new();
    private readonly Dictionary<(string Host, int Port), IActorRef> _byAddress = new();
    private readonly Dictionary<IActorRef, Route> _routes = new();
    private readonly WarningThrottle _warnings;
    private readonly Core.Limits.PartialFrameBudget<IActorRef> _partialFrames;
    private Core.Limits.InboundRateLimiter? _connectionRate;

    public TlsTransportActor(NodeIdentity identity, DrogulusSettings settings, IActorRef node, IActorRef handler, ListenerState listening, IActorRef? admission = null)
    {
        _identity = identity;
        _settings = settings;
        _node = node;
        _handler = handler;
        _listening = listening;
        _credentials = new TlsCredentials(identity);
        _warnings = new WarningThrottle(settings.LogWarningInterval);
        _partialFrames = new Core.Limits.PartialFrameBudget<IActorRef>(settings.MaxPartialFrameBytes);
        _admission = admission ?? AdmissionExtension.Get(Context.System);
        Binding();
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of a transport; the listener state object outlives restarts of the actor.</summary>
    public static Props Props(NodeIdentity identity, DrogulusSettings settings, IActorRef node, IActorRef handler) =>
        Props(identity, settings, node, handler, admission: null);

    /// <summary>Props of a transport that asks <paramref name="admission"/> (the actor system's admission actor when null).</summary>
    internal static Props Props(NodeIdentity identity, DrogulusSettings settings, IActorRef node, IActorRef handler, IActorRef? admission) =>
        Props(identity, settings, node, handler, admission, new FrameSegmentPool(ConnectionActor.ReadBufferSize, settings.MaxSpareFrameBytes));

    /// <summary>Props of a transport whose connections hold their unfinished frames in <paramref name="frameSegments"/>.</summary>
    internal static Props Props(
        NodeIdentity identity, DrogulusSettings settings, IActorRef node, IActorRef handler, IActorRef? admission, FrameSegmentPool frameSegments)
    {
        var listening = new ListenerState { Advertise = settings.Reachability == ReachabilityMode.Server, FrameSegments = frameSegments };
        return Akka.Actor.Props.Create(() => new TlsTransportActor(identity, settings, node, handler, listening, admission));
    }

    private int BoundPort => _listening.Port;

    // A connection that throws is stopped (its pending requests fail in PostStop), never restarted: a
    // restarted connection would have lost its socket and its requests.
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    // Binds once admission answers with the listen backlog (Binding).
    protected override void PreStart() => _admission.Tell(new AdmissionActor.Join(AdmissionLimits()));

    // The default would stop every child and then PreStart would bind again (a new port when listen.port is
    // 0). Connections are dropped, but the listener and its port are kept.
    protected override void PreRestart(Exception reason, object message)
    {
        DropAsking("the transport restarted");
        _admission.Tell(AdmissionActor.ReleaseAll.Instance);
        foreach (var child in Context.GetChildren())
        {
            Context.Stop(child);
        }
    }

    // Without a listener it stays Binding, and binds once admission answers.
    protected override void PostRestart(Exception reason)
    {
        _admission.Tell(new AdmissionActor.Join(AdmissionLimits()));
        if (_listening.Listener is { } listener)
        {
            OnListenerBound(listener);
            _node.Tell(new TransportReady(_settings.ListenHost, BoundPort));
            Become(Listening);
        }
    }

    protected override void PostStop()
    {
        DropAsking("the transport stopped");
        _admission.Tell(AdmissionActor.Leave.Instance);
        // Nobody takes the Unbound answer: this actor is gone by then.
        _listening.Listener?.Tell(Tcp.Unbind.Instance, ActorRefs.Nobody);
        _listening.Listener = null;
    }

    private void Bind(int port) => Context.System.Tcp().Tell(new Tcp.Bind(Self, EndpointOf(_settings.ListenHost, port), backlog: _acceptBacklog));

    /// <summary>The endpoint of a host (IP text or name) and port.</summary>
    internal static EndPoint EndpointOf(string host, int port) =>
        IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);

    /// <summary>
    /// The address a dial starts from: the one the node listens on, when that is one specific IP address of the
    /// remote's family, so that peers, which record the address a connection comes from, record one where the
    /// node can be reached (PROTOCOL §6); null (the system picks) for a wildcard or a host name.
    /// </summary>
    internal static EndPoint? LocalEndpointFor(string listenHost, EndPoint remote) =>
        IPAddress.TryParse(listenHost, out var local)
        && !local.Equals(IPAddress.Any) && !local.Equals(IPAddress.IPv6Any)
        && remote is IPEndPoint ip && ip.AddressFamily == local.AddressFamily
            ? new IPEndPoint(local, 0)
            : null;

    private void Binding()
    {
        Receive<AdmissionActor.Joined>(joined =>
        {
            _acceptBacklog = joined.AcceptBacklog;
            Bind(_listening.Port > 0 ? _listening.Port : _settings.ListenPort);
        });
        Receive<Tcp.Bound>(bound =>
        {
            _listening.Port = bound.LocalAddress is IPEndPoint ip ? ip.Port : _settings.ListenPort;
            OnListenerBound(Sender);
            _node.Tell(new TransportReady(_settings.ListenHost, BoundPort));
            Become(Listening);
            Stash.UnstashAll();
        });
        Receive<Tcp.CommandFailed>(failed =>
        {
            var port = _listening.Port > 0 ? _listening.Port : _settings.ListenPort;
            var reason = failed.Cause.HasValue ? failed.Cause.Value.Message : failed.CauseString;
            _log.Debug("Node {NodeId} cannot listen on {Host}:{Port}: {Reason}", _identity.Id.ToShortString(), _settings.ListenHost, port, reason); // the node logs it
            _node.Tell(new TransportFailed($"cannot listen on {_settings.ListenHost}:{port}: {reason}"));
            Become(Failed);
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Failed()
    {
        Receive<Rebind>(_ =>
        {
            Become(Binding);
            Bind(_listening.Port > 0 ? _listening.Port : _settings.ListenPort);
        });
        Receive<Terminated>(terminated =>
        {
            Forget(terminated.ActorRef);
            Gone(terminated.ActorRef);
        });
        Receive<ConnectionActor.Closed>(_ =>
        {
            Forget(Sender);
            Gone(Sender);
            Sender.Tell(ConnectionActor.Release.Instance);
        });
        Receive<SendRequest>(request =>
        {
            if (request.To.ExpectedId is { } id)
            {
                _handler.Tell(new PeerFailed(id, request.To));
            }

            NodeMetrics.For(_identity.Id).RpcSent(request.Body.WireName, "connection_failed");
            request.ReplyTo.Tell(new RpcFailed(request.To, RpcFailure.ConnectionFailed, "the transport could not listen"));
        });
        Receive<GetConnectionCount>(_ => Sender.Tell(0));
        ReceiveAdmission();
    }

    private void Listening()
    {
        Receive<Tcp.Connected>(OnConnected);
        Receive<SendRequest>(OnSendRequest);
        Receive<SendReply>(reply =>
        {
            if (_byId.TryGetValue(reply.To.Id, out var connection))
            {
                connection.Forward(reply);
            }
        });
        Receive<ConnectionActor.Established>(OnEstablished);
        Receive<ConnectionActor.Closed>(_ =>
        {
            Forget(Sender);
            Gone(Sender);
            Sender.Tell(ConnectionActor.Release.Instance);
        });
        Receive<Terminated>(terminated =>
        {
            if (terminated.ActorRef.Equals(_listening.Listener))
            {
                OnListenerStopped();
                return;
            }

            Forget(terminated.ActorRef);
            Gone(terminated.ActorRef);
        });
        Receive<Rebind>(_ => _node.Tell(new TransportReady(_settings.ListenHost, BoundPort)));
        Receive<AdvertisePort>(advertise => _listening.Advertise = advertise.Advertise);
        Receive<ConnectionActor.FrameBytes>(OnFrameBytes);
        Receive<GetConnectionCount>(_ => Sender.Tell(_byId.Count));
        Receive<ConnectionActor.PeerWarning>(warning => Warn(warning.Kind, warning.Text));
        Receive<ReportSuppressed>(_ => OnReportSuppressed());
        ReceiveAccepting();
        ReceiveAdmission();
    }

    // The listener stopped under us (Akka.IO gave up on the socket): the node cannot be reached until a
    // Rebind succeeds. Open connections keep working meanwhile.
    private void OnListenerStopped()
    {
        _listening.Listener = null;
        _log.Error("Node {NodeId} stopped listening on {Host}:{Port}", _identity.Id.ToShortString(), _settings.ListenHost, BoundPort);
        _node.Tell(new TransportFailed($"stopped listening on {_settings.ListenHost}:{BoundPort}"));
        Become(Failed);
    }

    private void OnSendRequest(SendRequest request)
    {
        var to = request.To;
        if (!request.FreshConnection && to.ExpectedId is { } id && _byId.TryGetValue(id, out var known))
        {
            known.Forward(request);
            return;
        }

        // A dial-back's ping (PROTOCOL §6) goes on a connection of its own, known by no address, so that it
        // proves the peer can be dialled and later requests do not pick it.
        var address = (to.Host, to.Port);
        if (!request.FreshConnection && _byAddress.TryGetValue(address, out var connection))
        {
            connection.Forward(request);
            return;
        }

        Dial(request, address);
    }

    private void OnEstablished(ConnectionActor.Established established)
    {
        if (!_routes.TryGetValue(Sender, out var route))
        {
            return;
        }

        _routes[Sender] = route with { Id = established.PeerId };
        _idle.Proven(Sender); // from now on closed for room only by idleness (PROTOCOL §5, admission)
        if (!_byId.ContainsKey(established.PeerId))
        {
            _byId[established.PeerId] = Sender;
        }
    }

    /// <summary>
    /// PROTOCOL §5: the bytes of half-sent frames are bounded for the whole node; past <c>max-partial-frame-bytes</c>
    /// the connection holding the largest unfinished frame is closed.
    /// </summary>
    private void OnFrameBytes(ConnectionActor.FrameBytes held)
    {
        if (!_routes.ContainsKey(Sender))
        {
            return; // already forgotten (closing)
        }

        foreach (var connection in _partialFrames.Report(Sender, held.Held))
        {
            connection.Tell(ConnectionActor.ShedFrame.Instance);
        }
    }

    private void Forget(IActorRef connection)
    {
        if (!_routes.Remove(connection, out var route))
        {
            return;
        }

        if (route.Id is { } id && _byId.TryGetValue(id, out var byId) && byId.Equals(connection))
        {
            _byId.Remove(id);
        }

        if (route.Address is { } address && _byAddress.TryGetValue(address, out var byAddress) && byAddress.Equals(connection))
        {
            _byAddress.Remove(address);
        }
    }

    private sealed record Route(Key? Id, (string Host, int Port)? Address);

    /// <summary>The listener and its port; one object per transport Props, so it survives restarts.</summary>
    internal sealed class ListenerState
    {
        private volatile bool _advertise;
        private volatile int _port;

        public IActorRef? Listener { get; set; }

        /// <summary>
        /// Where the transport's connections hold their unfinished frames (issue 21 item 4): one pool for the node, so that
        /// the frames of closed connections serve the next ones instead of waiting as garbage for a full collection.
        /// </summary>
        public FrameSegmentPool? FrameSegments { get; init; }

        public int Port
        {
            get => _port;
            set => _port = value;
        }

        /// <summary>Whether the node is a server (PROTOCOL §10); read by every connection of the transport.</summary>
        public bool Advertise
        {
            get => _advertise;
            set => _advertise = value;
        }

        /// <summary>The <c>reply_port</c> the transport's connections send: the port for a server, 0 for a client.</summary>
        public int ReplyPort => _advertise ? _port : 0;
    }
}
