namespace Drogulus.Core.Storage;

/// <summary>
/// The throttle of the hand-over to newcomers (PROTOCOL §10; issue 10): like the republish pass, the stores
/// that hand items over are paced and bounded, and so is the work a stranger can cause by showing new ids.
/// </summary>
/// <param name="ItemsPerSecond">Most hand-over stores started per second, all newcomers together; a second's
/// worth may start at once.</param>
/// <param name="Parallelism">Most hand-over stores in flight at once.</param>
/// <param name="NewcomersPerSecond">Most newcomers per second whose items are looked for (each search walks
/// every key held); a second's worth may be searched at once.</param>
/// <param name="MaxQueuedNewcomers">Newcomers waiting for their hand-over; a newcomer past this gets nothing
/// handed over (its items reach it with the next republish pass).</param>
public sealed record HandOverLimits(double ItemsPerSecond, int Parallelism, double NewcomersPerSecond, int MaxQueuedNewcomers)
{
    /// <summary>Checks the bounds.</summary>
    public HandOverLimits Validated()
    {
        if (!(ItemsPerSecond > 0) || !double.IsFinite(ItemsPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(ItemsPerSecond), ItemsPerSecond, "A rate must be positive and finite.");
        }

        if (!(NewcomersPerSecond > 0) || !double.IsFinite(NewcomersPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(NewcomersPerSecond), NewcomersPerSecond, "A rate must be positive and finite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Parallelism, 1, nameof(Parallelism));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedNewcomers, 1, nameof(MaxQueuedNewcomers));
        return this;
    }
}
