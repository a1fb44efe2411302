using System.Diagnostics.CodeAnalysis;

namespace Drogulus.Core.Wire;

/// <summary>
/// Why a frame's payload is not a valid message, and what to answer (PROTOCOL §4, §12): code 1 when the
/// payload is not one msgpack map, 2 when the map is not a valid message, 5 for another major version.
/// </summary>
/// <param name="Uuid">The request's uuid when it could be read, so the error reply can echo it; else null.</param>
/// <param name="Code">The error code to answer with.</param>
/// <param name="Details">The details of the error reply, ordered by key.</param>
public sealed record DecodeFailure(string? Uuid, ErrorCode Code, IReadOnlyDictionary<string, string> Details);

/// <summary>Either a decoded <see cref="Wire.Message"/> or a <see cref="DecodeFailure"/>.</summary>
public sealed class DecodeResult
{
    private DecodeResult(Message? message, DecodeFailure? failure)
    {
        Message = message;
        Failure = failure;
    }

    /// <summary>The message, when decoding succeeded.</summary>
    public Message? Message { get; }

    /// <summary>The failure, when decoding failed.</summary>
    public DecodeFailure? Failure { get; }

    /// <summary>Whether <see cref="Message"/> is set (and <see cref="Failure"/> is not).</summary>
    [MemberNotNullWhen(true, nameof(Message))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsSuccess => Message is not null;

    /// <summary>A successful result.</summary>
    public static DecodeResult Success(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new DecodeResult(message, null);
    }

    /// <summary>A failed result.</summary>
    public static DecodeResult Fail(DecodeFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new DecodeResult(null, failure);
    }

    /// <inheritdoc />
    public override string ToString() => IsSuccess ? $"Decoded {Message}" : $"DecodeFailure {Failure}";
}
