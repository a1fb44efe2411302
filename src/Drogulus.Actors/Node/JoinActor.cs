using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Lookup;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;
using Drogulus.Core.Lookup;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Node;

/// <summary>
/// One join (PROTOCOL §10; the paper's §2.3 "joining the network"): ping every seed, look up the node's
/// own id through those that answered, then refresh every bucket farther away than the closest
/// neighbour. A seed that does not answer (timeout, connection failure, Busy) is pinged again after
/// <c>join.retry-delay</c> (doubling with each attempt), up to <c>join.seed-attempts</c> pings, so that a join storm on one seed converges.
/// Fails when no seed answers, and when the whole join has not finished within <c>join.timeout</c>
/// (PROTOCOL §5: no wait without a bound; a lost routing-table reply must not leave the caller waiting).
/// Replies once and stops. Its lookups are its own
/// <see cref="LookupActor"/> children, stopped (never restarted) if they fail.
/// </summary>
internal sealed class JoinActor : ReceiveActor, IWithTimers
{
    private readonly IReadOnlyList<PeerAddress> _seeds;
    private readonly IActorRef _replyTo;
    private readonly Key _ownId;
    private readonly DrogulusSettings _settings;
    private readonly IActorRef _routing;
    private readonly IActorRef _transport;
    private readonly List<Contact> _answered = new();
    private int _answeredAsClients;
    private readonly Dictionary<PeerAddress, int> _attempts = new();
    private int _pendingPings;
    private int _pendingRefreshes;
    private bool _replied;
    private string _stage = "pinging the seeds";

    public JoinActor(IReadOnlyList<PeerAddress> seeds, IActorRef replyTo, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef transport)
    {
        _seeds = seeds;
        _replyTo = replyTo;
        _ownId = ownId;
        _settings = settings;
        _routing = routing;
        _transport = transport;
        Receive<RpcReplied>(OnPingReplied);
        Receive<RpcFailed>(failed => RetryOrGiveUp(failed.To));
        Receive<RetrySeed>(retry => Ping(retry.Seed));
        ReceiveDeadline();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyList<PeerAddress> seeds, IActorRef replyTo, Key ownId, DrogulusSettings settings, IActorRef routing, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new JoinActor(seeds, replyTo, ownId, settings, routing, transport));

    /// <summary>Parses <c>host:port</c> and <c>&lt;id hex&gt;@host:port</c> seeds; null with a reason when one is malformed.</summary>
    public static bool TryParseSeed(string? seed, out PeerAddress? address, out string error)
    {
        address = null;
        error = "";
        if (string.IsNullOrWhiteSpace(seed))
        {
            error = "a seed is empty";
            return false;
        }

        Key? id = null;
        var text = seed.Trim();
        var at = text.IndexOf('@');
        if (at >= 0)
        {
            if (!Key.TryParse(text[..at], out var parsed))
            {
                error = $"seed '{seed}': the node id is not 128 hexadecimal digits";
                return false;
            }

            id = parsed;
            text = text[(at + 1)..];
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out var port) || port is < 1 or > 65535)
        {
            error = $"seed '{seed}' is not host:port";
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        address = new PeerAddress(host, port, id);
        return true;
    }

    // A failing lookup child is stopped, never restarted (a restart would send its RPCs again and answer twice).
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    protected override void PreStart()
    {
        // PROTOCOL §6: until the join lookup completes, inbound traffic adds no contact to an empty table.
        _routing.Tell(new RoutingTableActor.JoinLookup(Completed: false));
        Timers.StartSingleTimer(DeadlineKey, Deadline.Instance, _settings.JoinTimeout);
        _pendingPings = _seeds.Count;
        foreach (var seed in _seeds)
        {
            Ping(seed);
        }
    }

    private void Ping(PeerAddress seed) => _transport.Tell(new SendRequest(seed, new PingMessage("", default, 0, ""), Self));

    private void RetryOrGiveUp(PeerAddress seed)
    {
        var attempts = _attempts.GetValueOrDefault(seed, 1);
        if (attempts < _settings.JoinSeedAttempts)
        {
            // The wait doubles with each attempt (issue 9): a seed swamped by a join storm gets longer to catch up.
            _attempts[seed] = attempts + 1;
            Timers.StartSingleTimer(seed, new RetrySeed(seed), _settings.JoinRetryDelay * (1 << Math.Min(attempts - 1, 16)));
            return;
        }

        PingDone();
    }

