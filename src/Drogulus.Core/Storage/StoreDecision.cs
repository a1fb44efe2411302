using System.Collections.Immutable;
using Drogulus.Core.Wire;

namespace Drogulus.Core.Storage;

/// <summary>
/// The answer to a <c>store</c> request (PROTOCOL §6): stored (answered with <c>pong</c>), or refused
/// with an error code and the details map to send in the <c>error</c> message.
/// </summary>
/// <param name="Error">The refusal's code; <see langword="null"/> when the item was stored.</param>
/// <param name="Details">The error's details map; empty when stored.</param>
public sealed record StoreDecision(ErrorCode? Error, ImmutableSortedDictionary<string, string> Details)
{
    /// <summary>The item was stored; the answer is <c>pong</c>.</summary>
    public static StoreDecision Stored { get; } = new(null, ImmutableSortedDictionary<string, string>.Empty);

    /// <summary>Whether the item was stored.</summary>
    public bool IsStored => Error is null;

    /// <summary>A refusal with <paramref name="code"/> and no details.</summary>
    public static StoreDecision Refused(ErrorCode code) => new(code, ImmutableSortedDictionary<string, string>.Empty);

    /// <summary>A refusal with <paramref name="code"/> and one detail entry.</summary>
    public static StoreDecision Refused(ErrorCode code, string detailKey, string detailValue) =>
        new(code, ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal).Add(detailKey, detailValue));
}
