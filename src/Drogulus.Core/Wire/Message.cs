using Drogulus.Core.Identity;

namespace Drogulus.Core.Wire;

/// <summary>
/// A peer-to-peer message (PROTOCOL §4). Every message carries the common fields; the concrete record
/// gives the body. Encode and decode with <see cref="MessageCodec"/>.
/// </summary>
/// <param name="Uuid">Request id chosen by the requester; a reply echoes it.</param>
/// <param name="Node">The sender's node id.</param>
/// <param name="ReplyPort">Port on which the sender accepts connections, 0..65535; 0 = it accepts none.</param>
/// <param name="Version">The sender's protocol version, normally <see cref="ProtocolVersion.Current"/>.</param>
public abstract record Message(string Uuid, Key Node, int ReplyPort, string Version)
{
    /// <summary>The value of the wire field <c>message</c>, e.g. <c>"findnode"</c>.</summary>
    public abstract string WireName { get; }

    /// <summary>True for requests (<c>ping</c>, <c>store</c>, <c>findnode</c>, <c>findvalue</c>, <c>dialback</c>), false for replies.</summary>
    public abstract bool IsRequest { get; }

    /// <summary>
    /// Replies only (PROTOCOL §4): the requester's address and port as the responder's connection saw them; null
    /// when the reply did not carry it. The codec writes it on replies and never on requests.
    /// </summary>
    public SeenAddress? Seen { get; init; }
}

/// <summary>Asks whether the peer is alive; answered with <see cref="PongMessage"/>.</summary>
/// <param name="Uuid">Request id.</param>
/// <param name="Node">The sender's node id.</param>
/// <param name="ReplyPort">The sender's listening port, 0 for none.</param>
/// <param name="Version">The sender's protocol version.</param>
public sealed record PingMessage(string Uuid, Key Node, int ReplyPort, string Version)
    : Message(Uuid, Node, ReplyPort, Version)
{
    /// <summary>
    /// Set only on the ping a dial-back sends (PROTOCOL §4, §10): the nonce of the <c>dialback</c> it answers.
    /// Any other ping has none, and a ping whose nonce the receiver did not issue is a plain ping.
    /// </summary>
    public DialbackNonce? Nonce { get; init; }

    /// <inheritdoc />
    public override string WireName => WireNames.Ping;

    /// <inheritdoc />
    public override bool IsRequest => true;
}

/// <summary>The reply to a <c>ping</c> and to a successful <c>store</c>.</summary>
/// <param name="Uuid">The request's id.</param>
/// <param name="Node">The sender's node id.</param>
/// <param name="ReplyPort">The sender's listening port, 0 for none.</param>
/// <param name="Version">The sender's protocol version.</param>
public sealed record PongMessage(string Uuid, Key Node, int ReplyPort, string Version)
    : Message(Uuid, Node, ReplyPort, Version)
{
    /// <inheritdoc />
    public override string WireName => WireNames.Pong;

    /// <inheritdoc />
    public override bool IsRequest => false;
}

/// <summary>Asks for the k contacts closest to <paramref name="Target"/> (Kademlia FIND_NODE); wire field <c>key</c>.</summary>
/// <param name="Uuid">Request id.</param>
/// <param name="Node">The sender's node id.</param>
/// <param name="ReplyPort">The sender's listening port, 0 for none.</param>
/// <param name="Version">The sender's protocol version.</param>
/// <param name="Target">The id whose neighbours are wanted.</param>
public sealed record FindNodeMessage(string Uuid, Key Node, int ReplyPort, string Version, Key Target)
    : Message(Uuid, Node, ReplyPort, Version)
{
    /// <inheritdoc />
    public override string WireName => WireNames.FindNode;

    /// <inheritdoc />
    public override bool IsRequest => true;
}

/// <summary>Asks for the item held under <paramref name="Key"/> (Kademlia FIND_VALUE).</summary>
/// <param name="Uuid">Request id.</param>
/// <param name="Node">The sender's node id.</param>
/// <param name="ReplyPort">The sender's listening port, 0 for none.</param>
/// <param name="Version">The sender's protocol version.</param>
/// <param name="Key">The item key wanted.</param>
public sealed record FindValueMessage(string Uuid, Key Node, int ReplyPort, string Version, Key Key)
    : Message(Uuid, Node, ReplyPort, Version)
{
    /// <inheritdoc />
    public override string WireName => WireNames.FindValue;

    /// <inheritdoc />
    public override bool IsRequest => true;
}

/// <summary>
/// Asks the peer to test whether the sender can be dialled (PROTOCOL §4, §6, §10): the peer opens a new
/// connection to the sender's observed IP address at <paramref name="Port"/> and pings it with
/// <paramref name="Nonce"/>; answered with <c>pong</c> or error 12 (Unreachable).
/// </summary>
/// <param name="Uuid">Request id.</param>
/// <param name="Node">The sender's node id.</param>
/// <param name="ReplyPort">The sender's listening port, 0 for none.</param>
/// <param name="Version">The sender's protocol version.</param>
/// <param name="Port">The port to dial, 1..65535.</param>
/// <param name="Nonce">The nonce the dial-back ping carries.</param>
public sealed record DialbackMessage(string Uuid, Key Node, int ReplyPort, string Version, int Port, DialbackNonce Nonce)
    : Message(Uuid, Node, ReplyPort, Version)
{
    /// <inheritdoc />
    public override string WireName => WireNames.Dialback;

    /// <inheritdoc />
    public override bool IsRequest => true;
}
