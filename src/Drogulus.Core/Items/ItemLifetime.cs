namespace Drogulus.Core.Items;

/// <summary>
/// How long an item lives and how far ahead a publisher's clock may run (PROTOCOL §3 rule 3):
/// an item is dead at the earlier of its <c>expires</c> and <c>timestamp + max-item-age</c>, and a
/// <c>timestamp</c> more than <c>max-clock-skew</c> ahead of the node's clock is refused, because such an
/// item would never age and would always win against the publisher's real updates.
/// </summary>
/// <param name="MaxAge"><c>max-item-age</c>; <see cref="TimeSpan.MaxValue"/> for no bound.</param>
/// <param name="MaxClockSkew"><c>max-clock-skew</c>; <see cref="TimeSpan.MaxValue"/> for no bound.</param>
public sealed record ItemLifetime(TimeSpan MaxAge, TimeSpan MaxClockSkew)
{
    /// <summary>
    /// No age and no skew bound: only <c>expires</c> decides (the first edition's rule 3). For the original
    /// project's test vector and for stores that hold items without judging them; a node uses its settings.
    /// </summary>
    public static ItemLifetime Unbounded { get; } = new(TimeSpan.MaxValue, TimeSpan.MaxValue);

    private double MaxAgeSeconds => MaxAge == TimeSpan.MaxValue ? double.PositiveInfinity : MaxAge.TotalSeconds;

    private double MaxClockSkewSeconds => MaxClockSkew == TimeSpan.MaxValue ? double.PositiveInfinity : MaxClockSkew.TotalSeconds;

    /// <summary>The item's effective expiry in Unix seconds: the earlier of <c>expires</c> (if positive) and <c>timestamp + max-item-age</c>.</summary>
    public double ExpiryOf(double timestamp, double expires)
    {
        var aged = timestamp + MaxAgeSeconds;
        return expires > 0 && expires < aged ? expires : aged;
    }

    /// <summary>
    /// Whether an item with these times is dead at <paramref name="nowUnixSeconds"/>: <c>expires</c> has
    /// passed, or the <c>timestamp</c> is not newer than <c>now - max-item-age</c>.
    /// </summary>
    public bool IsExpiredAt(double timestamp, double expires, double nowUnixSeconds) =>
        (expires > 0 && expires <= nowUnixSeconds) || !(timestamp > nowUnixSeconds - MaxAgeSeconds);

    /// <summary>Whether <paramref name="timestamp"/> is more than <c>max-clock-skew</c> ahead of <paramref name="nowUnixSeconds"/>.</summary>
    public bool IsInTheFuture(double timestamp, double nowUnixSeconds) => timestamp > nowUnixSeconds + MaxClockSkewSeconds;

    /// <summary>Checks the bounds (both positive).</summary>
    public ItemLifetime Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxAge, TimeSpan.Zero, nameof(MaxAge));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxClockSkew, TimeSpan.Zero, nameof(MaxClockSkew));
        return this;
    }
}
