using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// Counts the junk stores that reach the benchmark's own transports (attackers and honest client alike: "anyone" a
/// node may have in its routing table), by sender (the victim, the neighbour, anyone else): all of them, those that
/// arrive after a cutoff (the end of max-item-age for the last junk), those whose item had already aged out when it
/// arrived, and by how much the latest of those was late.
/// </summary>
internal sealed class JunkObserver(TimeSpan maxItemAge, Func<Key, string> senderName)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Tally> _bySender = new(StringComparer.Ordinal);
    private DateTimeOffset _cutoff = DateTimeOffset.MaxValue;

    /// <summary>From when on a junk store counts as arrived after the cutoff.</summary>
    public void SetCutoff(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            _cutoff = cutoff;
        }
    }

    /// <summary>The figures by sender.</summary>
    public Dictionary<string, Tally> BySender()
    {
        lock (_lock)
        {
            return _bySender.ToDictionary(s => s.Key, s => s.Value with { });
        }
    }

    /// <summary>Called by a <see cref="Responder"/> for every request it gets.</summary>
    public void Observe(InboundRequest inbound)
    {
        if (inbound.Request is not StoreMessage { Item: var item } || !item.Name.StartsWith("junk ", StringComparison.Ordinal))
        {
            return;
        }

        var now = DateTimeOffset.UtcNow;
        var late = now - (DateTimeOffset.FromUnixTimeMilliseconds((long)(item.Timestamp * 1000)) + maxItemAge);
        var sender = senderName(inbound.From.Id);
        lock (_lock)
        {
            var tally = _bySender.TryGetValue(sender, out var t) ? t : new Tally();
            _bySender[sender] = tally with
            {
                Received = tally.Received + 1,
                AfterCutoff = tally.AfterCutoff + (now >= _cutoff ? 1 : 0),
                AgedOutOnArrival = tally.AgedOutOnArrival + (late > TimeSpan.Zero ? 1 : 0),
                MostSecondsLate = Math.Max(tally.MostSecondsLate, Math.Round(late.TotalSeconds, 1)),
            };
        }
    }

    /// <summary>Junk stores from one sender.</summary>
    public sealed record Tally
    {
        public long Received { get; init; }

        public long AfterCutoff { get; init; }

        public long AgedOutOnArrival { get; init; }

        /// <summary>Of all its junk stores, the one that arrived latest relative to its item's end of life (negative: all arrived alive).</summary>
        public double MostSecondsLate { get; init; } = double.MinValue;
    }
}
