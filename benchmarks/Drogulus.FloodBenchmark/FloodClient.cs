using Akka.Actor;
using Drogulus.Actors.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// One attacker: keeps <c>inFlight</c> requests made by <c>next</c> going to the target through its own TLS
/// transport until told to stop, and counts the outcomes (pong, value, nodes, each error code, failures).
/// </summary>
internal sealed class FloodClient : ReceiveActor
{
    private readonly Dictionary<string, long> _outcomes = new(StringComparer.Ordinal);
    private long _sent;
    private bool _stopping;

    public FloodClient(IActorRef transport, PeerAddress target, int inFlight, Func<long, Message> next)
    {
        void SendOne() => transport.Tell(new SendRequest(target, next(_sent++), Self));
        Receive<Start>(_ =>
        {
            for (var i = 0; i < inFlight; i++)
            {
                SendOne();
            }
        });
        Receive<IRpcOutcome>(outcome =>
        {
            var kind = outcome switch
            {
                RpcReplied { Reply: ErrorMessage error } => $"error {(int)error.Code}",
                RpcReplied replied => replied.Reply.WireName,
                RpcFailed failed => $"failed ({failed.Failure})",
                _ => "other",
            };
            _outcomes[kind] = _outcomes.GetValueOrDefault(kind) + 1;
            if (!_stopping)
            {
                SendOne();
            }
        });
        Receive<Stop>(_ =>
        {
            _stopping = true;
            Sender.Tell(new Counts(_sent, new Dictionary<string, long>(_outcomes)));
        });
    }

    public static Props Props(IActorRef transport, PeerAddress target, int inFlight, Func<long, Message> next) =>
        Akka.Actor.Props.Create(() => new FloodClient(transport, target, inFlight, next));

    public sealed record Start;

    public sealed record Stop;

    public sealed record Counts(long Sent, IReadOnlyDictionary<string, long> Outcomes);
}

/// <summary>
/// Plays the node behind a client transport, so that the target's own requests to it (hand-over stores,
/// probes) are answered: pong to ping and store, an empty <c>nodes</c> to findnode and findvalue. An observer,
/// when given, sees every request first (the store-fill attack counts the junk the target pushes to anyone).
/// </summary>
internal sealed class Responder : ReceiveActor
{
    public Responder(Action<InboundRequest>? observe)
    {
        Receive<InboundRequest>(inbound =>
        {
            observe?.Invoke(inbound);
            Message reply = inbound.Request is FindNodeMessage or FindValueMessage
                ? new NodesMessage("", Key.Zero, 0, "", [])
                : new PongMessage("", Key.Zero, 0, "");
            inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, reply));
        });
        ReceiveAny(_ => { });
    }

    public static Props Props(Action<InboundRequest>? observe = null) => Akka.Actor.Props.Create(() => new Responder(observe));
}
