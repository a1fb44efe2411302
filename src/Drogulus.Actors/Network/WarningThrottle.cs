namespace Drogulus.Actors.Network;

/// <summary>
/// Counts repeated warnings of one kind so that a flood of them (thousands of failed handshakes, rejected
/// frames, refused accepts) costs one log line per kind per interval, carrying how many there were.
/// Pure: time is passed in. Kinds are names chosen by the code, never text from the wire, so the table is
/// bounded by the number of kinds.
/// </summary>
internal sealed class WarningThrottle
{
    private readonly TimeSpan _interval;
    private readonly Dictionary<string, Entry> _kinds = new(StringComparer.Ordinal);

    /// <param name="interval">At most one warning of a kind is written per this interval (<c>log-warning-interval</c>).</param>
    public WarningThrottle(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _interval = interval;
    }

    /// <summary>Whether some warnings were held back and not yet reported.</summary>
    public bool HasSuppressed => _kinds.Values.Any(e => e.Suppressed > 0);

    /// <summary>
    /// Whether a warning of <paramref name="kind"/> is written now. When it is, <paramref name="suppressed"/> is how many
    /// of that kind were held back since the last one written; when it is not, it is counted.
    /// </summary>
    public bool TryPass(string kind, DateTimeOffset now, out int suppressed)
    {
        if (_kinds.TryGetValue(kind, out var entry) && now - entry.LastWritten < _interval)
        {
            entry.Suppressed++;
            suppressed = 0;
            return false;
        }

        suppressed = entry?.Suppressed ?? 0;
        _kinds[kind] = new Entry { LastWritten = now };
        return true;
    }

    /// <summary>
    /// The kinds whose held-back warnings are due to be reported (their interval has passed), with their counts;
    /// each is then reset as if reported now.
    /// </summary>
    public IReadOnlyList<(string Kind, int Count)> TakeDue(DateTimeOffset now)
    {
        var due = new List<(string Kind, int Count)>();
        foreach (var (kind, entry) in _kinds)
        {
            if (entry.Suppressed > 0 && now - entry.LastWritten >= _interval)
            {
                due.Add((kind, entry.Suppressed));
                entry.Suppressed = 0;
                entry.LastWritten = now;
            }
        }

        return due;
    }

    private sealed class Entry
    {
        public DateTimeOffset LastWritten { get; set; }

        public int Suppressed { get; set; }
    }
}
