using Akka.Actor;
using Akka.Event;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Network;

/// <summary>Where a peer is reached; <see cref="ExpectedId"/> pins its identity when known (PROTOCOL §5).</summary>
/// <param name="Host">IP address or host name.</param>
/// <param name="Port">The peer's reply port.</param>
/// <param name="ExpectedId">The id the peer must prove, or null for a seed dialled without one.</param>
public sealed record PeerAddress(string Host, int Port, Key? ExpectedId)
{
    /// <summary>The address of a routing-table contact, its id pinned.</summary>
    public static PeerAddress Of(Contact contact) => new(contact.Address, contact.Port, contact.Id);

    /// <inheritdoc />
    public override string ToString() => ExpectedId is { } id ? $"{id.ToShortString()}@{Host}:{Port}" : $"{Host}:{Port}";
}

/// <summary>A peer as the transport proved it: its id from the TLS identity and its IP address.</summary>
/// <param name="Id">The proven node id.</param>
/// <param name="Address">The peer's IP address as text.</param>
/// <param name="ReplyPort">The <c>reply_port</c> the peer announced; 0 if it accepts no connections.</param>
/// <param name="Version">The protocol version the peer spoke.</param>
public sealed record PeerInfo(Key Id, string Address, int ReplyPort, string Version)
{
    /// <summary>The routing-table contact for this peer, or null when it accepts no connections.</summary>
    public Contact? ToContact(DateTimeOffset now) =>
        ReplyPort > 0 ? new Contact(Id, Address, ReplyPort, Version, now) : null;
}

/// <summary>
/// The seam between the node's actors and a peer transport (in-memory or TLS). The transport stamps the
/// envelope (<c>uuid</c>, <c>node</c>, <c>reply_port</c>, <c>version</c>) on everything it sends, matches
/// replies to requests by uuid and times each request out with a scheduled message.
/// </summary>
public static class TransportProtocol
{
    /// <summary>
    /// Sends <paramref name="Body"/> as a request. <paramref name="ReplyTo"/> gets exactly one
    /// <see cref="IRpcOutcome"/>: <see cref="RpcReplied"/> (an <c>error</c> reply included) or <see cref="RpcFailed"/>.
    /// </summary>
    /// <param name="To">Where the request goes.</param>
    /// <param name="Body">The request; the transport stamps its envelope.</param>
    /// <param name="ReplyTo">Gets the one outcome.</param>
    /// <param name="FreshConnection">
    /// Open a new connection even when one to the peer is open (a dial-back's ping, PROTOCOL §6: only a new
    /// connection shows that the peer can be dialled).
    /// </param>
    public sealed record SendRequest(PeerAddress To, Message Body, IActorRef ReplyTo, bool FreshConnection = false);

    /// <summary>
    /// The outcome of one <see cref="SendRequest"/>. Outcomes that arrive after a lookup finished are
    /// expected, so they are not logged as dead letters.
    /// </summary>
    public interface IRpcOutcome
    {
        /// <summary>Whom the request went to.</summary>
        PeerAddress To { get; }
    }

    /// <summary>The peer answered (possibly with an <see cref="ErrorMessage"/>).</summary>
    public sealed record RpcReplied(PeerAddress To, PeerInfo Peer, Message Reply) : IRpcOutcome, IDeadLetterSuppression;

    /// <summary>How a request failed without a reply.</summary>
    public enum RpcFailure
    {
        /// <summary>No reply within <c>request-timeout</c>.</summary>
        Timeout,

        /// <summary>Connect, handshake or identity check failed, or the connection closed while pending.</summary>
        ConnectionFailed,
    }

    /// <summary>The request got no reply.</summary>
    public sealed record RpcFailed(PeerAddress To, RpcFailure Failure, string Reason) : IRpcOutcome, IDeadLetterSuppression;

    /// <summary>
    /// Sent by the transport to its inbound handler (the routing table) for every <see cref="RpcFailed"/> to a
    /// pinned contact, so that the failure counts against the contact (PROTOCOL §7) even when the requester
    /// has already stopped. <paramref name="At"/> is the address that was dialled: the routing table charges the
    /// failure only when it is the contact's recorded address (PROTOCOL §7, fair blame); null charges the id.
    /// </summary>
    public sealed record PeerFailed(Key Id, PeerAddress? At = null);

