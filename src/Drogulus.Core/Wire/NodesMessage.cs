using System.Collections.Immutable;
using Drogulus.Core.Identity;

namespace Drogulus.Core.Wire;

/// <summary>One entry of a <c>nodes</c> reply: <c>[id, address, port, version]</c> on the wire.</summary>
/// <param name="Id">The contact's node id.</param>
/// <param name="Address">Its IP address or host name.</param>
/// <param name="Port">Its reply port, 0..65535.</param>
/// <param name="Version">The protocol version it spoke.</param>
public sealed record NodeInfo(Key Id, string Address, int Port, string Version)
{
    /// <summary>The entry for a routing-table contact.</summary>
    public static NodeInfo From(Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return new NodeInfo(contact.Id, contact.Address, contact.Port, contact.Version);
    }
}

/// <summary>
/// The reply to a <c>findnode</c> (and to a <c>findvalue</c> whose value is not held): contacts closest
/// to the target first. Equality compares the contacts element by element.
/// </summary>
/// <param name="Uuid">The request's id.</param>
/// <param name="Node">The sender's node id.</param>
/// <param name="ReplyPort">The sender's listening port, 0 for none.</param>
/// <param name="Version">The sender's protocol version.</param>
/// <param name="Nodes">The contacts, closest to the target first (copied into an immutable list).</param>
public sealed record NodesMessage(string Uuid, Key Node, int ReplyPort, string Version, IReadOnlyList<NodeInfo> Nodes)
    : Message(Uuid, Node, ReplyPort, Version)
{
    private readonly IReadOnlyList<NodeInfo> _nodes = Freeze(Nodes);

    /// <summary>The contacts, closest to the target first.</summary>
    public IReadOnlyList<NodeInfo> Nodes
    {
        get => _nodes;
        init => _nodes = Freeze(value);
    }

    /// <inheritdoc />
    public override string WireName => WireNames.Nodes;

    /// <inheritdoc />
    public override bool IsRequest => false;

    /// <inheritdoc />
    public bool Equals(NodesMessage? other) =>
        other is not null && base.Equals(other) && _nodes.SequenceEqual(other._nodes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), _nodes.Count);

    private static IReadOnlyList<NodeInfo> Freeze(IReadOnlyList<NodeInfo> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return nodes is ImmutableArray<NodeInfo> ? nodes : nodes.ToImmutableArray();
    }
}
