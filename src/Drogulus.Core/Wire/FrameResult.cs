namespace Drogulus.Core.Wire;

/// <summary>
/// The outcome of feeding bytes to a <see cref="NetstringFramer"/>: fine, or the error to answer with
/// before closing the connection (PROTOCOL §4 framing: 4 Request too big, 1 Bad request).
/// </summary>
public readonly record struct FrameResult
{
    private FrameResult(ErrorCode? error, string reason)
    {
        Error = error;
        Reason = reason;
    }

    /// <summary>No error so far.</summary>
    public static FrameResult Ok => default;

    /// <summary>The error code, or null when the stream is well formed so far.</summary>
    public ErrorCode? Error { get; }

    /// <summary>What was wrong, for the error's details and logs; empty when fine.</summary>
    public string Reason { get; } = string.Empty;

    /// <summary>Whether the stream is well formed so far.</summary>
    public bool IsOk => Error is null;

    /// <summary>A failed result.</summary>
    public static FrameResult Fail(ErrorCode error, string reason) => new(error, reason);
}
