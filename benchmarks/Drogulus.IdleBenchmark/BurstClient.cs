using Akka.Actor;
using Drogulus.Actors.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.IdleBenchmark;

/// <summary>
/// One connection of the burst: keeps <c>inFlight</c> findvalue requests for random keys going to the target
/// over its own TLS transport until <c>total</c> have been answered, then tells <c>done</c> how they ended.
/// </summary>
internal sealed class BurstClient : ReceiveActor
{
    public BurstClient(IActorRef transport, PeerAddress target, int inFlight, int total, IActorRef done, int seed)
    {
        var random = new Random(seed);
        var sent = 0;
        var answered = 0;
        var failed = 0;
        void SendOne()
        {
            var key = new byte[Key.Length];
            random.NextBytes(key);
            transport.Tell(new SendRequest(target, new FindValueMessage("", default, 0, "", new Key(key)), Self));
            sent++;
        }

        Receive<Start>(_ =>
        {
            for (var i = 0; i < Math.Min(inFlight, total); i++)
            {
                SendOne();
            }
        });
        Receive<IRpcOutcome>(outcome =>
        {
            answered++;
            if (outcome is not RpcReplied { Reply: NodesMessage or ValueMessage })
            {
                failed++;
            }

            if (sent < total)
            {
                SendOne();
            }
            else if (answered == total)
            {
                done.Tell(new Finished(answered, failed));
            }
        });
    }

    public static Props Props(IActorRef transport, PeerAddress target, int inFlight, int total, IActorRef done, int seed) =>
        Akka.Actor.Props.Create(() => new BurstClient(transport, target, inFlight, total, done, seed));

    public sealed record Start;

    public sealed record Finished(int Answered, int Failed);
}

/// <summary>
/// Plays the node behind a client transport, so that the target's own requests to it (a ping of a new contact)
/// are answered: pong to ping and store, an empty <c>nodes</c> to findnode and findvalue.
/// </summary>
internal sealed class Responder : ReceiveActor
{
    public Responder()
    {
        Receive<InboundRequest>(inbound =>
        {
            Message reply = inbound.Request is FindNodeMessage or FindValueMessage
                ? new NodesMessage("", Key.Zero, 0, "", [])
                : new PongMessage("", Key.Zero, 0, "");
            inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, reply));
        });
        ReceiveAny(_ => { });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new Responder());
}
