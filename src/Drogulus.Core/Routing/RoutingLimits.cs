namespace Drogulus.Core.Routing;

/// <summary>
/// The limits a routing table puts on strangers (PROTOCOL §8): contacts of one address group per bucket
/// and per table, whether loopback, private and link-local addresses are exempt from those counts
/// (<c>diversity-exempt-private</c>), and how many blacklisted ids are remembered. The values come from
/// the node's settings; <see cref="None"/> is the first edition's table (used by benchmarks that measure
/// the network without the defences, and by specs of other rules).
/// </summary>
/// <param name="MaxPerGroupInBucket"><c>max-per-group-in-bucket</c>: contacts of one group in one bucket.</param>
/// <param name="MaxPerGroupInTable"><c>max-per-group-in-table</c>: contacts of one group in the whole table.</param>
/// <param name="ExemptPrivate"><c>diversity-exempt-private</c>.</param>
/// <param name="MaxBlacklist"><c>max-blacklist</c>: blacklisted ids remembered, the oldest forgotten first.</param>
public sealed record RoutingLimits(int MaxPerGroupInBucket, int MaxPerGroupInTable, bool ExemptPrivate, int MaxBlacklist)
{
    /// <summary>No group limit and a blacklist bounded only by memory: the first edition's table.</summary>
    public static RoutingLimits None { get; } = new(int.MaxValue, int.MaxValue, true, int.MaxValue);

    /// <summary>Whether any group limit applies.</summary>
    public bool LimitsGroups => MaxPerGroupInBucket < int.MaxValue || MaxPerGroupInTable < int.MaxValue;
}
