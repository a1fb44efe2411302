namespace Drogulus.Core.Limits;

/// <summary>A token bucket's refill rate and size.</summary>
/// <param name="PerSecond">Tokens earned per second (positive, finite).</param>
/// <param name="Burst">Most tokens held, so most requests at once (at least 1).</param>
public sealed record TokenBucketRate(double PerSecond, int Burst)
{
    /// <summary>Checks the bounds.</summary>
    public TokenBucketRate Validated()
    {
        if (!(PerSecond > 0) || !double.IsFinite(PerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(PerSecond), PerSecond, "A rate must be positive and finite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Burst, 1, nameof(Burst));
        return this;
    }
}
