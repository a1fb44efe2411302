using Drogulus.Core.Identity;

namespace Drogulus.Core.Storage;

/// <summary>An <see cref="IItemStore"/> held in a dictionary; nothing survives the process.</summary>
public sealed class InMemoryItemStore : IItemStore
{
    private readonly Dictionary<Key, StoredItem> _rows = new();

    /// <inheritdoc />
    public StoredItem? Get(Key key) => _rows.GetValueOrDefault(key);

    /// <inheritdoc />
    public void Upsert(StoredItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _rows[item.Key] = item;
    }

    /// <inheritdoc />
    public bool Remove(Key key) => _rows.Remove(key);

    /// <inheritdoc />
    public int Count() => _rows.Count;

    /// <inheritdoc />
    /// <remarks>A snapshot, so that writing while enumerating is harmless here too.</remarks>
    public IEnumerable<StoredItem> All() => _rows.Values.ToArray();

    /// <inheritdoc />
    public bool Touch(Key key, DateTimeOffset accessedAt)
    {
        if (!_rows.TryGetValue(key, out var row))
        {
            return false;
        }

        _rows[key] = row with { AccessedAt = accessedAt };
        return true;
    }
}
