namespace Drogulus.Core.Wire;

/// <summary>The error codes of PROTOCOL §12.</summary>
public enum ErrorCode
{
    /// <summary>Malformed frame, identity mismatch, blacklisted requester.</summary>
    BadRequest = 1,

    /// <summary>The frame decodes but is not a valid message.</summary>
    UnknownRequest = 2,

    /// <summary>An unexpected failure while handling the request.</summary>
    InternalError = 3,

    /// <summary>The frame is longer than <c>max-frame-size</c>, or a <c>value</c> is larger than <c>max-item-size</c>.</summary>
    RequestTooBig = 4,

    /// <summary>Another major protocol version.</summary>
    UnsupportedProtocol = 5,

    /// <summary>The signature does not verify.</summary>
    UnverifiableProvenance = 6,

    /// <summary><c>key</c> is not <c>construct_key(public_key, name)</c>.</summary>
    KeyMismatch = 7,

    /// <summary>A newer item is already held.</summary>
    SupersededValue = 8,

    /// <summary>The item's <c>expires</c> has passed.</summary>
    ExpiredValue = 9,

    /// <summary>The requester exceeded <c>rate-limit</c> (PROTOCOL §5); try later.</summary>
    Busy = 10,

    /// <summary>The item does not fit the node's quotas (PROTOCOL §6).</summary>
    StorageFull = 11,

    /// <summary>A <c>dialback</c> could not reach the requester (PROTOCOL §6, §10).</summary>
    Unreachable = 12,
}

/// <summary>Titles of the error codes as sent on the wire.</summary>
public static class ErrorCodes
{
    /// <summary>The title PROTOCOL §12 gives <paramref name="code"/>.</summary>
    public static string Title(ErrorCode code) => code switch
    {
        ErrorCode.BadRequest => "Bad request",
        ErrorCode.UnknownRequest => "Unknown request",
        ErrorCode.InternalError => "Internal error",
        ErrorCode.RequestTooBig => "Request too big",
        ErrorCode.UnsupportedProtocol => "Unsupported protocol",
        ErrorCode.UnverifiableProvenance => "Unverifiable provenance",
        ErrorCode.KeyMismatch => "Key mismatch",
        ErrorCode.SupersededValue => "Superseded value",
        ErrorCode.ExpiredValue => "Expired value",
        ErrorCode.Busy => "Busy",
        ErrorCode.StorageFull => "Storage full",
        ErrorCode.Unreachable => "Unreachable",
        _ => "Error " + (int)code,
    };
}
