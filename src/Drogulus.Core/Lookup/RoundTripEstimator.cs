namespace Drogulus.Core.Lookup;

/// <summary>
/// The stall time of a lookup RPC (see <see cref="LookupState"/>), from the round trips this node has
/// measured: a high percentile of the most recent ones, kept between a floor and a ceiling. With no sample
/// yet it is the ceiling. The window is a fixed-size ring, so its memory does not grow with traffic. Pure:
/// samples are passed in. Not thread-safe.
/// </summary>
public sealed class RoundTripEstimator
{
    private readonly TimeSpan[] _window;
    private readonly double _percentile;
    private readonly TimeSpan _floor;
    private readonly TimeSpan _ceiling;
    private int _next;
    private int _count;

    /// <summary>Creates an estimator with an empty window.</summary>
    /// <param name="samples">Round trips kept (the most recent ones).</param>
    /// <param name="percentile">Which percentile of the window is the stall time, above 0 and at most 100.</param>
    /// <param name="floor">Shortest stall time returned.</param>
    /// <param name="ceiling">Longest stall time returned, and the stall time before any sample.</param>
    public RoundTripEstimator(int samples, double percentile, TimeSpan floor, TimeSpan ceiling)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (!(percentile > 0 && percentile <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile lies in (0, 100].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(floor, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ceiling, floor);
        _window = new TimeSpan[samples];
        _percentile = percentile;
        _floor = floor;
        _ceiling = ceiling;
    }

    /// <summary>Samples in the window.</summary>
    public int Count => _count;

    /// <summary>Adds one measured round trip, replacing the oldest when the window is full. Negative ones are ignored.</summary>
    public void Add(TimeSpan roundTrip)
    {
        if (roundTrip < TimeSpan.Zero)
        {
            return;
        }

        _window[_next] = roundTrip;
        _next = (_next + 1) % _window.Length;
        _count = Math.Min(_count + 1, _window.Length);
    }

    /// <summary>
    /// The nearest-rank percentile of the window, clamped to [floor, ceiling]; the ceiling when the window is
    /// empty (nothing measured: assume the slowest peer).
    /// </summary>
    public TimeSpan StallTime
    {
        get
        {
            if (_count == 0)
            {
                return _ceiling;
            }

            var sorted = _window.AsSpan(0, _count).ToArray();
            Array.Sort(sorted);
            var rank = (int)Math.Ceiling(_percentile / 100 * _count);
            var value = sorted[Math.Clamp(rank, 1, _count) - 1];
            return value < _floor ? _floor : value > _ceiling ? _ceiling : value;
        }
    }
}
