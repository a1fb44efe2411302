using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Drogulus.Actors.Diagnostics;
using Drogulus.Core.Limits;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The transport's side of admission (PROTOCOL §5, budget and admission): before it accepts or dials it asks the
/// actor system's <see cref="AdmissionActor"/>, naming its own connection idle longest (which it knows from the
/// connections' activity reports, one per request, that never go to admission), and does what it is told: open the
/// connection, close the idle one to make room, or refuse (an accepted socket is aborted before any TLS work; a dial's
/// requests fail as connection failures charged to nobody). Requests for a peer whose dial is being asked about wait
/// here, at most <c>max-requests-in-flight</c>. It tells admission when a connection is gone.
/// </summary>
internal sealed partial class TlsTransportActor
{
    private static long s_lastTicket; // tickets stay unique across restarts of a transport: a late answer is never taken for a new one's

    private readonly IActorRef _admission;
    private readonly IdleOrder<IActorRef> _idle = new();
    private readonly Dictionary<IActorRef, long> _seats = new(); // connection → its admission id
    private readonly Dictionary<long, Asking> _asking = new();
    private readonly Dictionary<(string Host, int Port), Dialling> _dialling = new();

    private void ReceiveAdmission()
    {
        Receive<AdmissionActor.Admitted>(OnAdmitted);
        Receive<AdmissionActor.Refused>(OnRefused);
        Receive<AdmissionActor.Joined>(joined => _acceptBacklog = joined.AcceptBacklog);
        Receive<AdmissionActor.Rejoin>(_ => _admission.Tell(new AdmissionActor.Join(AdmissionLimits())));
        Receive<AdmissionActor.ShedIdle>(_ => OnShedIdle());
        Receive<ConnectionActor.Activity>(activity => _idle.Activity(Sender, activity.Busy, Context.System.Scheduler.Now));
    }

    private AdmissionLimits AdmissionLimits() => new(
        _settings.MaxConnections,
        _settings.ProcessMaxConnections,
        _settings.DescriptorReserve,
        ProcessDescriptors.OpenFileLimit(),
        ProcessDescriptors.OpenDescriptors(),
        _settings.MaxConcurrentHandshakes,
        _settings.MaxAcceptedPerGroup,
        new TokenBucketRate(_settings.AcceptedHandshakeRatePerSecond, _settings.AcceptedHandshakeRateBurst));

    private void OnConnected(Tcp.Connected connected)
    {
        // connection-rate-limit per remote address (issue 10): the excess is dropped before any TLS work.
        _connectionRate ??= _settings.CreateConnectionRateLimiter();
        if (connected.RemoteAddress is IPEndPoint remote && !_connectionRate.TryAcquire(remote.Address, Context.System.Scheduler.Now))
        {
            _log.Debug("Dropped a connection from {Address}: over connection-rate-limit", remote.Address);
            Sender.Tell(Tcp.Abort.Instance);
            return;
        }

        // PROTOCOL §5, admission: the connections accepted from one address group are bounded (exempt ones are not counted).
        var group = connected.RemoteAddress is IPEndPoint from && AddressGroup.Of(from.Address, _settings.DiversityExemptPrivate) is { IsExempt: false } counted
            ? counted.Value
            : null;
        Ask(new Accepting(Sender, connected.RemoteAddress), group);
    }

    private void Dial(SendRequest request, (string Host, int Port) address)
    {
        if (!request.FreshConnection && _dialling.TryGetValue(address, out var waiting))
        {
            waiting.Hold(request, Sender, _settings.MaxRequestsInFlight);
            return;
        }

        // A dial-back's ping (PROTOCOL §6) goes on a connection of its own, known by no address.
        var dialling = new Dialling(request.To, request.FreshConnection ? null : address);
        dialling.Hold(request, Sender, _settings.MaxRequestsInFlight);
        if (dialling.Address is { } known)
        {
            _dialling[known] = dialling;
        }

        Ask(dialling, group: null);
    }

    private void Ask(Asking asking, string? group)
    {
        // max-pending-admissions: what waits here for admission's answer holds a socket or requests; past the bound the
        // asking is refused at once, as admission itself would refuse it.
        if (_asking.Count >= _settings.MaxPendingAdmissions)
        {
            Refuse(asking, $"{_asking.Count} connections already wait for admission (max-pending-admissions)");
            return;
        }

        var ticket = Interlocked.Increment(ref s_lastTicket);
        long? idle = null;
        if (_idle.TryTakeIdlest(out var candidate))
        {
            asking.Idle = candidate;
            idle = _seats[candidate];
        }

        _asking[ticket] = asking;
        _admission.Tell(new AdmissionActor.Admit(ticket, asking is Dialling, group, idle));
    }

