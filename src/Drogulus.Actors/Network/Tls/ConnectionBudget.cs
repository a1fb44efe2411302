using Akka.Actor;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The connection budget of one node (PROTOCOL §5): at most <c>max-connections</c> open, both directions together.
/// When full, room is made by closing the connection idle longest; a connection with requests in flight (either
/// way) is never chosen. Pure bookkeeping with time passed in: the transport closes what it is told to.
/// </summary>
internal sealed class ConnectionBudget
{
    private readonly int _max;
    private readonly Dictionary<IActorRef, Entry> _open = new();
    private int _evicting;

    /// <param name="max">The budget (<c>max-connections</c>).</param>
    public ConnectionBudget(int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        _max = max;
    }

    /// <summary>Connections counted against the budget (those being closed to make room are not).</summary>
    public int Count => _open.Count - _evicting;

    /// <summary>
    /// Whether a new connection fits. When the budget is full, or <paramref name="processFull"/> (the budget shared by
    /// the nodes of the process has no slot), it picks the connection idle longest as <paramref name="evict"/> (to be
    /// closed; it no longer counts); when every connection is busy, nothing fits.
    /// </summary>
    public bool TryMakeRoom(bool processFull, out IActorRef? evict)
    {
        evict = null;
        if (Count < _max && !processFull)
        {
            return true;
        }

        KeyValuePair<IActorRef, Entry>? idlest = null;
        foreach (var pair in _open)
        {
            if (!pair.Value.Busy && !pair.Value.Evicting && (idlest is null || pair.Value.IdleSince < idlest.Value.Value.IdleSince))
            {
                idlest = pair;
            }
        }

        if (idlest is not { } chosen)
        {
            return false;
        }

        chosen.Value.Evicting = true;
        _evicting++;
        evict = chosen.Key;
        return true;
    }

    /// <summary>
    /// Up to <paramref name="count"/> connections with no request in flight, idle longest first, marked as being
    /// closed (they no longer count): the process is out of descriptors and these are the ones to give back.
    /// </summary>
    public IReadOnlyList<IActorRef> TakeIdlest(int count)
    {
        var chosen = _open.Where(pair => !pair.Value.Busy && !pair.Value.Evicting)
            .OrderBy(pair => pair.Value.IdleSince)
            .Take(count)
            .ToList();
        foreach (var pair in chosen)
        {
            pair.Value.Evicting = true;
            _evicting++;
        }

        return chosen.Select(pair => pair.Key).ToList();
    }

    /// <summary>A connection opened; <paramref name="busy"/> when it already carries a request (a dial).</summary>
    public void Opened(IActorRef connection, bool busy, DateTimeOffset now) =>
        _open[connection] = new Entry { Busy = busy, IdleSince = now };

    /// <summary>A connection reported whether requests are in flight on it.</summary>
    public void Activity(IActorRef connection, bool busy, DateTimeOffset now)
    {
        if (_open.TryGetValue(connection, out var entry))
        {
            entry.Busy = busy;
            entry.IdleSince = now;
        }
    }

    /// <summary>A connection closed.</summary>
    public void Closed(IActorRef connection)
    {
        if (_open.Remove(connection, out var entry) && entry.Evicting)
        {
            _evicting--;
        }
    }

    private sealed class Entry
    {
        public bool Busy { get; set; }

        public DateTimeOffset IdleSince { get; set; }

        public bool Evicting { get; set; }
    }
}
