namespace Drogulus.Core.Limits;

/// <summary>
/// The limits above each address (PROTOCOL §5, rate): each address group (IPv4 /24, IPv6 /48) may spend
/// <paramref name="Group"/> times the per-address rate and burst, and each IPv6 /32 <paramref name="WideBlock"/>
/// times, so that rotating through the addresses of a group, or through more addresses than the limiter
/// remembers, gains nothing past the group's limit.
/// </summary>
/// <param name="Group">Multiple of the per-address rate and burst one address group may spend (at least 1).</param>
/// <param name="WideBlock">Multiple of the per-address rate and burst one IPv6 /32 may spend (at least <paramref name="Group"/>).</param>
/// <param name="ExemptPrivate"><c>diversity-exempt-private</c>: a loopback, private or link-local address is a group by itself.</param>
public sealed record GroupRateMultiples(int Group, int WideBlock, bool ExemptPrivate)
{
    /// <summary>Checks the bounds.</summary>
    public GroupRateMultiples Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Group, 1, nameof(Group));
        ArgumentOutOfRangeException.ThrowIfLessThan(WideBlock, Group, nameof(WideBlock));
        return this;
    }
}