    private void OnAdmitted(AdmissionActor.Admitted admitted)
    {
        if (!_asking.Remove(admitted.Ticket, out var asking))
        {
            _admission.Tell(new AdmissionActor.Closed(admitted.Id)); // asked before a restart: nobody opens it
            return;
        }

        if (asking.Idle is { } candidate)
        {
            // Between the question and this answer the candidate may have got a request: it is closed anyway (its
            // requests fail as closed to stay within the budget), as it would have been had the answer come sooner.
            if (admitted.Evict is { } evict && _seats.TryGetValue(candidate, out var id) && id == evict)
            {
                Evict(candidate);
            }
            else
            {
                _idle.Return(candidate);
            }
        }

        switch (asking)
        {
            case Accepting accept:
                var inbound = Context.ActorOf(ConnectionActor.Inbound(accept.Tcp, accept.Remote, _credentials, _identity.Id, _listening, _settings, _handler));
                Context.Watch(inbound);
                _routes[inbound] = new Route(null, null);
                Opened(inbound, admitted.Id, busy: false);
                break;
            case Dialling dial:
                if (dial.Address is { } address && _dialling.TryGetValue(address, out var current) && current == dial)
                {
                    _dialling.Remove(address);
                }

                var outbound = Context.ActorOf(ConnectionActor.Outbound(dial.To, _credentials, _identity.Id, _listening, _settings, _handler));
                Context.Watch(outbound);
                if (dial.Address is { } byAddress)
                {
                    _byAddress[byAddress] = outbound;
                }

                _routes[outbound] = new Route(null, dial.Address);
                Opened(outbound, admitted.Id, busy: true);
                foreach (var (request, sender) in dial.Held)
                {
                    outbound.Tell(request, sender);
                }

                break;
        }
    }

    private void OnRefused(AdmissionActor.Refused refused)
    {
        if (!_asking.Remove(refused.Ticket, out var asking))
        {
            return;
        }

        if (asking.Idle is { } candidate)
        {
            _idle.Return(candidate);
        }

        Refuse(asking, refused.Reason);
    }

    private void Refuse(Asking asking, string reason)
    {
        switch (asking)
        {
            case Accepting accept:
                // Closed at once, before any TLS work.
                accept.Tcp.Tell(Tcp.Abort.Instance);
                Warn(ConnectionActor.Warnings.Budget, $"refused a connection from {accept.Remote}: {reason}");
                break;
            case Dialling dial:
                if (dial.Address is { } address && _dialling.TryGetValue(address, out var current) && current == dial)
                {
                    _dialling.Remove(address);
                }

                dial.FailAll(_identity, reason);
                break;
        }
    }

    /// <summary>The questions still open when the transport restarts or stops: their sockets are aborted, their requests fail.</summary>
    private void DropAsking(string reason)
    {
        foreach (var asking in _asking.Values)
        {
            switch (asking)
            {
                case Accepting accept:
                    accept.Tcp.Tell(Tcp.Abort.Instance);
                    break;
                case Dialling dial:
                    dial.FailAll(_identity, reason);
                    break;
            }
        }

        _asking.Clear();
        _dialling.Clear();
    }

    private void Opened(IActorRef connection, long id, bool busy)
    {
        _idle.Opened(connection, busy, Context.System.Scheduler.Now);
        _seats[connection] = id;
    }

    /// <summary>A connection closed or stopped: admission is told its room is free.</summary>
    private void Gone(IActorRef connection)
    {
        _idle.Closed(connection);
        _partialFrames.Remove(connection);
        _shedding.Remove(connection);
        if (_seats.Remove(connection, out var id))
        {
            _admission.Tell(new AdmissionActor.Closed(id));
        }
    }

    /// <summary>
    /// Closes up to <paramref name="count"/> idle connections, idle longest first, on this transport's own account
    /// (a slot lent to another node, or descriptors given back); returns how many.
    /// </summary>
    private IReadOnlyList<IActorRef> ShedIdle(int count)
    {
        var idle = _idle.TakeIdlest(count);
        if (idle.Count > 0)
        {
            _admission.Tell(new AdmissionActor.Evicting(idle.Select(connection => _seats[connection]).ToList()));
            foreach (var connection in idle)
            {
                Evict(connection);
            }
        }

        return idle;
    }

    /// <summary>
    /// Another node of the process, below its fair share of the full process budget, was lent a slot: close the
    /// connection idle longest to pay it back (none idle: the loan is repaid when a connection closes).
    /// </summary>
    private void OnShedIdle() => ShedIdle(1);

    /// <summary>Closes a connection to stay in budget: forgotten at once, so a request for its peer opens a new one.</summary>
    private void Evict(IActorRef connection)
    {
        Forget(connection);
        connection.Tell(ConnectionActor.Evict.Instance);
    }

    /// <summary>A connection waiting for admission's answer; <see cref="Idle"/>: the candidate named in the question.</summary>
    private abstract class Asking
    {
        public IActorRef? Idle { get; set; }
    }

    private sealed class Accepting(IActorRef tcp, EndPoint remote) : Asking
    {
        public IActorRef Tcp { get; } = tcp;

        public EndPoint Remote { get; } = remote;
    }

    /// <summary>A dial being asked about and the requests waiting for it.</summary>
    private sealed class Dialling(PeerAddress to, (string Host, int Port)? address) : Asking
    {
        public PeerAddress To { get; } = to;

        public (string Host, int Port)? Address { get; } = address;

        public List<(SendRequest Request, IActorRef Sender)> Held { get; } = [];

        /// <summary>Holds one request; past <paramref name="max"/> waiting, the excess fails at once, charged to nobody (our backlog).</summary>
        public void Hold(SendRequest request, IActorRef sender, int max)
        {
            if (Held.Count >= max)
            {
                request.ReplyTo.Tell(new RpcFailed(request.To, RpcFailure.ConnectionFailed, "max-requests-in-flight requests already wait for this connection to open"));
                return;
            }

            Held.Add((request, sender));
        }

        public void FailAll(NodeIdentity identity, string reason)
        {
            foreach (var (request, _) in Held)
            {
                NodeMetrics.For(identity.Id).RpcSent(request.Body.WireName, "connection_failed");
                request.ReplyTo.Tell(new RpcFailed(request.To, RpcFailure.ConnectionFailed, reason));
            }

            Held.Clear();
        }
    }
}
