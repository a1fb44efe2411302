using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Diagnostics;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network;

/// <summary>
/// One node's transport on a <see cref="MemoryNetwork"/>. Every message is encoded and decoded by the wire
/// codec, carries the sender's proven id (the network plays the part of TLS), and each request has its
/// own <c>request-timeout</c> timer, exactly as over TLS. Inbound requests go straight to the node's
/// routing table (the <c>handler</c>), lifecycle messages to the node.
/// </summary>
internal sealed class MemoryTransportActor : ReceiveActor, IWithTimers
{
    private readonly MemoryNetwork _network;
    private readonly Key _self;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _node;
    private readonly IActorRef _handler;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly PendingRequests _pending;
    private readonly Dictionary<Key, IActorRef> _connections = new();
    private long _nextUuid;
    private int _port;
    private bool _advertise;

    public MemoryTransportActor(MemoryNetwork network, Key self, DrogulusSettings settings, IActorRef node, IActorRef handler)
    {
        _network = network;
        _self = self;
        _settings = settings;
        _node = node;
        _handler = handler;
        _advertise = settings.Reachability == ReachabilityMode.Server;
        _pending = new PendingRequests(Timers, Context.System.Scheduler, handler, settings.RequestTimeout, NodeMetrics.For(self));
        Receive<SendRequest>(OnSendRequest);
        Receive<MemoryFrame>(OnFrame);
        Receive<SendReply>(OnSendReply);
        Receive<PendingRequests.TimedOut>(_pending.OnTimedOut);
        Receive<GetConnectionCount>(_ => Sender.Tell(_connections.Count));
        Receive<Rebind>(_ => PreStart());
        Receive<AdvertisePort>(advertise => _advertise = advertise.Advertise);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(MemoryNetwork network, Key self, DrogulusSettings settings, IActorRef node, IActorRef handler) =>
        Akka.Actor.Props.Create(() => new MemoryTransportActor(network, self, settings, node, handler));

    protected override void PreStart()
    {
        _port = _network.Register(_self, Self);
        _node.Tell(new TransportReady(_network.AddressOf(_port), _port));
    }

    protected override void PostStop()
    {
        _network.Unregister(_port);
        _pending.AbandonAll("transport stopped");
    }

    // A restart keeps the registration, so the node stays reachable at the endpoint it announced.
    protected override void PreRestart(Exception reason, object message) => _pending.AbandonAll("transport stopped");

    private void OnSendRequest(SendRequest request)
    {
        if (!_network.TryResolve(request.To.Host, request.To.Port, out var peerId, out var remote))
        {
            _pending.FailUntracked(request.To, request.ReplyTo, RpcFailure.ConnectionFailed, "no node listens at " + request.To, request.Body.WireName);
            return;
        }

        if (request.To.ExpectedId is { } expected && expected != peerId)
        {
            _pending.FailUntracked(request.To, request.ReplyTo, RpcFailure.ConnectionFailed, "the peer proved another identity", request.Body.WireName);
            return;
        }

        // A node behind NAT (MemoryNetwork.Place) is reached only over a connection it opened, which a dial-back
        // may not use (PROTOCOL §6: it opens a new connection).
        var dialled = true;
        if (!_network.IsDialable(peerId))
        {
            if (request.FreshConnection || !_connections.TryGetValue(peerId, out var opened) || !opened.Equals(remote))
            {
                _pending.FailUntracked(request.To, request.ReplyTo, RpcFailure.ConnectionFailed, "connection refused by " + request.To, request.Body.WireName);
                return;
            }

            dialled = false;
        }

        var uuid = $"{_port}-{++_nextUuid}";
        _pending.Add(uuid, request.To, request.ReplyTo, request.Body.WireName);
        _connections[peerId] = remote;
        Deliver(peerId, remote, Stamp(request.Body, uuid), dialled);
    }

    private void OnSendReply(SendReply reply)
    {
        if (!_connections.TryGetValue(reply.To.Id, out var remote))
        {
            _log.Debug("No connection to {PeerId} for reply {RpcId}", reply.To.Id.ToShortString(), reply.InReplyTo);
            return;
        }

        // PROTOCOL §4: every reply says where the requester was seen; here, at its host and registered port.
        var seen = new SeenAddress(_network.AddressOf(remote), _network.PortOf(remote));
        Deliver(reply.To.Id, remote, Stamp(reply.Body, reply.InReplyTo) with { Seen = seen });
        if (reply.CloseAfter)
        {
            _connections.Remove(reply.To.Id);
        }
    }

    private void OnFrame(MemoryFrame frame)
    {
        var decoded = MessageCodec.Decode(frame.Payload);
        if (!decoded.IsSuccess)
        {
            _log.Warning("Rejected a message from {PeerId}: error {Code} {Details}", frame.FromId.ToShortString(), decoded.Failure.Code, WireText.Describe(decoded.Failure.Details));
            Deliver(frame.FromId, frame.FromTransport, ErrorReply.For(decoded.Failure, _self, _advertise ? _port : 0) with { Seen = SeenOf(frame) });
            return;
        }

        var message = decoded.Message;
        if (message.Node != frame.FromId)
        {
            _log.Warning("Rejected a message from {PeerId}: node field {Claimed} does not match its identity", frame.FromId.ToShortString(), message.Node.ToShortString());
            var details = ErrorReply.Details("node", "does not match the TLS identity");
            Deliver(frame.FromId, frame.FromTransport, ErrorReply.For(message, ErrorCode.BadRequest, details, _self, _advertise ? _port : 0) with { Seen = SeenOf(frame) });
            return;
        }

        // The sender's address as its connection shows it (PROTOCOL §6: never one the peer claims).
        var peer = new PeerInfo(frame.FromId, _network.AddressOf(frame.FromTransport), message.ReplyPort, message.Version);
        if (message.IsRequest)
        {
            _connections[frame.FromId] = frame.FromTransport;
            _handler.Tell(new InboundRequest(peer, message, Self, FromAcceptedConnection: frame.Dialled) { InProcess = true });
            return;
        }

        if (!_pending.Complete(message, peer))
        {
            _log.Debug("Ignored a reply with unknown uuid {RpcId} from {PeerId}", message.Uuid, frame.FromId.ToShortString());
        }
    }

    private SeenAddress SeenOf(MemoryFrame frame) => new(_network.AddressOf(frame.FromTransport), _network.PortOf(frame.FromTransport));

    private Message Stamp(Message body, string uuid) =>
        body with { Uuid = uuid, Node = _self, ReplyPort = _advertise ? _port : 0, Version = _settings.ProtocolVersion };

    private void Deliver(Key to, IActorRef remote, Message message, bool dialled = false)
    {
        if (_network.IsDropped(_self, to))
        {
            return;
        }

        remote.Tell(new MemoryFrame(_self, Self, MessageCodec.Encode(message), dialled));
    }
}
