using Drogulus.Core.Wire;

namespace Drogulus.Core.Items;

/// <summary>
/// Outcome of validating a signed item (PROTOCOL §3): valid, or the error code of the first rule that
/// failed (6 signature, 7 key, 9 expired or timestamped in the future).
/// </summary>
/// <param name="Error">The failed rule's error code; <c>null</c> when the item is valid.</param>
public readonly record struct ItemValidation(ErrorCode? Error)
{
    /// <summary>
    /// Rule 3 refused a <c>timestamp</c> more than <c>max-clock-skew</c> ahead of the node's clock: error 9
    /// with details <c>{"timestamp": "in the future"}</c> (<see cref="InTheFutureDetail"/>).
    /// </summary>
    public static ItemValidation TimestampInTheFuture => new(ErrorCode.ExpiredValue) { IsInTheFuture = true };

    /// <summary>The details value PROTOCOL §3 gives, under <c>timestamp</c>, to an item from the future.</summary>
    public const string InTheFutureDetail = "in the future";

    /// <summary>Whether the failure is a timestamp too far ahead (error 9 with <c>{"timestamp": "in the future"}</c>).</summary>
    public bool IsInTheFuture { get; private init; }

    /// <summary>A valid item.</summary>
    public static ItemValidation Ok => default;

    /// <summary>Whether every rule held.</summary>
    public bool IsValid => Error is null;

    /// <summary>A failure with <paramref name="error"/>.</summary>
    public static ItemValidation Fail(ErrorCode error) => new(error);

    /// <inheritdoc />
    public override string ToString() =>
        Error is { } e ? $"Invalid({(int)e} {ErrorCodes.Title(e)}{(IsInTheFuture ? ", timestamp in the future" : "")})" : "Valid";
}
