namespace Drogulus.Core.Limits;

/// <summary>
/// A node's own connections in the order they went idle (PROTOCOL §5, budget): when admission says room must be
/// made, the one idle longest is closed, and a connection with requests in flight (either way) is never chosen. A
/// connection whose peer has not proven its id yet (its hello or handshake still running) goes before every proven
/// one, the oldest first: a peer that sends part of a hello and stalls holds nothing but its socket (PROTOCOL §5,
/// admission), so it never costs an established peer its connection. It is
/// fed on every request (a connection reports when it becomes busy or idle), so it stays with the node's transport
/// and is never a message to the process's admission: the transport names its idlest connection when it asks.
/// Pure, with time passed in.
/// </summary>
/// <typeparam name="TKey">What names a connection.</typeparam>
public sealed class IdleOrder<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, Entry> _open = new();

    /// <summary>Connections that may still be chosen (open and not taken).</summary>
    public int Count => _open.Values.Count(entry => !entry.Taken);

    /// <summary>
    /// A connection opened; <paramref name="busy"/> when it already carries a request (a dial); its peer counts as
    /// unproven until <see cref="Proven"/>.
    /// </summary>
    public void Opened(TKey connection, bool busy, DateTimeOffset now) =>
        _open[connection] = new Entry { Busy = busy, IdleSince = now };

    /// <summary>The connection's peer proved its id (the handshake succeeded): it is chosen by idleness from now on.</summary>
    public void Proven(TKey connection)
    {
        if (_open.TryGetValue(connection, out var entry))
        {
            entry.Proven = true;
        }
    }

    /// <summary>A connection reported whether requests are in flight on it.</summary>
    public void Activity(TKey connection, bool busy, DateTimeOffset now)
    {
        if (_open.TryGetValue(connection, out var entry))
        {
            entry.Busy = busy;
            entry.IdleSince = now;
        }
    }

    /// <summary>A connection closed.</summary>
    public void Closed(TKey connection) => _open.Remove(connection);

    /// <summary>
    /// Takes the connection idle longest with no request in flight, an unproven one first (it is not offered again until <see cref="Return"/>
    /// or <see cref="Closed"/>); false when every connection is busy or taken.
    /// </summary>
    public bool TryTakeIdlest(out TKey connection)
    {
        // One pass, no sort: the transport asks this before every accept and dial.
        KeyValuePair<TKey, Entry>? idlest = null;
        foreach (var pair in _open)
        {
            if (!pair.Value.Busy && !pair.Value.Taken && (idlest is null || Before(pair.Value, idlest.Value.Value)))
            {
                idlest = pair;
            }
        }

        connection = idlest is { } chosen ? chosen.Key : default!;
        if (idlest is not null)
        {
            idlest.Value.Value.Taken = true;
        }

        return idlest is not null;
    }

    /// <summary>Up to <paramref name="count"/> connections with no request in flight, unproven ones first, then idle longest first, taken.</summary>
    public IReadOnlyList<TKey> TakeIdlest(int count)
    {
        var chosen = _open.Where(pair => !pair.Value.Busy && !pair.Value.Taken)
            .OrderBy(pair => pair.Value.Proven)
            .ThenBy(pair => pair.Value.IdleSince)
            .Take(count)
            .Select(pair => pair.Key)
            .ToList();
        foreach (var connection in chosen)
        {
            _open[connection].Taken = true;
        }

        return chosen;
    }

    /// <summary>A taken connection was not closed after all: it may be chosen again.</summary>
    public void Return(TKey connection)
    {
        if (_open.TryGetValue(connection, out var entry))
        {
            entry.Taken = false;
        }
    }

    // Unproven before proven; within each, idle (or, unproven, open) longest first.
    private static bool Before(Entry a, Entry b) => a.Proven != b.Proven ? !a.Proven : a.IdleSince < b.IdleSince;

    private sealed class Entry
    {
        public bool Proven { get; set; }

        public bool Busy { get; set; }

        public DateTimeOffset IdleSince { get; set; }

        public bool Taken { get; set; }
    }
}
