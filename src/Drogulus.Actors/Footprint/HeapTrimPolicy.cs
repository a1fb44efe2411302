namespace Drogulus.Actors.Footprint;

/// <summary>
/// When to trim the heap (pure; the caller passes the time and the process's allocation counter): a check that
/// finds at least <c>burstBytes</c> allocated since the previous one sees a burst; the first later check that
/// finds less sees it ended and trims, unless the last trim was less than <c>minInterval</c> ago (then a later
/// quiet check trims). An idle process never trims, and a busy one trims at most once per <c>minInterval</c>.
/// </summary>
internal sealed class HeapTrimPolicy(long burstBytes, TimeSpan minInterval)
{
    private long? _lastAllocated;
    private bool _burstSeen;
    private DateTimeOffset? _lastTrim;

    /// <summary>Whether to trim now, given the total bytes the process has allocated so far.</summary>
    public bool ShouldTrim(DateTimeOffset now, long allocatedTotal)
    {
        var allocated = _lastAllocated is { } last ? allocatedTotal - last : 0;
        _lastAllocated = allocatedTotal;
        if (allocated >= burstBytes)
        {
            _burstSeen = true;
            return false;
        }

        if (!_burstSeen || (_lastTrim is { } trimmed && now - trimmed < minInterval))
        {
            return false;
        }

        _burstSeen = false;
        _lastTrim = now;
        return true;
    }
}
