using Drogulus.Core.Identity;

namespace Drogulus.Core.Storage;

/// <summary>
/// Persistence for signed items, one row per key. Holds no rules: <see cref="LocalStore"/> decides what
/// may be written. Methods are synchronous because one actor owns the store and calls it serially;
/// implementations need not be thread-safe.
/// </summary>
public interface IItemStore
{
    /// <summary>The row held under <paramref name="key"/>, or <see langword="null"/>.</summary>
    StoredItem? Get(Key key);

    /// <summary>Inserts the row, or replaces the whole row held under the same key.</summary>
    void Upsert(StoredItem item);

    /// <summary>Deletes the row under <paramref name="key"/>; <see langword="false"/> when none was held.</summary>
    bool Remove(Key key);

    /// <summary>How many rows are held.</summary>
    int Count();

    /// <summary>
    /// Every row, in no particular order. Callers finish enumerating before writing to the store, so
    /// an implementation may stream rows from a cursor.
    /// </summary>
    IEnumerable<StoredItem> All();

    /// <summary>
    /// Sets <see cref="StoredItem.AccessedAt"/> of the row under <paramref name="key"/>;
    /// <see langword="false"/> when none is held.
    /// </summary>
    bool Touch(Key key, DateTimeOffset accessedAt);

    /// <summary>
    /// Every row's <see cref="StoredEntry"/>, without values, in no particular order: what
    /// <see cref="LocalStore"/> builds its quota index from when it opens. Callers finish enumerating
    /// before writing. The default reads whole rows; a store on disk should read only the metadata.
    /// </summary>
    IEnumerable<StoredEntry> Entries() => All().Select(StoredEntry.Of);

    /// <summary>
    /// Sets the update and access times of several rows at once (rows no longer held are skipped). A store
    /// on disk should write them in one transaction and need not sync it: these times only decide when a
    /// copy is republished or an unread cached copy dropped, so losing a batch in a crash is harmless.
    /// </summary>
    void SetTimes(IReadOnlyCollection<StoredEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            if (Get(entry.Key) is { } row)
            {
                Upsert(row with { UpdatedAt = entry.UpdatedAt, AccessedAt = entry.AccessedAt });
            }
        }
    }
}
