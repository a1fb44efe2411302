using Drogulus.Core.Identity;

namespace Drogulus.Core.Routing;

/// <summary>What <see cref="RoutingTable.Remove"/> did (PROTOCOL §8 remove).</summary>
public enum RemoveOutcome
{
    /// <summary>The id is in no bucket and no replacement cache.</summary>
    Ignored,

    /// <summary>The failure count went up but stays below allowed-rpc-fails: the contact stays.</summary>
    FailureCounted,

    /// <summary>The contact left its bucket (or the replacement cache it was waiting in).</summary>
    Removed,
}

/// <summary>The result of <see cref="RoutingTable.Remove"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Contact">The contact after the change (its failure count raised), or null when ignored.</param>
/// <param name="Replacement">
/// The cached contact promoted into the bucket in its place, if any. It is new to the table's buckets, so
/// the caller treats it as a newcomer (PROTOCOL §10).
/// </param>
public sealed record RemoveResult(RemoveOutcome Outcome, Contact? Contact, Contact? Replacement)
{
    /// <summary>The result for an unknown id.</summary>
    public static RemoveResult Ignored { get; } = new(RemoveOutcome.Ignored, null, null);
}
