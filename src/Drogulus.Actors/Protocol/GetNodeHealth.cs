namespace Drogulus.Actors.Protocol;

/// <summary>
/// Asks a node whether it can serve the network; answered with a <see cref="NodeHealth"/>. When no contact
/// has answered within <c>refresh-interval</c>, the node pings up to <c>alpha</c> of its contacts first and
/// answers once one replies or all have failed (at most <c>request-timeout</c> later), so an idle node that
/// can still reach its peers is healthy.
/// </summary>
public sealed record GetNodeHealth : IDrogulusMessage
{
    /// <summary>The only instance.</summary>
    public static GetNodeHealth Instance { get; } = new();

    private GetNodeHealth()
    {
    }
}

/// <summary>
/// Whether a node can serve the network, check by check; <see cref="IsHealthy"/> when every check passes.
/// </summary>
/// <param name="TransportBound">The transport accepts connections (the listener is bound).</param>
/// <param name="ContactAnswered">At least one contact answered a request of this node within <c>refresh-interval</c>.</param>
/// <param name="LastAnswer">When a contact last answered, on the node's clock; null if none ever did.</param>
/// <param name="StoreWritable">A write statement on the item store succeeds.</param>
/// <param name="StoreHasRoom">A largest item (<c>max-item-size</c>) from a new publisher still fits in
/// <c>max-store-bytes</c>, evicting cached copies if need be.</param>
/// <param name="StoreBytes">Bytes held in the item store.</param>
/// <param name="MaxStoreBytes">The <c>max-store-bytes</c> quota.</param>
/// <param name="Contacts">Contacts in the routing table.</param>
/// <param name="Reasons">One sentence per failed check, in words; empty when healthy, except that an <c>auto</c> node
/// that is a client says so ("client: not reachable from outside (…)", PROTOCOL §10) while it still counts as healthy.</param>
public sealed record NodeHealth(
    bool TransportBound,
    bool ContactAnswered,
    DateTimeOffset? LastAnswer,
    bool StoreWritable,
    bool StoreHasRoom,
    long StoreBytes,
    long MaxStoreBytes,
    int Contacts,
    IReadOnlyList<string> Reasons) : IDrogulusMessage
{
    /// <summary>
    /// The node has no contacts and was never asked to join: the first node of a new network, waiting for others
    /// to join through it. It counts as reaching the network (there is nobody else to reach yet), so it is ready.
    /// </summary>
    public bool Alone { get; init; }

    /// <summary>Whether every check passed (a node <see cref="Alone"/> needs no contact that answered).</summary>
    public bool IsHealthy => TransportBound && (ContactAnswered || Alone) && StoreWritable && StoreHasRoom && !EclipseSuspected;

    /// <summary>Distinct address groups (IPv4 /24, IPv6 /48; exempt addresses not counted) among the table's contacts.</summary>
    public int AddressGroups { get; init; }

    /// <summary>Distinct address groups among the k contacts closest to the node's own id.</summary>
    public int NeighbourGroups { get; init; }

    /// <summary>
    /// The node's own neighbourhood is dominated by a few address groups (more than half of its k closest
    /// contacts in at most four groups): Sybils may surround it (PROTOCOL §8, §9).
    /// </summary>
    public bool EclipseSuspected { get; init; }
}
