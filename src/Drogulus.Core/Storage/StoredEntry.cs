using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Storage;

/// <summary>
/// What the upkeep rules and quotas need to know of one row without its value: enumerated by
/// <see cref="IItemStore.Entries"/> so that a pass over the store never loads every value at once.
/// </summary>
/// <param name="Key">The item's key.</param>
/// <param name="Publisher">construct_key(public_key, "") of the item: who counts against <c>max-items-per-publisher</c>.</param>
/// <param name="Size">The item's <see cref="ItemSize.Of(Items.SignedItem)"/>.</param>
/// <param name="Timestamp">The item's timestamp.</param>
/// <param name="Expires">The item's expiry, Unix seconds; <c>&lt;= 0</c> never.</param>
/// <param name="UpdatedAt">When a store last wrote the row.</param>
/// <param name="AccessedAt">When a read last touched the row.</param>
public sealed record StoredEntry(Key Key, Key Publisher, long Size, double Timestamp, double Expires, DateTimeOffset UpdatedAt, DateTimeOffset AccessedAt)
{
    /// <summary>The entry of a whole row.</summary>
    public static StoredEntry Of(StoredItem row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var item = row.Item;
        return new StoredEntry(item.Key, PublisherOf(item.PublicKey), ItemSize.Of(item), item.Timestamp, item.Expires, row.UpdatedAt, row.AccessedAt)
        {
            Group = row.Group,
            Cached = row.Cached,
            Unpublished = row.Unpublished,
        };
    }

    /// <summary>
    /// The address group the copy is charged to (PROTOCOL §6): the group of the connection that stored it,
    /// <see cref="AddressGroup.Local"/> for the node's own puts, <see cref="AddressGroup.Unknown"/> for a row
    /// written before groups were kept.
    /// </summary>
    public AddressGroup Group { get; init; } = AddressGroup.Unknown;

    /// <summary>Whether the copy is a cached one (the node was not among the k closest it knew when it was stored or last classified).</summary>
    public bool Cached { get; init; }

    /// <summary>
    /// Whether the row is the node's own put that no peer has stored yet (<see cref="LocalStore.MarkUnpublished"/>):
    /// every republish pass stores it again, whatever the node's closeness, until a peer stores it.
    /// </summary>
    public bool Unpublished { get; init; }

    /// <summary>The publisher id of a public key PEM: construct_key(public_key, "").</summary>
    public static Key PublisherOf(string publicKeyPem) => Identity.Key.For(publicKeyPem, string.Empty);

    /// <summary>Whether the item is dead at <paramref name="nowUnixSeconds"/> (PROTOCOL §3 rule 3, under <paramref name="lifetime"/>).</summary>
    public bool IsExpiredAt(double nowUnixSeconds, ItemLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        return lifetime.IsExpiredAt(Timestamp, Expires, nowUnixSeconds);
    }

    /// <summary>The later of <see cref="UpdatedAt"/> and <see cref="AccessedAt"/>.</summary>
    public DateTimeOffset LastUsed => UpdatedAt > AccessedAt ? UpdatedAt : AccessedAt;
}
