using Drogulus.Core.Identity;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Storage;

/// <summary>
/// The in-memory picture of an item store that the quotas of PROTOCOL §6 need: every row's entry (no
/// value), bytes in total, items per publisher with their cached copies, and bytes per address group with
/// the group's cached and close copies, each in least-recently-used order. Built from
/// <see cref="IItemStore.Entries"/> when a <see cref="LocalStore"/> opens, then kept in step with every
/// write: O(log n) per store, read or removal. Planning an eviction is in <c>StoreIndex.Eviction.cs</c>.
/// </summary>
internal sealed partial class StoreIndex
{
    private static readonly Comparer<StoredEntry> ByLastUsed = Comparer<StoredEntry>.Create((a, b) =>
    {
        var c = a.LastUsed.CompareTo(b.LastUsed);
        return c != 0 ? c : a.Key.CompareTo(b.Key);
    });

    // Largest group first; equal groups in ordinal order of their names, so that eviction is reproducible.
    private static readonly Comparer<GroupShare> ByBytesDescending = Comparer<GroupShare>.Create((a, b) =>
    {
        var c = b.Bytes.CompareTo(a.Bytes);
        return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
    });

    private readonly Dictionary<Key, StoredEntry> _slots = new();
    private readonly Dictionary<Key, Publisher> _publishers = new();
    private readonly Dictionary<AddressGroup, GroupShare> _groups = new();
    private readonly SortedSet<GroupShare> _groupsBySize = new(ByBytesDescending);

    /// <summary>Rows held.</summary>
    public int Count => _slots.Count;

    /// <summary>Sum of the rows' <see cref="StoredEntry.Size"/>.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>Rows known to be cached copies (the node is not among the k closest to their keys).</summary>
    public int CachedCount { get; private set; }

    /// <summary>Sum of the cached rows' <see cref="StoredEntry.Size"/>.</summary>
    public long CachedBytes { get; private set; }

    /// <summary>Entries marked <see cref="StoredEntry.Unpublished"/>.</summary>
    public int UnpublishedCount { get; private set; }

    /// <summary>The entry under <paramref name="key"/>, or null.</summary>
    public StoredEntry? Get(Key key) => _slots.GetValueOrDefault(key);

    /// <summary>Whether the row under <paramref name="key"/> is known to be a cached copy.</summary>
    public bool IsCached(Key key) => _slots.TryGetValue(key, out var entry) && entry.Cached;

    /// <summary>Items held under <paramref name="publisher"/>.</summary>
    public int CountOf(Key publisher) => _publishers.TryGetValue(publisher, out var p) ? p.Count : 0;

    /// <summary>Bytes charged to <paramref name="group"/>.</summary>
    public long BytesOf(AddressGroup group) => _groups.TryGetValue(group, out var g) ? g.Bytes : 0;

    /// <summary>A snapshot of every entry, in no particular order.</summary>
    public IReadOnlyList<StoredEntry> Entries() => _slots.Values.ToArray();

    /// <summary>
    /// Adds or replaces the entry under its key. <paramref name="cached"/> null keeps a replaced row's flag,
    /// and takes a new row's <see cref="StoredEntry.Cached"/> as it is.
    /// </summary>
    public void Put(StoredEntry entry, bool? cached = null)
    {
        var isCached = cached ?? entry.Cached;
        if (_slots.TryGetValue(entry.Key, out var old))
        {
            isCached = cached ?? old.Cached;
            Remove(entry.Key);
        }

        entry = entry with { Cached = isCached };
        _slots.Add(entry.Key, entry);
        TotalBytes += entry.Size;
        UnpublishedCount += entry.Unpublished ? 1 : 0;
        var publisher = PublisherFor(entry.Publisher);
        publisher.Count++;
        var group = GroupFor(entry.Group);
        _groupsBySize.Remove(group);
        group.Bytes += entry.Size;
        _groupsBySize.Add(group);
        if (isCached)
        {
            publisher.Cached.Add(entry);
            group.Cached.Add(entry);
            CachedCount++;
            CachedBytes += entry.Size;
        }
        else
        {
            group.Close.Add(entry);
        }
    }

    /// <summary>Removes the entry under <paramref name="key"/>; false when none was held.</summary>
    public bool Remove(Key key)
    {
        if (!_slots.Remove(key, out var entry))
        {
            return false;
        }

        TotalBytes -= entry.Size;
        UnpublishedCount -= entry.Unpublished ? 1 : 0;
        var publisher = _publishers[entry.Publisher];
        publisher.Count--;
        var group = _groups[entry.Group];
        _groupsBySize.Remove(group);
        group.Bytes -= entry.Size;
        if (entry.Cached)
        {
            publisher.Cached.Remove(entry);
            group.Cached.Remove(entry);
            CachedCount--;
            CachedBytes -= entry.Size;
        }
        else
        {
            group.Close.Remove(entry);
        }

        if (publisher.Count == 0)
        {
            _publishers.Remove(entry.Publisher);
        }

        if (group.Cached.Count + group.Close.Count == 0)
        {
            _groups.Remove(entry.Group);
        }
        else
        {
            _groupsBySize.Add(group);
        }

        return true;
    }

    /// <summary>Marks the row under <paramref name="key"/> as a cached copy or a close one, if held.</summary>
    public void SetCached(Key key, bool cached)
    {
        if (_slots.TryGetValue(key, out var entry) && entry.Cached != cached)
        {
            Put(entry, cached);
        }
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

    private GroupShare GroupFor(AddressGroup id)
    {
        if (!_groups.TryGetValue(id, out var group))
        {
            group = new GroupShare(id);
            _groups.Add(id, group);
        }

        return group;
    }

    private sealed class Publisher
    {
        public int Count { get; set; }

        public SortedSet<StoredEntry> Cached { get; } = new(ByLastUsed);
    }

    // One address group's share of the store (PROTOCOL §6): what it is charged and what can be evicted from it.
    private sealed class GroupShare(AddressGroup group)
    {
        public AddressGroup Group { get; } = group;

        public string Name => Group.Value;

        public long Bytes { get; set; }

        public SortedSet<StoredEntry> Cached { get; } = new(ByLastUsed);

        public SortedSet<StoredEntry> Close { get; } = new(ByLastUsed);
    }
}