    private void OnPingReplied(RpcReplied replied)
    {
        if (replied.Reply is ErrorMessage { Code: ErrorCode.Busy })
        {
            // PROTOCOL §5: Busy is no misbehaviour; the seed is asked again later.
            RetryOrGiveUp(replied.To);
            return;
        }

        if (replied.Reply is PongMessage && replied.Peer.Id != _ownId && replied.Peer.ToContact(Context.System.Scheduler.Now) is { } contact)
        {
            _answered.Add(contact);
            _routing.Tell(new RoutingTableActor.AddContact(contact));
        }
        else if (replied.Reply is PongMessage && replied.Peer.Id != _ownId)
        {
            // PROTOCOL §10 reachability: a client (reply_port 0) is never added to a table, so it cannot be a seed.
            _answeredAsClients++;
        }
        else if (replied.Reply is not (PongMessage or ErrorMessage))
        {
            // PROTOCOL §7: a reply of the wrong type blacklists the responder.
            _routing.Tell(new RoutingTableActor.BlacklistPeer(replied.Peer.Id, "answered a ping with " + replied.Reply.WireName));
        }

        PingDone();
    }

    private void PingDone()
    {
        if (--_pendingPings > 0)
        {
            return;
        }

        if (_answered.Count == 0)
        {
            // An operator whose seed runs is told why it still cannot be joined (an auto node starts as a client).
            Finish(new JoinFailed(_answeredAsClients == 0 ? "no seed answered"
                : "no seed answered as a server: every seed that answered is a client (reply_port 0), which no routing table holds; run a seed with reachability = server"));
            return;
        }

        Become(LookingUpSelf);
        _stage = "looking up its own id";
        var request = new LookupActor.Request(LookupKind.FindNode, _ownId, _answered);
        Context.ActorOf(LookupActor.Props(request, _ownId, _settings, _routing, _transport), "self-lookup");
    }

    private void LookingUpSelf()
    {
        Receive<LookupActor.Result>(_ =>
        {
            _routing.Tell(new RoutingTableActor.JoinLookup(Completed: true));
            _stage = "asking its routing table which buckets to refresh";
            _routing.Tell(new RoutingTableActor.GetRefreshTargets(BeyondClosestNeighbour: true));
        });
        Receive<RoutingTableActor.RefreshTargets>(OnRefreshTargets);
        ReceiveDeadline();
    }

    private void OnRefreshTargets(RoutingTableActor.RefreshTargets targets)
    {
        Become(Refreshing);
        _stage = "refreshing its buckets";
        _pendingRefreshes = targets.Targets.Count;
        foreach (var target in targets.Targets)
        {
            var request = new LookupActor.Request(LookupKind.FindNode, target, []);
            Context.ActorOf(LookupActor.Props(request, _ownId, _settings, _routing, _transport));
        }

        RefreshDone(0);
    }

    private void Refreshing()
    {
        Receive<LookupActor.Result>(_ => RefreshDone(1));
        Receive<RoutingTableActor.RoutingStatus>(status => Finish(new Joined(status.Contacts)));
        ReceiveDeadline();
    }

    // Every state ends at the deadline; stopping this actor stops its lookups with it.
    private void ReceiveDeadline() =>
        Receive<Deadline>(_ => Finish(new JoinFailed(string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"the join did not finish within join.timeout ({_settings.JoinTimeout.TotalSeconds:0.###} s) while {_stage}"))));

    private void RefreshDone(int finished)
    {
        _pendingRefreshes -= finished;
        if (_pendingRefreshes == 0)
        {
            _routing.Tell(RoutingTableActor.GetRoutingStatus.Instance);
        }
    }

    private void Finish(IJoinReply reply)
    {
        // A join that failed leaves a node alone, as if it had no seeds: it counts as joined (PROTOCOL §6).
        _routing.Tell(new RoutingTableActor.JoinLookup(Completed: true));
        _replied = true;
        _replyTo.Tell(reply);
        if (reply is Joined)
        {
            // PROTOCOL §10: an auto node tests its reachability at join.
            Context.Parent.Tell(Reachability.ReachabilityActor.JoinCompleted.Instance);
        }

        Context.Stop(Self);
    }

    // Stopped before it answered (a failure, or its node stopping): the requester still gets one answer.
    protected override void PostStop()
    {
        if (!_replied)
        {
            _replied = true;
            _routing.Tell(new RoutingTableActor.JoinLookup(Completed: true));
            _replyTo.Tell(new JoinFailed("the join was aborted"));
        }
    }

    private sealed record RetrySeed(PeerAddress Seed);

    private sealed record Deadline
    {
        public static readonly Deadline Instance = new();
    }

    private const string DeadlineKey = "join-deadline";
}
