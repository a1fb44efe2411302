using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// Counts the junk stores the attacked node sends to the benchmark's own transports (attackers and honest client
/// alike, "anyone" it may have in its routing table): all of them, those that arrive after a cutoff (the end of
/// max-item-age for the last junk), and those whose item had already aged out when it arrived.
/// </summary>
internal sealed class JunkObserver(TimeSpan maxItemAge)
{
    private readonly Lock _lock = new();
    private DateTimeOffset _cutoff = DateTimeOffset.MaxValue;

    public long Received { get; private set; }

    public long ReceivedAfterCutoff { get; private set; }

    public long ReceivedExpired { get; private set; }

    /// <summary>From when on a junk store counts as <see cref="ReceivedAfterCutoff"/>.</summary>
    public void SetCutoff(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            _cutoff = cutoff;
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
        lock (_lock)
        {
            Received++;
            if (now >= _cutoff)
            {
                ReceivedAfterCutoff++;
            }

            if (DateTimeOffset.FromUnixTimeMilliseconds((long)(item.Timestamp * 1000)) + maxItemAge < now)
            {
                ReceivedExpired++;
            }
        }
    }
}
