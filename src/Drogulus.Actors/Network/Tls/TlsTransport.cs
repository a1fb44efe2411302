using Akka.Actor;
using Drogulus.Actors.Configuration;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The real peer transport (PROTOCOL §4, §5): TCP through Akka.IO, TLS 1.3 with mutual authentication by
/// the node's certificate, netstring frames of msgpack messages. The node listens on
/// <c>drogulus.listen.host</c>/<c>port</c> and keeps one two-way connection per peer.
/// </summary>
public sealed class TlsTransport : ITransportFactory
{
    /// <inheritdoc />
    public Props Props(NodeIdentity identity, DrogulusSettings settings, IActorRef node, IActorRef inbound)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(inbound);
        return TlsTransportActor.Props(identity, settings, node, inbound);
    }
}
