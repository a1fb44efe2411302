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
public sealed record NodeStatus(Key NodeId, string Endpoint, int Contacts, int Buckets, int Items, int Connections) : IDrogulusMessage
{
    /// <summary>The <c>reachability</c> setting: <c>server</c>, <c>client</c> or <c>auto</c> (PROTOCOL §10).</summary>
    public string Reachability { get; init; } = "";

    /// <summary>Whether the node is a server now (it advertises its port); an <c>auto</c> node becomes one after its dial-back tests.</summary>
    public bool IsServer { get; init; }

    /// <summary>The external address that enough peers in enough address groups reported; null while none is believed.</summary>
    public string? ExternalAddress { get; init; }

    /// <summary>What the last dial-back test found, in words; null before the first.</summary>
    public string? LastReachabilityTest { get; init; }
}
