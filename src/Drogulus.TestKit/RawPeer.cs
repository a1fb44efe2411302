using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using Drogulus.Actors.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Testing;

/// <summary>
/// A peer on a <see cref="MemoryNetwork"/> driven by hand: a TestProbe registered on the network under an id
/// of the test's choosing. It sends encoded messages (or any bytes) to a node's transport and decodes what
/// comes back, so a node under test cannot tell it from another node; it can also break every rule a node
/// can (a wrong <c>node</c> field, a forged item, a frame that does not decode). On the memory network a
/// frame is one message's msgpack payload (no netstring: the network plays the part of TLS and framing).
/// Requests from the node (its lookups, stores, pings) arrive here too; answer them with <see cref="Reply"/>.
/// Dispose it to leave the network.
/// </summary>
public sealed class RawPeer : IDisposable
{
    private readonly TestKitBase _kit;
    private readonly MemoryNetwork _network;
    private readonly List<(Message Message, IActorRef From)> _requests = new();
    private int _nextUuid;

    /// <summary>Registers a peer with id <paramref name="id"/> on <paramref name="network"/>.</summary>
    public RawPeer(TestKitBase kit, MemoryNetwork network, Key id)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(network);
        _kit = kit;
        _network = network;
        Probe = kit.CreateTestProbe();
        Id = id;
        Port = network.Register(id, Probe.Ref);
    }

    /// <summary>The probe that receives this peer's frames.</summary>
    public TestProbe Probe { get; }

    /// <summary>The id the network proves for this peer.</summary>
    public Key Id { get; }

    /// <summary>Its port on the memory network (the <c>port</c> a node learns for it).</summary>
    public int Port { get; }

    /// <summary>Where nodes reach it: <c>memory:PORT</c>.</summary>
    public string Endpoint => $"{MemoryNetwork.Host}:{Port}";

    /// <summary>The peer's simulated IP address, as the nodes it talks to see it.</summary>
    public string Address => _network.AddressOf(Port);

    /// <summary>How long each expectation waits at most for its event (real time); 60 s unless set.</summary>
    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Requests that arrived while waiting for a reply, oldest first.</summary>
    public IReadOnlyList<(Message Message, IActorRef From)> Requests => _requests;

    /// <summary>
    /// Sends <paramref name="body"/> to <paramref name="transport"/> stamped with this peer's envelope (a fresh
    /// uuid, its id unless <paramref name="claimedNode"/> is given, its port unless <paramref name="replyPort"/>
    /// is); returns the uuid used.
    /// </summary>
    public string Send(IActorRef transport, Message body, Key? claimedNode = null, int? replyPort = null) =>
        Send(transport, body, claimedNode, replyPort, dialled: false);

    /// <summary>Sends <paramref name="body"/> to <paramref name="node"/>; returns the uuid used.</summary>
    public string Send(TestNode node, Message body, Key? claimedNode = null, int? replyPort = null) =>
        Send(Transport(node), body, claimedNode, replyPort);

    /// <summary>
    /// Sends <paramref name="body"/> to <paramref name="node"/> as over a new connection this peer dialled, not one
    /// the node opened (what a dial-back's <c>ping</c> must arrive on, PROTOCOL §10); returns the uuid used.
    /// </summary>
    public string SendDialled(TestNode node, Message body) => Send(Transport(node), body, null, null, dialled: true);

    private string Send(IActorRef transport, Message body, Key? claimedNode, int? replyPort, bool dialled)
    {
        ArgumentNullException.ThrowIfNull(body);
        var uuid = $"raw-{Port}-{++_nextUuid}";
        var message = body with { Uuid = uuid, Node = claimedNode ?? Id, ReplyPort = replyPort ?? Port, Version = ProtocolVersion.Current };
        transport.Tell(new MemoryFrame(Id, Probe.Ref, MessageCodec.Encode(message), dialled));
        return uuid;
    }

    /// <summary>Sends <paramref name="payload"/> as it is: a frame that may not decode at all.</summary>
    public void SendRaw(IActorRef transport, byte[] payload) =>
        transport.Tell(new MemoryFrame(Id, Probe.Ref, payload));

    /// <summary>Sends <paramref name="payload"/> to <paramref name="node"/> as it is.</summary>
    public void SendRaw(TestNode node, byte[] payload) => SendRaw(Transport(node), payload);

    /// <summary>Answers <paramref name="request"/> (received from <paramref name="from"/>) with <paramref name="body"/>.</summary>
    public void Reply(IActorRef from, Message request, Message body)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(body);
        var message = body with { Uuid = request.Uuid, Node = Id, ReplyPort = Port, Version = ProtocolVersion.Current };
        from.Tell(new MemoryFrame(Id, Probe.Ref, MessageCodec.Encode(message)));
    }

    /// <summary>The next frame, decoded; fails the test when it does not decode.</summary>
    public (Message Message, IActorRef From) Receive()
    {
        var frame = Probe.ExpectMsg<MemoryFrame>(Wait);
        var decoded = MessageCodec.Decode(frame.Payload);
        if (!decoded.IsSuccess)
        {
            throw _kit.Failure($"a frame from {frame.FromId.ToShortString()} does not decode: {decoded}");
        }

        return (decoded.Message!, frame.FromTransport);
    }

    /// <summary>The next reply, whatever its uuid (the answer to a frame that did not decode has none); requests meanwhile are kept.</summary>
    public Message ExpectAnyReply()
    {
        while (true)
        {
            var (message, from) = Receive();
            if (!message.IsRequest)
            {
                return message;
            }

            _requests.Add((message, from));
        }
    }

    /// <summary>The reply to <paramref name="uuid"/>; requests arriving meanwhile are kept in <see cref="Requests"/>.</summary>
    public Message ExpectReply(string uuid)
    {
        var reply = ExpectAnyReply();
        if (reply.Uuid != uuid)
        {
            throw _kit.Failure($"expected the reply to {uuid}, got {reply}");
        }

        return reply;
    }

    /// <summary>The reply to <paramref name="uuid"/>, which must be of type <typeparamref name="T"/>.</summary>
    public T ExpectReply<T>(string uuid)
        where T : Message => Is<T>(ExpectReply(uuid));

    /// <summary>The reply to <paramref name="uuid"/>, which must be an error with code <paramref name="code"/>.</summary>
    public ErrorMessage ExpectError(string uuid, ErrorCode code)
    {
        var error = ExpectReply<ErrorMessage>(uuid);
        if (error.Code != code)
        {
            throw _kit.Failure($"expected error {(int)code} ({ErrorCodes.Title(code)}), got {(int)error.Code} {error.Title}");
        }

        return error;
    }

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
            if (!message.IsRequest)
            {
                throw _kit.Failure($"expected a {typeof(T).Name} request, got the reply {message}");
            }

            if (message is T wanted)
            {
                return (wanted, from);
            }

            _requests.Add((message, from));
        }
    }

    /// <summary>Fails the test if a frame arrives within <paramref name="within"/> (<see cref="VirtualTime.Quiet"/> by default).</summary>
    public void ExpectNoFrame(TimeSpan? within = null) => Probe.ExpectNoMsg(within ?? VirtualTime.Quiet);

    /// <summary>Pings <paramref name="transport"/> and expects pong, so that the node knows this peer as a contact.</summary>
    public void Introduce(IActorRef transport) => ExpectReply<PongMessage>(Send(transport, new PingMessage("", default, 0, "")));

    /// <summary>Pings <paramref name="node"/> and expects pong, so that the node knows this peer as a contact.</summary>
    public void Introduce(TestNode node) => Introduce(Transport(node));

    /// <summary><c>ping</c>: the node's reply (pong, or an error such as Busy or blacklisted).</summary>
    public Message Ping(TestNode node) => ExpectReply(Send(node, new PingMessage("", default, 0, "")));

    /// <summary><c>store</c> of <paramref name="item"/>, which may be forged, expired or too big: pong or an error.</summary>
    public Message Store(TestNode node, SignedItem item) => ExpectReply(Send(node, new StoreMessage("", default, 0, "", item)));

    /// <summary><c>findnode</c>: the node's <c>nodes</c> answer (or an error).</summary>
    public Message FindNode(TestNode node, Key target) => ExpectReply(Send(node, new FindNodeMessage("", default, 0, "", target)));

    /// <summary><c>findvalue</c>: <c>value</c> when the node holds the item, <c>nodes</c> otherwise (or an error).</summary>
    public Message FindValue(TestNode node, Key key) => ExpectReply(Send(node, new FindValueMessage("", default, 0, "", key)));

    /// <summary>Leaves the network: nodes that send to this peer's port get a connection failure.</summary>
    public void Dispose() => _network.Unregister(Port);

    /// <inheritdoc />
    public override string ToString() => $"RawPeer({Id.ToShortString()} at {Endpoint})";

    private static IActorRef Transport(TestNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Transport;
    }

    private T Is<T>(Message message)
        where T : Message
    {
        if (message is T wanted)
        {
            return wanted;
        }

        throw _kit.Failure($"expected {typeof(T).Name}, got {message}");
    }
}
