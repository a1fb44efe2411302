using Drogulus.Core.Identity;

namespace Drogulus.Core.Routing;

/// <summary>What <see cref="RoutingTable.Add"/> did with a contact (PROTOCOL §8 add).</summary>
public enum AddOutcome
{
    /// <summary>Own id or a blacklisted id: nothing changed.</summary>
    Ignored,

    /// <summary>
    /// The contact entered a bucket and was not in any bucket before: a newcomer, to which the node hands
    /// over the items it should hold (PROTOCOL §10).
    /// </summary>
    Inserted,

    /// <summary>The contact was already in its bucket; it moved to the tail with fresh details and no failures.</summary>
    Updated,

    /// <summary>The bucket was full and could not split; the contact went to that bucket's replacement cache.</summary>
    Cached,
}

/// <summary>The result of <see cref="RoutingTable.Add"/>.</summary>
/// <param name="Outcome">What happened to the contact.</param>
/// <param name="Contact">The contact as stored (failure count reset), or null when ignored.</param>
public sealed record AddResult(AddOutcome Outcome, Contact? Contact)
{
    /// <summary>The result for an ignored contact.</summary>
    public static AddResult Ignored { get; } = new(AddOutcome.Ignored, null);

    /// <summary>Whether the contact is new to the table's buckets.</summary>
    public bool IsNew => Outcome == AddOutcome.Inserted;

    /// <summary>
    /// Whether the node had heard of the contact in neither a bucket nor a replacement cache before this add:
    /// the moment to hand items over to it (PROTOCOL §10, handing over to newcomers, proposed amendment). A
    /// contact moved from the cache into a bucket is not a first sight; a full bucket's cache is.
    /// </summary>
    public bool IsFirstSight { get; init; }
}
