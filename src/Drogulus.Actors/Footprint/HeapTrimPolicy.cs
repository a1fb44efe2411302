namespace Drogulus.Actors.Footprint;

/// <summary>
/// When to trim the heap (pure; the caller passes the time and the process's allocation counter): a check that
/// finds at least <c>burstBytes</c> allocated since the previous one sees a burst; the first later check that
/// finds less sees it ended and trims, unless the last trim was less than <c>minInterval</c> ago (then a later
/// quiet check trims). An idle process never trims, and a busy one trims at most once per <c>minInterval</c>.
/// With <c>startAsBurst</c>, start-up counts as a burst (issue 24: the trim after a burst left a node smaller than
/// it was idle, because start-up's garbage and freed native buffers had never been given back): the first quiet
/// check after the first reading trims once. The first reading is a baseline and never trims.
/// </summary>
internal sealed class HeapTrimPolicy(long burstBytes, TimeSpan minInterval, bool startAsBurst = false)
{
    private long? _lastAllocated;
    private bool _burstSeen = startAsBurst;
    private DateTimeOffset? _lastTrim;

    /// <summary>Whether to trim now, given the total bytes the process has allocated so far.</summary>
    public bool ShouldTrim(DateTimeOffset now, long allocatedTotal)
    {
        if (_lastAllocated is not { } last)
        {
            _lastAllocated = allocatedTotal;
            return false;
        }

        var allocated = allocatedTotal - last;
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
