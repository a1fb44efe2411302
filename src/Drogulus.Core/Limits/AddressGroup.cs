using System.Net;
using System.Net.Sockets;

namespace Drogulus.Core.Limits;

/// <summary>
/// The address group of a peer (PROTOCOL §1): an IPv4 address's /24 prefix or an IPv6 address's /48
/// prefix; an IPv4-mapped IPv6 address is grouped as IPv4. Strangers are counted by group, not by address
/// or id (routing-table limits §8, reply filter §9, rate limits and accept turns §5, storage shares §6,
/// reachability §10), because a group is what an attacker pays for while ids and addresses inside one are free.
/// </summary>
/// <remarks>
/// Loopback, private (RFC 1918, IPv6 unique-local) and link-local addresses are <see cref="IsExempt"/>
/// when <c>diversity-exempt-private</c> is on: the group limits do not count them, and where a group is
/// still needed (storage shares, reachability votes) such an address is a group by itself. A host name
/// that is not an IP address is a group by itself and never exempt.
/// </remarks>
public readonly record struct AddressGroup
{
    private AddressGroup(string value, bool isExempt)
    {
        Value = value;
        IsExempt = isExempt;
    }

    /// <summary>The group as text: <c>203.0.113.0/24</c>, <c>2001:db8:1::/48</c>, or the whole address for an exempt one.</summary>
    public string Value { get; }

    /// <summary>Whether the address is exempt from the group limits (loopback, private, link-local, with the exemption on).</summary>
    public bool IsExempt { get; }

    /// <summary>The group of the node's own puts (PROTOCOL §6: they form a group of their own).</summary>
    public static AddressGroup Local { get; } = new("local", isExempt: true);

    /// <summary>Rows stored before groups existed (PROTOCOL §6, upgrade): charged to a group of their own.</summary>
    public static AddressGroup Unknown { get; } = new("unknown", isExempt: false);

    /// <summary>The group of <paramref name="address"/>.</summary>
    /// <param name="address">The peer's IP address as its connection sees it.</param>
    /// <param name="exemptPrivate"><c>diversity-exempt-private</c>.</param>
    public static AddressGroup Of(IPAddress address, bool exemptPrivate)
    {
        ArgumentNullException.ThrowIfNull(address);
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (exemptPrivate && IsPrivate(plain))
        {
            return new AddressGroup(plain.ToString(), isExempt: true);
        }

        var bytes = plain.GetAddressBytes();
        if (plain.AddressFamily == AddressFamily.InterNetwork)
        {
            return new AddressGroup($"{bytes[0]}.{bytes[1]}.{bytes[2]}.0/24", isExempt: false);
        }

        Array.Clear(bytes, 6, bytes.Length - 6);
        return new AddressGroup(new IPAddress(bytes) + "/48", isExempt: false);
    }

    /// <summary>The group of an address given as text (a contact's address); a host name is a group by itself.</summary>
    public static AddressGroup Of(string address, bool exemptPrivate)
    {
        ArgumentNullException.ThrowIfNull(address);
        var trimmed = address.Trim('[', ']');
        return IPAddress.TryParse(trimmed, out var ip) ? Of(ip, exemptPrivate) : new AddressGroup("host:" + trimmed, isExempt: false);
    }

    /// <summary>Restores a group from its <see cref="Value"/> (as saved with a stored copy).</summary>
    public static AddressGroup FromValue(string value, bool isExempt) => new(value ?? throw new ArgumentNullException(nameof(value)), isExempt);

    /// <summary>
    /// The wider block whose rate limit sits above the groups' (PROTOCOL §5): an IPv6 address's /32. An
    /// IPv4 address's wider block is its /24 group itself (a /16 holds too many unrelated hosts).
    /// </summary>
    public static string WideBlockOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        var bytes = plain.GetAddressBytes();
        if (plain.AddressFamily == AddressFamily.InterNetwork)
        {
            return $"{bytes[0]}.{bytes[1]}.{bytes[2]}.0/24";
        }

        Array.Clear(bytes, 4, bytes.Length - 4);
        return new IPAddress(bytes) + "/32";
    }

    /// <summary>Loopback, RFC 1918, CGNAT-free private ranges, IPv4 link-local, IPv6 unique-local and link-local.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (IPAddress.IsLoopback(plain))
        {
            return true;
        }

        var b = plain.GetAddressBytes();
        if (plain.AddressFamily == AddressFamily.InterNetwork)
        {
            return b[0] == 10
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254);
        }

        return plain.IsIPv6LinkLocal || plain.IsIPv6UniqueLocal || plain.IsIPv6SiteLocal;
    }

    /// <inheritdoc />
    public override string ToString() => Value;
}
