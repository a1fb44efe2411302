using Drogulus.Core.Limits;

namespace Drogulus.Actors.Reachability;

/// <summary>
/// The address groups of reachability (PROTOCOL §10: "exempt addresses count as their own groups"; §6: one
/// dial-back per requesting group). Loopback, private and link-local addresses are groups by themselves, as
/// under the default <c>diversity-exempt-private = on</c>; a host name (the memory network's) is a group by itself.
/// </summary>
internal static class ReachabilityGroups
{
    // Follows the protocol's default of diversity-exempt-private; the routing table's limits read that
    // setting, and both must agree once it is a setting of this node.
    private const bool ExemptPrivate = true;

    public static AddressGroup Of(string address) => AddressGroup.Of(address, ExemptPrivate);
}