    /// <summary>
    /// A request from a peer, sent by the connection straight to the transport's inbound handler (the
    /// routing table). Answer it by telling <paramref name="Connection"/> a <see cref="SendReply"/>.
    /// <paramref name="Abandoned"/> is cancelled when the connection closed before the answer: the request
    /// is then not processed (PROTOCOL §5, backpressure).
    /// </summary>
    /// <param name="From">The proven peer.</param>
    /// <param name="Request">The request.</param>
    /// <param name="Connection">Where the answer goes.</param>
    /// <param name="Abandoned">Cancelled when the connection closed before the answer.</param>
    /// <param name="FromAcceptedConnection">
    /// The request came on a connection the peer dialled (this node accepted it): only then can a dial-back's
    /// ping prove that this node can be dialled (PROTOCOL §10).
    /// </param>
    public sealed record InboundRequest(PeerInfo From, Message Request, IActorRef Connection, CancellationToken Abandoned = default, bool FromAcceptedConnection = false)
    {
        /// <summary>Whether the request came over the in-process <see cref="MemoryNetwork"/>, whose peers are not rate limited.</summary>
        public bool InProcess { get; init; }
    }


    /// <summary>
    /// Tells the transport whether to send its listening port as <c>reply_port</c> (a server) or 0 (a client,
    /// PROTOCOL §10). The node sends it before it uses the network and whenever an <c>auto</c> node changes mode.
    /// </summary>
    public sealed record AdvertisePort(bool Advertise);

    /// <summary>
    /// A reply from a peer arrived (sent to the inbound handler so the routing table sees the peer), with the
    /// reply's <c>seen</c> field: where the peer saw this node (PROTOCOL §4, §10), when it said.
    /// </summary>
    public sealed record PeerSeen(PeerInfo Peer, SeenAddress? Seen = null);

    /// <summary>Answers the request <paramref name="InReplyTo"/>; closes the connection after it when asked.</summary>
    public sealed record SendReply(PeerInfo To, string InReplyTo, Message Body, bool CloseAfter = false);

    /// <summary>Sent by the transport to the node once it accepts connections.</summary>
    public sealed record TransportReady(string Host, int Port);

    /// <summary>
    /// Sent by the transport to the node when it cannot accept connections (the port is in use, say, or its
    /// listener stopped). The node answers requests with this reason and, if it had been reachable, asks for
    /// <see cref="Rebind"/> with backoff.
    /// </summary>
    public sealed record TransportFailed(string Reason);

    /// <summary>
    /// Asks a failed transport to listen again, on the port it had (so peers keep a valid address); it
    /// answers the node with <see cref="TransportReady"/> or <see cref="TransportFailed"/>.
    /// </summary>
    public sealed record Rebind
    {
        /// <summary>The only instance.</summary>
        public static Rebind Instance { get; } = new();

        private Rebind()
        {
        }
    }

    /// <summary>Asks the transport how many connections are open; answered with an <see cref="int"/>.</summary>
    public sealed record GetConnectionCount
    {
        /// <summary>The only instance.</summary>
        public static GetConnectionCount Instance { get; } = new();

        private GetConnectionCount()
        {
        }
    }
}

/// <summary>Makes the transport actor of one node.</summary>
public interface ITransportFactory
{
    /// <summary>
    /// Props of the transport actor for <paramref name="identity"/>. It reports its lifecycle
    /// (<see cref="TransportProtocol.TransportReady"/>, <see cref="TransportProtocol.TransportFailed"/>) to
    /// <paramref name="node"/>, and sends every <see cref="TransportProtocol.InboundRequest"/>,
    /// <see cref="TransportProtocol.PeerSeen"/> and <see cref="TransportProtocol.PeerFailed"/> straight to
    /// <paramref name="inbound"/> (the node's routing table), with no hop through the node.
    /// </summary>
    Props Props(NodeIdentity identity, Configuration.DrogulusSettings settings, IActorRef node, IActorRef inbound);
}
