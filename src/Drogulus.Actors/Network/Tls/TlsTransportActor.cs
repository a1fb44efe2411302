using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Drogulus.Actors.Configuration;
using Drogulus.Core.Identity;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// A node's TLS transport and listener: binds with Akka.IO <see cref="Tcp.Bind"/>, turns every accepted
/// socket into a <see cref="ConnectionActor"/>, and routes each <see cref="SendRequest"/> to the one
/// connection of its peer, opening it when there is none (PROTOCOL §5: one connection per peer, reused in
/// both directions, including a connection the peer opened).
/// </summary>
internal sealed class TlsTransportActor : ReceiveActor, IWithStash
{
    private readonly NodeIdentity _identity;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _node;
    private readonly TlsCredentials _credentials;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Key, IActorRef> _byId = new();
    private readonly Dictionary<(string Host, int Port), IActorRef> _byAddress = new();
    private readonly Dictionary<IActorRef, Route> _routes = new();
    private IActorRef? _listener;
    private int _port;
    private Core.Limits.InboundRateLimiter? _connectionRate;

    public TlsTransportActor(NodeIdentity identity, DrogulusSettings settings, IActorRef node)
    {
        _identity = identity;
        _settings = settings;
        _node = node;
        _credentials = new TlsCredentials(identity);
        Binding();
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(NodeIdentity identity, DrogulusSettings settings, IActorRef node) =>
        Akka.Actor.Props.Create(() => new TlsTransportActor(identity, settings, node));

    protected override void PreStart()
    {
        Context.System.Tcp().Tell(new Tcp.Bind(Self, EndpointOf(_settings.ListenHost, _settings.ListenPort)));
    }

    protected override void PostStop()
    {
        // Nobody takes the Unbound answer: this actor is gone by then.
        _listener?.Tell(Tcp.Unbind.Instance, ActorRefs.Nobody);
    }

    /// <summary>The endpoint of a host (IP text or name) and port.</summary>
    internal static EndPoint EndpointOf(string host, int port) =>
        IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);

    private void Binding()
    {
        Receive<Tcp.Bound>(bound =>
        {
            _listener = Sender;
            _port = bound.LocalAddress is IPEndPoint ip ? ip.Port : _settings.ListenPort;
            _node.Tell(new TransportReady(_settings.ListenHost, _port));
            Become(Listening);
            Stash.UnstashAll();
        });
        Receive<Tcp.CommandFailed>(failed =>
        {
            _log.Error("Node {NodeId} cannot listen on {Host}:{Port}: {Reason}", _identity.Id.ToShortString(), _settings.ListenHost, _settings.ListenPort, failed.CauseString);
            _node.Tell(new TransportFailed($"cannot listen on {_settings.ListenHost}:{_settings.ListenPort}: {(failed.Cause.HasValue ? failed.Cause.Value.Message : failed.CauseString)}"));
            Become(Failed);
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Failed()
    {
        Receive<SendRequest>(request =>
        {
            if (request.To.ExpectedId is { } id)
            {
                _node.Tell(new PeerFailed(id));
            }

            request.ReplyTo.Tell(new RpcFailed(request.To, RpcFailure.ConnectionFailed, "the transport could not listen"));
        });
        Receive<GetConnectionCount>(_ => Sender.Tell(0));
    }

    private void Listening()
    {
        Receive<Tcp.Connected>(connected =>
        {
            // connection-rate-limit per remote address (issue 10): the excess is dropped before any TLS work.
            _connectionRate ??= _settings.CreateConnectionRateLimiter();
            if (connected.RemoteAddress is IPEndPoint remote && !_connectionRate.TryAcquire(remote.Address, Context.System.Scheduler.Now))
            {
                _log.Debug("Dropped a connection from {Address}: over connection-rate-limit", remote.Address);
                Sender.Tell(Tcp.Abort.Instance);
                return;
            }

            var connection = Context.ActorOf(ConnectionActor.Inbound(
                Sender, connected.RemoteAddress, _credentials, _identity.Id, _port, _settings, _node));
            Context.Watch(connection);
            _routes[connection] = new Route(null, null);
        });
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
            Sender.Tell(ConnectionActor.Release.Instance);
        });
        Receive<Terminated>(terminated => Forget(terminated.ActorRef));
        Receive<GetConnectionCount>(_ => Sender.Tell(_byId.Count));
    }

    private void OnSendRequest(SendRequest request)
    {
        var to = request.To;
        if (to.ExpectedId is { } id && _byId.TryGetValue(id, out var known))
        {
            known.Forward(request);
            return;
        }

        var address = (to.Host, to.Port);
        if (!_byAddress.TryGetValue(address, out var connection))
        {
            connection = Context.ActorOf(ConnectionActor.Outbound(to, _credentials, _identity.Id, _port, _settings, _node));
            Context.Watch(connection);
            _byAddress[address] = connection;
            _routes[connection] = new Route(null, address);
        }

        connection.Forward(request);
    }

    private void OnEstablished(ConnectionActor.Established established)
    {
        if (!_routes.TryGetValue(Sender, out var route))
        {
            return;
        }

        _routes[Sender] = route with { Id = established.PeerId };
        if (!_byId.ContainsKey(established.PeerId))
        {
            _byId[established.PeerId] = Sender;
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
}
