namespace Drogulus.Core.Identity;

/// <summary>
/// A peer known to the routing table (PROTOCOL §6, §8): its id, the address and reply port on which it
/// accepts connections, the protocol version it spoke, when it was last seen and how many RPCs to it
/// have failed since. Immutable: the routing table replaces a contact to update it.
/// </summary>
/// <param name="Id">The peer's node id (SHA-512 of its certificate's public key).</param>
/// <param name="Address">The peer's IP address (or host name) as text.</param>
/// <param name="Port">The peer's <c>reply_port</c>, never an ephemeral source port.</param>
/// <param name="Version">The protocol version the peer spoke, e.g. <c>"1.0"</c>.</param>
/// <param name="LastSeen">When a message from the peer last arrived.</param>
/// <param name="FailureCount">Failed RPCs since the peer was last seen.</param>
public sealed record Contact(Key Id, string Address, int Port, string Version, DateTimeOffset LastSeen, int FailureCount = 0)
{
    /// <summary><c>host:port</c>, bracketing IPv6 addresses.</summary>
    public string Endpoint => FormatEndpoint(Address, Port);

    /// <summary><c>host:port</c>, bracketing IPv6 addresses.</summary>
    public static string FormatEndpoint(string host, int port) => host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";

    /// <inheritdoc />
    public override string ToString() => $"{Id.ToShortString()}@{Endpoint}";
}
