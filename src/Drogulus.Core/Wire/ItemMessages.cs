using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.Core.Wire;

/// <summary>Asks the peer to hold a signed item (Kademlia STORE); answered with <c>pong</c> or an error.</summary>
/// <param name="Uuid">Request id.</param>
/// <param name="Node">The sender's node id.</param>
/// <param name="ReplyPort">The sender's listening port, 0 for none.</param>
/// <param name="Version">The sender's protocol version.</param>
/// <param name="Item">The item; the codec does not check its signature.</param>
public sealed record StoreMessage(string Uuid, Key Node, int ReplyPort, string Version, SignedItem Item)
    : Message(Uuid, Node, ReplyPort, Version)
{
    /// <inheritdoc />
    public override string WireName => WireNames.Store;

    /// <inheritdoc />
    public override bool IsRequest => true;
}

/// <summary>The reply to a <c>findvalue</c> when the peer holds a live item under the key.</summary>
/// <param name="Uuid">The request's id.</param>
/// <param name="Node">The sender's node id.</param>
/// <param name="ReplyPort">The sender's listening port, 0 for none.</param>
/// <param name="Version">The sender's protocol version.</param>
/// <param name="Item">The item held; the codec does not check its signature.</param>
public sealed record ValueMessage(string Uuid, Key Node, int ReplyPort, string Version, SignedItem Item)
    : Message(Uuid, Node, ReplyPort, Version)
{
    /// <inheritdoc />
    public override string WireName => WireNames.Value;

    /// <inheritdoc />
    public override bool IsRequest => false;
}
