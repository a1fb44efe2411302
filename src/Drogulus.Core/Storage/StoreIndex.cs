using Drogulus.Core.Identity;

namespace Drogulus.Core.Storage;

/// <summary>
/// The in-memory picture of an item store that the quotas of PROTOCOL §6 need: every row's entry (no
/// value), bytes in total, items per publisher, and the cached copies in least-recently-used order, over
/// the whole store and per publisher. Built from <see cref="IItemStore.Entries"/> when a
/// <see cref="LocalStore"/> opens, then kept in step with every write: O(log n) per store, read or removal.
/// </summary>
internal sealed class StoreIndex
{
    private static readonly Comparer<Slot> ByLastUsed = Comparer<Slot>.Create((a, b) =>
    {
        var c = a.Entry.LastUsed.CompareTo(b.Entry.LastUsed);
        return c != 0 ? c : a.Entry.Key.CompareTo(b.Entry.Key);
    });

    private readonly Dictionary<Key, Slot> _slots = new();
    private readonly Dictionary<Key, Publisher> _publishers = new();
    private readonly SortedSet<Slot> _cached = new(ByLastUsed);

    /// <summary>Rows held.</summary>
    public int Count => _slots.Count;

    /// <summary>Sum of the rows' <see cref="StoredEntry.Size"/>.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>Rows known to be cached copies (the node is not among the k closest to their keys).</summary>
    public int CachedCount => _cached.Count;

    /// <summary>Sum of the cached rows' <see cref="StoredEntry.Size"/>.</summary>
    public long CachedBytes { get; private set; }

    /// <summary>The entry under <paramref name="key"/>, or null.</summary>
    public StoredEntry? Get(Key key) => _slots.TryGetValue(key, out var slot) ? slot.Entry : null;

    /// <summary>Whether the row under <paramref name="key"/> is known to be a cached copy.</summary>
    public bool IsCached(Key key) => _slots.TryGetValue(key, out var slot) && slot.Cached;

    /// <summary>Items held under <paramref name="publisher"/>.</summary>
    public int CountOf(Key publisher) => _publishers.TryGetValue(publisher, out var p) ? p.Count : 0;

    /// <summary>A snapshot of every entry, in no particular order.</summary>
    public IReadOnlyList<StoredEntry> Entries() => _slots.Values.Select(s => s.Entry).ToArray();

    /// <summary>
    /// Adds or replaces the entry under its key. <paramref name="cached"/> null keeps a replaced row's
    /// flag and counts a new row as close: a copy is only treated as cached once the routing table said so.
    /// </summary>
    public void Put(StoredEntry entry, bool? cached = null)
    {
        var wasCached = false;
        if (_slots.TryGetValue(entry.Key, out var old))
        {
            wasCached = old.Cached;
            Remove(entry.Key);
        }

        var slot = new Slot(entry, cached ?? wasCached);
        _slots.Add(entry.Key, slot);
        TotalBytes += entry.Size;
        var publisher = PublisherFor(entry.Publisher);
        publisher.Count++;
        if (slot.Cached)
        {
            _cached.Add(slot);
            publisher.Cached.Add(slot);
            CachedBytes += entry.Size;
        }
    }

    /// <summary>Removes the entry under <paramref name="key"/>; false when none was held.</summary>
    public bool Remove(Key key)
    {
        if (!_slots.Remove(key, out var slot))
        {
            return false;
        }

        TotalBytes -= slot.Entry.Size;
        var publisher = _publishers[slot.Entry.Publisher];
        publisher.Count--;
        if (slot.Cached)
        {
            _cached.Remove(slot);
            publisher.Cached.Remove(slot);
            CachedBytes -= slot.Entry.Size;
        }

        if (publisher.Count == 0)
        {
            _publishers.Remove(slot.Entry.Publisher);
        }

        return true;
    }

    /// <summary>Sets the access time of the row under <paramref name="key"/>, if held.</summary>
    public void Touch(Key key, DateTimeOffset accessedAt)
    {
        if (_slots.TryGetValue(key, out var slot))
        {
            Put(slot.Entry with { AccessedAt = accessedAt });
        }
    }

    /// <summary>Marks the row under <paramref name="key"/> as a cached copy or a close one, if held.</summary>
    public void SetCached(Key key, bool cached)
    {
        if (_slots.TryGetValue(key, out var slot) && slot.Cached != cached)
        {
            Put(slot.Entry, cached);
        }
    }

    /// <summary>
    /// The cached copies to evict, least recently used first, so that a store of <paramref name="size"/>
    /// bytes under <paramref name="key"/> by <paramref name="publisher"/> fits <paramref name="limits"/>;
    /// empty when it fits as it is, null when evicting every eligible cached copy would not be enough.
    /// The row being replaced is never a victim (it gives way anyway) and close copies never are.
    /// </summary>
    public IReadOnlyList<Key>? PlanEviction(Key key, Key publisher, long size, StoreLimits limits)
    {
        if (size > limits.MaxStoreBytes)
        {
            return null;
        }

        _slots.TryGetValue(key, out var held);
        var bytesOver = TotalBytes - (held?.Entry.Size ?? 0) + size - limits.MaxStoreBytes;
        var itemsOver = (long)CountOf(publisher) - (held is not null && held.Entry.Publisher == publisher ? 1 : 0) + 1 - limits.MaxItemsPerPublisher;
        if (bytesOver <= 0 && itemsOver <= 0)
        {
            return [];
        }

        var victims = new List<Key>();
        var chosen = new HashSet<Key>();
        if (itemsOver > 0)
        {
            if (!_publishers.TryGetValue(publisher, out var own))
            {
                return null;
            }

            foreach (var slot in own.Cached)
            {
                if (itemsOver <= 0)
                {
                    break;
                }

                if (slot.Entry.Key != key)
                {
                    victims.Add(slot.Entry.Key);
                    chosen.Add(slot.Entry.Key);
                    bytesOver -= slot.Entry.Size;
                    itemsOver--;
                }
            }

            if (itemsOver > 0)
            {
                return null;
            }
        }

        foreach (var slot in _cached)
        {
            if (bytesOver <= 0)
            {
                break;
            }

            if (slot.Entry.Key != key && chosen.Add(slot.Entry.Key))
            {
                victims.Add(slot.Entry.Key);
                bytesOver -= slot.Entry.Size;
            }
        }

        return bytesOver > 0 ? null : victims;
    }

    private Publisher PublisherFor(Key id)
    {
        if (!_publishers.TryGetValue(id, out var publisher))
        {
            publisher = new Publisher();
            _publishers.Add(id, publisher);
        }

        return publisher;
    }

    private sealed record Slot(StoredEntry Entry, bool Cached);

    private sealed class Publisher
    {
        public int Count { get; set; }

        public SortedSet<Slot> Cached { get; } = new(ByLastUsed);
    }
}
