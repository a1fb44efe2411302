using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Storage;

/// <summary>
/// One row of the item store: the signed item plus the two times the upkeep rules of PROTOCOL §10
/// need. Immutable; a write replaces the whole row.
/// </summary>
/// <param name="Item">The item exactly as last stored (the whole item, PROTOCOL §6).</param>
/// <param name="UpdatedAt">When a <c>store</c> last wrote this item.</param>
/// <param name="AccessedAt">
/// When a <c>findvalue</c> or local get last read the item; equals the first store time until the
/// first read, so "neither updated nor read" is simply both times being old.
/// </param>
public sealed record StoredItem(SignedItem Item, DateTimeOffset UpdatedAt, DateTimeOffset AccessedAt)
{
    /// <summary>The item's key, the row's primary key.</summary>
    public Key Key => Item.Key;

    /// <summary>
    /// The address group the copy is charged to (PROTOCOL §6), kept with the row across restarts; a row
    /// written before groups were kept is <see cref="AddressGroup.Unknown"/>.
    /// </summary>
    public AddressGroup Group { get; init; } = AddressGroup.Unknown;

    /// <summary>Whether the copy is a cached one, as decided when it was stored (PROTOCOL §6) or by the last republish pass.</summary>
    public bool Cached { get; init; }

    /// <summary>Whether the row is the node's own put that no peer has stored yet (see <see cref="StoredEntry.Unpublished"/>), kept across restarts.</summary>
    public bool Unpublished { get; init; }
}
