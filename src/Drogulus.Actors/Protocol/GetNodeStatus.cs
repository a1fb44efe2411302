using Drogulus.Core.Identity;

namespace Drogulus.Actors.Protocol;

/// <summary>Asks a node for its <see cref="NodeStatus"/>.</summary>
public sealed record GetNodeStatus : IDrogulusMessage
{
    /// <summary>The only instance.</summary>
    public static GetNodeStatus Instance { get; } = new();

    private GetNodeStatus()
    {
    }
}

/// <summary>A node's identity and size.</summary>
/// <param name="NodeId">The node's id.</param>
/// <param name="Endpoint">Where peers reach it (<c>host:port</c>), the bound port when 0 was configured.</param>
/// <param name="Contacts">Contacts in the routing table.</param>
/// <param name="Buckets">Buckets in the routing table.</param>
/// <param name="Items">Items in the local store.</param>
/// <param name="Connections">Open peer connections.</param>
public sealed record NodeStatus(Key NodeId, string Endpoint, int Contacts, int Buckets, int Items, int Connections) : IDrogulusMessage;
