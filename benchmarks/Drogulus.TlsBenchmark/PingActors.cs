using Akka.Actor;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.TlsBenchmark;

/// <summary>
/// Plays the node behind a transport: answers every ping with a pong and, when it has an item, every findvalue with
/// that item (a large reply, for the memory benchmark); ignores the rest.
/// </summary>
internal sealed class EchoNode : ReceiveActor
{
    public EchoNode(IActorRef ready, Drogulus.Core.Items.SignedItem? item)
    {
        Receive<TransportReady>(r => ready.Tell(r));
        Receive<InboundRequest>(inbound =>
        {
            Message reply = inbound.Request is FindValueMessage && item is not null
                ? new ValueMessage("", Key.Zero, 0, "", item)
                : new PongMessage("", Key.Zero, 0, "");
            inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, reply));
        });
        ReceiveAny(_ => { });
    }

    public static Props Props(IActorRef ready, Drogulus.Core.Items.SignedItem? item = null) => Akka.Actor.Props.Create(() => new EchoNode(ready, item));
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
