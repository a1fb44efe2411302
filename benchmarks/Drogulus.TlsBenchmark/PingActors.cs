using Akka.Actor;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.TlsBenchmark;

/// <summary>Plays the node behind a transport: answers every ping with a pong, ignores the rest.</summary>
internal sealed class EchoNode : ReceiveActor
{
    public EchoNode(IActorRef ready)
    {
        Receive<TransportReady>(r => ready.Tell(r));
        Receive<InboundRequest>(inbound =>
            inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, new PongMessage("", Key.Zero, 0, ""))));
        ReceiveAny(_ => { });
    }

    public static Props Props(IActorRef ready) => Akka.Actor.Props.Create(() => new EchoNode(ready));
}

/// <summary>Keeps <c>inFlight</c> pings going through a transport until told to stop; reports the count.</summary>
internal sealed class Pinger : ReceiveActor
{
    private long _replies;
    private long _failures;
    private bool _stopping;

    public Pinger(IActorRef transport, Drogulus.Actors.Network.PeerAddress to, int inFlight)
    {
        var ping = new PingMessage("", Key.Zero, 0, "");
        Receive<Start>(_ =>
        {
            for (var i = 0; i < inFlight; i++)
            {
                transport.Tell(new SendRequest(to, ping, Self));
            }
        });
        Receive<RpcReplied>(_ =>
        {
            _replies++;
            if (!_stopping)
            {
                transport.Tell(new SendRequest(to, ping, Self));
            }
        });
        Receive<RpcFailed>(_ => _failures++);
        Receive<Stop>(_ =>
        {
            _stopping = true;
            Sender.Tell(new Counts(_replies, _failures));
        });
    }

    public static Props Props(IActorRef transport, Drogulus.Actors.Network.PeerAddress to, int inFlight) =>
        Akka.Actor.Props.Create(() => new Pinger(transport, to, inFlight));

    public sealed record Start;

    public sealed record Stop;

    public sealed record Counts(long Replies, long Failures);
}
