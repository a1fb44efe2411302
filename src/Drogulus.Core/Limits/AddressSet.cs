using System.Net;

namespace Drogulus.Core.Limits;

/// <summary>
/// A set of IP networks in CIDR notation (<c>rate-limit-exempt</c>). Equal when the same networks are
/// listed in the same order, so settings holding one compare by value.
/// </summary>
public sealed class AddressSet : IEquatable<AddressSet>
{
    private readonly IPNetwork[] _networks;

    private AddressSet(IPNetwork[] networks) => _networks = networks;

    /// <summary>No address.</summary>
    public static AddressSet Empty { get; } = new([]);

    /// <summary>The networks, as given.</summary>
    public IReadOnlyList<IPNetwork> Networks => _networks;

    /// <summary>
    /// Parses CIDR texts such as <c>127.0.0.0/8</c> or <c>::1/128</c>; a bare address is its own /32 or /128.
    /// </summary>
    /// <exception cref="FormatException">naming the first text that is not a network.</exception>
    public static AddressSet Parse(IEnumerable<string> cidrs)
    {
        ArgumentNullException.ThrowIfNull(cidrs);
        var networks = new List<IPNetwork>();
        foreach (var text in cidrs)
        {
            var trimmed = (text ?? string.Empty).Trim();
            if (IPNetwork.TryParse(trimmed, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(trimmed, out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new FormatException($"'{trimmed}' is not an IP network in CIDR notation (such as 127.0.0.0/8 or ::1/128).");
            }
        }

        return new AddressSet(networks.ToArray());
    }

    /// <summary>Whether <paramref name="address"/> (an IPv4-mapped IPv6 address counts as IPv4) is in one of the networks.</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in _networks)
        {
            if (network.Contains(plain))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public bool Equals(AddressSet? other) => other is not null && _networks.AsSpan().SequenceEqual(other._networks);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as AddressSet);

    /// <inheritdoc />
    public override int GetHashCode() => _networks.Length;

    /// <inheritdoc />
    public override string ToString() => "[" + string.Join(", ", _networks) + "]";
}
