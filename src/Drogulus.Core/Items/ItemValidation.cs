using Drogulus.Core.Wire;

namespace Drogulus.Core.Items;

/// <summary>
/// Outcome of validating a signed item (PROTOCOL §3): valid, or the error code of the first rule that
/// failed (6 signature, 7 key, 9 expired).
/// </summary>
/// <param name="Error">The failed rule's error code; <c>null</c> when the item is valid.</param>
public readonly record struct ItemValidation(ErrorCode? Error)
{
    /// <summary>A valid item.</summary>
    public static ItemValidation Ok => default;

    /// <summary>Whether every rule held.</summary>
    public bool IsValid => Error is null;

    /// <summary>A failure with <paramref name="error"/>.</summary>
    public static ItemValidation Fail(ErrorCode error) => new(error);

    /// <inheritdoc />
    public override string ToString() => Error is { } e ? $"Invalid({(int)e} {ErrorCodes.Title(e)})" : "Valid";
}
