using Drogulus.Core.Identity;

namespace Drogulus.Core.Storage;

/// <summary>
/// What one republish pass (PROTOCOL §10) does with the local items. Computing it changes nothing;
/// <see cref="LocalStore.ApplyDeletions"/> carries out <see cref="Delete"/>.
/// </summary>
/// <param name="Republish">Keys of the items to store again at the k closest nodes to them; each value is read when it is sent.</param>
/// <param name="Delete">Entries of the rows to delete: expired items and cached copies neither updated nor read for an interval.</param>
/// <param name="Skipped">How many items were left alone (recently updated, or cached copies still in use).</param>
public sealed record RepublishPlan(
    IReadOnlyList<Key> Republish,
    IReadOnlyList<StoredEntry> Delete,
    int Skipped);
