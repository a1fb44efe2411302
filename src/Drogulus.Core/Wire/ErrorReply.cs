using System.Collections.Immutable;
using Drogulus.Core.Identity;

namespace Drogulus.Core.Wire;

/// <summary>Builds <c>error</c> replies (PROTOCOL §4, §12) with the title the code names.</summary>
public static class ErrorReply
{
    /// <summary>The details PROTOCOL §6 gives a blacklisted sender: <c>{"message": "You have been blacklisted."}</c>.</summary>
    public static IReadOnlyDictionary<string, string> Blacklisted { get; } = Details("message", "You have been blacklisted.");

    /// <summary>An error answering <paramref name="request"/>, echoing its uuid.</summary>
    public static ErrorMessage For(
        Message request, ErrorCode code, IReadOnlyDictionary<string, string> details, Key ownNode, int replyPort)
    {
        ArgumentNullException.ThrowIfNull(request);
        return For(request.Uuid, code, details, ownNode, replyPort);
    }

    /// <summary>An error answering the request with id <paramref name="uuid"/>.</summary>
    public static ErrorMessage For(
        string uuid, ErrorCode code, IReadOnlyDictionary<string, string> details, Key ownNode, int replyPort)
    {
        ArgumentNullException.ThrowIfNull(uuid);
        return new ErrorMessage(uuid, ownNode, replyPort, ProtocolVersion.Current, code, ErrorCodes.Title(code), details);
    }

    /// <summary>
    /// The error answering a frame that did not decode. When its uuid could not be read the reply carries
    /// an empty uuid: the requester cannot match it, but still learns why its frame was refused.
    /// </summary>
    public static ErrorMessage For(DecodeFailure failure, Key ownNode, int replyPort)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return For(failure.Uuid ?? string.Empty, failure.Code, failure.Details, ownNode, replyPort);
    }

    /// <summary>Details with a single entry, e.g. <c>{"message": "You have been blacklisted."}</c>.</summary>
    public static IReadOnlyDictionary<string, string> Details(string field, string text) =>
        ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal).Add(field, text);
}
