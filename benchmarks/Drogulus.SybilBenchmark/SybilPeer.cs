using Akka.Actor;
using Drogulus.Actors.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;

namespace Drogulus.SybilBenchmark;

/// <summary>
/// One Sybil of an eclipse attacker on the memory network: it answers <c>findnode</c> and <c>findvalue</c>
/// with the Sybils closest to the key (never the value), answers <c>store</c> with <c>pong</c> and drops the
/// item, answers pings, and on <see cref="Announce"/> pings honest nodes so that they add it to their tables.
/// </summary>
internal sealed class SybilPeer : ReceiveActor
{
    private readonly Key _id;
    private readonly SybilCluster _cluster;
    private int _nextUuid;

    public SybilPeer(Key id, SybilCluster cluster)
    {
        _id = id;
        _cluster = cluster;
        Receive<MemoryFrame>(OnFrame);
        Receive<Announce>(announce =>
        {
            foreach (var transport in announce.To)
            {
                Send(transport, new PingMessage($"s{++_nextUuid}", _id, 0, ""));
            }
        });
    }

    public static Props Props(Key id, SybilCluster cluster) => Akka.Actor.Props.Create(() => new SybilPeer(id, cluster));

    private void OnFrame(MemoryFrame frame)
    {
        var decoded = MessageCodec.Decode(frame.Payload);
        if (!decoded.IsSuccess || !decoded.Message.IsRequest)
        {
            return; // answers to its own pings
        }

        var request = decoded.Message;
        Message reply = request switch
        {
            FindNodeMessage find => Nodes(find.Target),
            FindValueMessage find => Nodes(find.Key),
            _ => new PongMessage("", default, 0, ""),
        };
        Send(frame.FromTransport, reply with { Uuid = request.Uuid });
    }

    private NodesMessage Nodes(Key key) => new("", default, 0, "", _cluster.Closest(key, _id));

    private void Send(IActorRef to, Message message) =>
        to.Tell(new MemoryFrame(_id, Self, MessageCodec.Encode(message with { Node = _id, ReplyPort = _cluster.PortOf(_id), Version = ProtocolVersion.Current })));

    /// <summary>Ping these honest transports.</summary>
    public sealed record Announce(IReadOnlyList<IActorRef> To);
}
