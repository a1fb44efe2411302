namespace Drogulus.Core.Limits;

/// <summary>
/// The bytes held for frames that have started and not ended, over all the connections of one node (PROTOCOL §5:
/// no buffer grows with what a peer sends unless a setting bounds it). Each connection reports what its unfinished
/// frame holds; when the total passes <c>max-partial-frame-bytes</c>, the connections holding the largest unfinished
/// frames are named to be closed, largest first, until the total fits again. Pure; one actor owns it.
/// </summary>
/// <typeparam name="TKey">What names a connection.</typeparam>
public sealed class PartialFrameBudget<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, long> _held = new();

    /// <summary>A budget of <paramref name="maxBytes"/> for all unfinished frames together.</summary>
    public PartialFrameBudget(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        MaxBytes = maxBytes;
    }

    /// <summary>The bound on <see cref="Total"/>.</summary>
    public long MaxBytes { get; }

    /// <summary>Bytes held for unfinished frames now.</summary>
    public long Total { get; private set; }

    /// <summary>Connections holding part of a frame now.</summary>
    public int Count => _held.Count;

    /// <summary>
    /// Records that <paramref name="connection"/> holds <paramref name="bytes"/> for its unfinished frame (0: none) and
    /// returns the connections to close, largest frame first, for the total to fit (empty when it fits); they are
    /// forgotten here already.
    /// </summary>
    public IReadOnlyList<TKey> Report(TKey connection, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Remove(connection);
        if (bytes > 0)
        {
            _held[connection] = bytes;
            Total += bytes;
        }

        if (Total <= MaxBytes)
        {
            return [];
        }

        var shed = new List<TKey>();
        while (Total > MaxBytes)
        {
            var largest = _held.MaxBy(pair => pair.Value);
            shed.Add(largest.Key);
            Remove(largest.Key);
        }

        return shed;
    }

    /// <summary>Forgets <paramref name="connection"/> (it closed).</summary>
    public void Remove(TKey connection)
    {
        if (_held.Remove(connection, out var bytes))
        {
            Total -= bytes;
        }
    }
}
