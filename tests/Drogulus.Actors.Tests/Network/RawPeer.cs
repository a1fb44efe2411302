using Akka.Actor;
using Akka.TestKit;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Network;

/// <summary>
/// A peer on a <see cref="MemoryNetwork"/> driven by hand: a TestProbe registered as a transport, which
/// sends encoded frames to a node's transport and decodes the frames it gets back. It speaks the wire
/// protocol only, so a node under test cannot tell it from another node.
/// </summary>
internal sealed class RawPeer
{
    private readonly List<(Message Message, IActorRef From)> _requests = new();
    private int _nextUuid;

    public RawPeer(TestKitBase kit, MemoryNetwork network, Key id)
    {
        Probe = kit.CreateTestProbe();
        Id = id;
        Port = network.Register(id, Probe.Ref);
    }

    public TestProbe Probe { get; }

    public Key Id { get; }

    public int Port { get; }

    /// <summary>Requests that arrived while waiting for a reply, oldest first.</summary>
    public IReadOnlyList<(Message Message, IActorRef From)> Requests => _requests;

    /// <summary>Sends <paramref name="body"/> stamped with this peer's envelope; returns the uuid used.</summary>
    public string Send(IActorRef transport, Message body, Key? claimedNode = null, int? replyPort = null)
    {
        var uuid = $"raw-{Port}-{++_nextUuid}";
        var message = body with { Uuid = uuid, Node = claimedNode ?? Id, ReplyPort = replyPort ?? Port, Version = ProtocolVersion.Current };
        SendRaw(transport, MessageCodec.Encode(message));
        return uuid;
    }

    public void SendRaw(IActorRef transport, byte[] payload) =>
        transport.Tell(new MemoryTransportActor.Frame(Id, Probe.Ref, payload));

    /// <summary>Answers <paramref name="request"/> (received from <paramref name="from"/>) with <paramref name="body"/>.</summary>
    public void Reply(IActorRef from, Message request, Message body)
    {
        var message = body with { Uuid = request.Uuid, Node = Id, ReplyPort = Port, Version = ProtocolVersion.Current };
        from.Tell(new MemoryTransportActor.Frame(Id, Probe.Ref, MessageCodec.Encode(message)));
    }

    /// <summary>The next frame, decoded; fails the test when it does not decode.</summary>
    public (Message Message, IActorRef From) Receive()
    {
        var frame = Probe.ExpectMsg<MemoryTransportActor.Frame>();
        var decoded = MessageCodec.Decode(frame.Payload);
        Assert.True(decoded.IsSuccess, decoded.ToString());
        return (decoded.Message!, frame.FromTransport);
    }

    /// <summary>The reply to <paramref name="uuid"/>; requests arriving meanwhile are kept in <see cref="Requests"/>.</summary>
    public Message ExpectReply(string uuid)
    {
        while (true)
        {
            var (message, from) = Receive();
            if (message.IsRequest)
            {
                _requests.Add((message, from));
                continue;
            }

            Assert.Equal(uuid, message.Uuid);
            return message;
        }
    }

    /// <summary>The reply to <paramref name="uuid"/>, which must be of type <typeparamref name="T"/>.</summary>
    public T ExpectReply<T>(string uuid)
        where T : Message => Assert.IsType<T>(ExpectReply(uuid));

    /// <summary>The next request of type <typeparamref name="T"/>, kept or new; other requests are kept.</summary>
    public (T Message, IActorRef From) ExpectRequest<T>()
        where T : Message
    {
        var index = _requests.FindIndex(r => r.Message is T);
        if (index >= 0)
        {
            var kept = _requests[index];
            _requests.RemoveAt(index);
            return ((T)kept.Message, kept.From);
        }

        while (true)
        {
            var (message, from) = Receive();
            Assert.True(message.IsRequest, $"expected a {typeof(T).Name} request, got the reply {message}");
            if (message is T wanted)
            {
                return (wanted, from);
            }

            _requests.Add((message, from));
        }
    }

    /// <summary>Pings <paramref name="transport"/> and expects pong, so that the node knows this peer as a contact.</summary>
    public void Introduce(IActorRef transport)
    {
        var uuid = Send(transport, new PingMessage("", default, 0, ""));
        ExpectReply<PongMessage>(uuid);
    }
}

/// <summary>A node under test on a memory network, with the transport that raw peers talk to.</summary>
internal sealed record NodeUnderTest(IActorRef Node, Key Id, IActorRef Transport, int Port)
{
    /// <summary>Starts a node and waits until it is ready (its status answered).</summary>
    public static NodeUnderTest Start(TestKitBase kit, MemoryNetwork network, DrogulusSettings settings, string name = "node", int seed = 1)
    {
        var identity = NodeIdentity.Generate(kit.Sys.Scheduler.Now);
        var node = kit.Sys.ActorOf(NodeActor.Props(settings, identity, network, seed: seed), name);
        var status = Status(kit, node);
        var port = int.Parse(status.Endpoint[(status.Endpoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(network.TryResolve(MemoryNetwork.Host, port, out var id, out var transport));
        Assert.Equal(identity.Id, id);
        return new NodeUnderTest(node, id, transport, port);
    }

    public static NodeStatus Status(TestKitBase kit, IActorRef node)
    {
        var probe = kit.CreateTestProbe();
        node.Tell(GetNodeStatus.Instance, probe.Ref);
        return probe.ExpectMsg<NodeStatus>();
    }

    public NodeStatus Status(TestKitBase kit) => Status(kit, Node);
}
