namespace Drogulus.Actors.Protocol;

/// <summary>
/// Asks a node for a snapshot of its routing table, to save before shutdown and hand back to
/// <c>NodeActor.Props(..., routingTable: RoutingTableSnapshot.Load(...))</c> at the next start.
/// </summary>
public sealed record SaveRoutingTable : IDrogulusMessage
{
    /// <summary>The only instance.</summary>
    public static SaveRoutingTable Instance { get; } = new();

    private SaveRoutingTable()
    {
    }
}

/// <summary>The routing table's contacts and blacklist in <c>RoutingTableSnapshot</c> format.</summary>
public sealed record RoutingTableSaved(byte[] Snapshot) : IDrogulusMessage;
