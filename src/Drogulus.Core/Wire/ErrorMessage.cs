using System.Collections.Immutable;
using Drogulus.Core.Identity;

namespace Drogulus.Core.Wire;

/// <summary>
/// The reply to any request that failed (PROTOCOL §4, §12). <paramref name="Code"/> may hold a number
/// outside <see cref="ErrorCode"/>'s named values when a peer sends one. Equality compares details by content.
/// </summary>
/// <param name="Uuid">The request's id.</param>
/// <param name="Node">The sender's node id.</param>
/// <param name="ReplyPort">The sender's listening port, 0 for none.</param>
/// <param name="Version">The sender's protocol version.</param>
/// <param name="Code">The error code.</param>
/// <param name="Title">The error's title, normally <see cref="ErrorCodes.Title"/> of the code.</param>
/// <param name="Details">Field or context to explanation (copied into an ordinal sorted immutable map).</param>
public sealed record ErrorMessage(
    string Uuid,
    Key Node,
    int ReplyPort,
    string Version,
    ErrorCode Code,
    string Title,
    IReadOnlyDictionary<string, string> Details)
    : Message(Uuid, Node, ReplyPort, Version)
{
    private readonly ImmutableSortedDictionary<string, string> _details = Freeze(Details);

    /// <summary>Field or context to explanation, ordered by key.</summary>
    public IReadOnlyDictionary<string, string> Details
    {
        get => _details;
        init => _details = Freeze(value);
    }

    /// <inheritdoc />
    public override string WireName => WireNames.Error;

    /// <inheritdoc />
    public override bool IsRequest => false;

    /// <inheritdoc />
    public bool Equals(ErrorMessage? other) =>
        other is not null
        && base.Equals(other)
        && Code == other.Code
        && Title == other.Title
        && _details.Count == other._details.Count
        && _details.All(kv => other._details.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Code, Title, _details.Count);

    private static ImmutableSortedDictionary<string, string> Freeze(IReadOnlyDictionary<string, string> details)
    {
        ArgumentNullException.ThrowIfNull(details);
        return details is ImmutableSortedDictionary<string, string> sorted && sorted.KeyComparer == StringComparer.Ordinal
            ? sorted
            : details.ToImmutableSortedDictionary(StringComparer.Ordinal);
    }
}
