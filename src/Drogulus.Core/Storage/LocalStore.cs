using System.Globalization;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Limits;
using Drogulus.Core.Wire;

namespace Drogulus.Core.Storage;

/// <summary>
/// The item-store rules of a node: answering <c>store</c> (PROTOCOL §6, store row, with the size and quota
/// rules), the local read of <c>findvalue</c>/get, the republish pass and the hand-over to newcomers
/// (PROTOCOL §10; the paper's "republishing" and "new node joins: transfer key-value pairs" steps). Pure
/// logic over an <see cref="IItemStore"/>; time is always a parameter. Not thread-safe: one actor owns it.
/// </summary>
/// <remarks>
/// Keeps a <see cref="StoreIndex"/> of every row without its value, built from
/// <see cref="IItemStore.Entries"/> at construction: quotas cost O(log n) per store, passes over the store
/// enumerate keys and read values one at a time, and update/access times that need no write of their own
/// (reads, identical re-stores) are kept in memory and written in batches of
/// <see cref="StoreLimits.AccessFlushCount"/> (and on <see cref="FlushTimes"/>).
/// </remarks>
public sealed partial class LocalStore
{
    private readonly IItemStore _store;
    private readonly StoreIndex _index = new();
    private readonly Dictionary<Key, StoredEntry> _pendingTimes = new();

    /// <summary>Applies the rules to <paramref name="store"/> without size or quota bounds.</summary>
    public LocalStore(IItemStore store)
        : this(store, StoreLimits.None)
    {
    }

    /// <summary>Applies the rules to <paramref name="store"/> within <paramref name="limits"/>.</summary>
    public LocalStore(IItemStore store, StoreLimits limits)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(limits);
        _store = store;
        Limits = limits.Validated();
        foreach (var entry in store.Entries())
        {
            _index.Put(entry);
        }
    }

    /// <summary>The bounds applied to every store.</summary>
    public StoreLimits Limits { get; }

    /// <summary>How many items are held, live or not yet purged.</summary>
    public int Count => _index.Count;

    /// <summary>Bytes held (the sum of <see cref="ItemSize.Of(SignedItem)"/>), measured against <c>max-store-bytes</c>.</summary>
    public long TotalBytes => _index.TotalBytes;

    /// <summary>Items known to be cached copies (see <see cref="PlanRepublish"/>); the rest count as close.</summary>
    public int CachedCount => _index.CachedCount;

    /// <summary>Bytes of the cached copies, out of <see cref="TotalBytes"/>.</summary>
    public long CachedBytes => _index.CachedBytes;

    /// <summary>Items held under the publisher key <paramref name="publicKeyPem"/>.</summary>
    public int CountOf(string publicKeyPem) => _index.CountOf(StoredEntry.PublisherOf(publicKeyPem));

    /// <summary>Whether the item under <paramref name="key"/> is known to be a cached copy (see <see cref="PlanRepublish"/>).</summary>
    public bool IsCached(Key key) => _index.IsCached(key);

    /// <summary>Update or access times waiting to be written.</summary>
    public int PendingTimes => _pendingTimes.Count;

    /// <summary>Bytes charged to the address group <paramref name="group"/> (PROTOCOL §6).</summary>
    public long BytesOf(AddressGroup group) => _index.BytesOf(group);

    /// <summary>
    /// Whether a new item of <paramref name="size"/> bytes from a publisher holding nothing, put by the node
    /// itself (<see cref="AddressGroup.Local"/>), would fit in <c>max-store-bytes</c>, evicting from the
    /// largest group if need be (a node's health: false when the node's own puts already hold the largest share
    /// of a full store).
    /// </summary>
    public bool HasRoomFor(long size) => _index.PlanEviction(Key.Zero, Key.Zero, AddressGroup.Local, size, Limits) is not null;

    /// <summary>
    /// Runs one write statement that changes nothing (the access time of a key no item has), so that a
    /// store that can no longer be written (read-only, locked, closed) throws here rather than on the next store.
    /// </summary>
    public void ProbeWrite(DateTimeOffset now) => _store.Touch(Key.Zero, now);

    /// <summary>The keys of every item held, for classifying them before a republish pass.</summary>
    public IReadOnlyList<Key> AllKeys() => _index.Entries().Select(e => e.Key).ToArray();

    /// <summary>
    /// The cheap path of a <c>store</c>: when the live item held under the key is byte-identical to
    /// <paramref name="item"/> (so it was validated when it was stored), the store only refreshes the row's
    /// update time, in memory, and the caller answers <c>pong</c> without verifying or writing again.
    /// Compares timestamps from memory first, then the signatures, then the whole item.
    /// </summary>
    public bool RefreshIfIdentical(SignedItem item, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        var entry = _index.Get(item.Key);
        if (entry is null || !entry.Timestamp.Equals(item.Timestamp) || entry.IsExpiredAt(UnixSeconds(now), Limits.Lifetime))
        {
            return false;
        }

        var held = _store.Get(item.Key);
        if (held is null
            || !held.Item.Signature.Span.SequenceEqual(item.Signature.Span)
            || !held.Item.Equals(item))
        {
            return false;
        }

        RecordTimes(entry with { UpdatedAt = now });
        return true;
    }

    /// <summary>
    /// Stores <paramref name="item"/> for the node itself (its own put, or a refresh of its own copy): charged
    /// to <see cref="AddressGroup.Local"/>, keeping a replaced row's close or cached standing (a new row is close).
    /// </summary>
    public StoreDecision Store(SignedItem item, DateTimeOffset now) => Store(item, now, AddressGroup.Local, amongClosest: null);

    /// <summary>
    /// Answers a <c>store</c> of <paramref name="item"/>, whose signature and key the caller has already
    /// validated (PROTOCOL §3 rules 1 and 2), in the order of PROTOCOL §6:
    /// <list type="number">
    /// <item>rule 3 again (<see cref="StoreLimits.Lifetime"/>), so a dead item never enters the store: error 9,
    /// no details; a timestamp more than <c>max-clock-skew</c> ahead: error 9 with <c>{"timestamp": "in the future"}</c>;</item>
    /// <item>a held item with a strictly newer timestamp: error 8 with <c>{"new_timestamp": held}</c>, and it stays;</item>
    /// <item>a <c>value</c> larger than <c>max-item-size</c>: error 4 with <c>{"value": "larger than max-item-size"}</c>;</item>
    /// <item>past <c>max-items-per-publisher</c>: that publisher's cached copies are evicted, least recently used
    /// first; past <c>max-store-bytes</c>: copies of the group holding the most bytes, cached before close, least
    /// recently used first, while <paramref name="group"/> holds less than that group. When that is not enough,
    /// error 11 and nothing is evicted;</item>
    /// <item>otherwise (nothing held, or an older or equal timestamp) the whole item replaces the row, charged
    /// to <paramref name="group"/>.</item>
    /// </list>
    /// </summary>
    /// <param name="item">The validated item.</param>
    /// <param name="now">The node's clock.</param>
    /// <param name="group">The address group of the connection that stored it (PROTOCOL §6), or
    /// <see cref="AddressGroup.Local"/> for the node's own puts.</param>
    /// <param name="amongClosest">Whether the node is among the k closest it knows to the key, from its table at
    /// this moment: false makes the copy a cached one. Null only for the node's own copies: a replaced row keeps
    /// its standing and a new row is close.</param>
    /// <remarks>
    /// <c>new_timestamp</c> is the held timestamp truncated toward zero to whole seconds and written as
    /// an invariant-culture integer (1350544046.37 gives <c>"1350544046"</c>). A replacement keeps the
    /// row's access time (reads of the key stay reads); a new row starts with both times at <paramref name="now"/>.
    /// </remarks>
    public StoreDecision Store(SignedItem item, DateTimeOffset now, AddressGroup group, bool? amongClosest)
    {
        ArgumentNullException.ThrowIfNull(item);
        var rule3 = item.Rule3(UnixSeconds(now), Limits.Lifetime);
        if (!rule3.IsValid)
        {
            return rule3.IsInTheFuture
                ? StoreDecision.Refused(ErrorCode.ExpiredValue, "timestamp", ItemValidation.InTheFutureDetail)
                : StoreDecision.Refused(ErrorCode.ExpiredValue);
        }

        var held = _index.Get(item.Key);
        if (held is not null && held.Timestamp > item.Timestamp)
        {
            return StoreDecision.Refused(ErrorCode.SupersededValue, "new_timestamp", WholeSeconds(held.Timestamp));
        }

        if (!ItemSize.ValueFits(item, Limits.MaxItemSize))
        {
            return StoreDecision.Refused(ErrorCode.RequestTooBig, "value", "larger than max-item-size");
        }

        var cached = amongClosest is { } close ? !close : held?.Cached ?? false;
        var entry = new StoredEntry(
            item.Key, StoredEntry.PublisherOf(item.PublicKey), ItemSize.Of(item), item.Timestamp, item.Expires, now, held?.AccessedAt ?? now)
        {
            Group = group,
            Cached = cached,
        };
        var victims = _index.PlanEviction(entry.Key, entry.Publisher, group, entry.Size, Limits);
        if (victims is null)
        {
            return StoreDecision.Refused(ErrorCode.StorageFull);
        }

        foreach (var victim in victims)
        {
            Delete(victim);
        }

        _store.Upsert(new StoredItem(item, entry.UpdatedAt, entry.AccessedAt) { Group = group, Cached = cached });
        _pendingTimes.Remove(entry.Key);
        _index.Put(entry, cached);
        return StoreDecision.Stored;
    }

    /// <summary>
    /// The live item held under <paramref name="key"/>, as read by <c>findvalue</c> or a local get
    /// (PROTOCOL §6, §10); a read counts as an access, kept in memory until the next batch is written.
    /// An expired item is deleted and not returned.
    /// </summary>
    public SignedItem? Get(Key key, DateTimeOffset now)
    {
        var entry = _index.Get(key);
        if (entry is null)
        {
            return null;
        }

        if (entry.IsExpiredAt(UnixSeconds(now), Limits.Lifetime))
        {
            Delete(key);
            return null;
        }

        var held = _store.Get(key);
        if (held is null)
        {
            // Someone else deleted the row; forget it rather than answer from a stale index.
            _index.Remove(key);
            _pendingTimes.Remove(key);
            return null;
        }

        RecordTimes(entry with { AccessedAt = now });
        return held.Item;
    }

    /// <summary>
    /// Writes the update and access times kept in memory in one batch (<see cref="IItemStore.SetTimes"/>);
    /// call it on a timer and before closing the store. Returns how many rows were written.
    /// </summary>
    public int FlushTimes()
    {
        if (_pendingTimes.Count == 0)
        {
            return 0;
        }

        var batch = _pendingTimes.Values.ToArray();
        _pendingTimes.Clear();
        _store.SetTimes(batch);
        return batch.Length;
    }

    private void RecordTimes(StoredEntry entry)
    {
        _index.Put(entry);
        _pendingTimes[entry.Key] = entry;
        if (_pendingTimes.Count >= Limits.AccessFlushCount)
        {
            FlushTimes();
        }
    }

    private bool Delete(Key key)
    {
        _pendingTimes.Remove(key);
        _index.Remove(key);
        return _store.Remove(key);
    }

    /// <summary>
    /// The hand-over rule for one key (PROTOCOL §10): true when <paramref name="newcomer"/> is among the
    /// k closest nodes the node knows, the newcomer included, and the node itself is closer to
    /// <paramref name="key"/> than any other node it knows.
    /// </summary>
    /// <param name="key">The item key.</param>
    /// <param name="newcomer">The contact just heard of; never the node itself.</param>
    /// <param name="kClosestKnown">
    /// The k closest ids to <paramref name="key"/> in the node's buckets, with or without the newcomer; the
    /// own id, if listed, is ignored. Known nodes outside this list are farther, so comparing with the list
    /// is comparing with every known node.
    /// </param>
    /// <param name="k">The replication count k.</param>
    /// <param name="ownId">The node's own id.</param>
    /// <remarks>
    /// The newcomer is left out of the "closer than any other node" comparison: otherwise a newcomer that
    /// becomes the closest node to a key would receive it from nobody until the next republish, which is
    /// the case the hand-over exists for. Among the previous holders exactly one is the closest, so each
    /// item is handed over once per node that hears of the newcomer and believes itself the closest. The
    /// newcomer is among the k closest when fewer than k other known nodes are closer to the key than it,
    /// which holds whether or not the list names it. A tie in distance is impossible between distinct ids
    /// (XOR is a bijection).
    /// </remarks>
    public static bool ShouldHandOver(Key key, Key newcomer, IReadOnlyList<Key> kClosestKnown, int k, Key ownId)
    {
        ArgumentNullException.ThrowIfNull(kClosestKnown);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (newcomer == ownId)
        {
            return false;
        }

        var closerThanNewcomer = 0;
        foreach (var id in kClosestKnown)
        {
            if (id == ownId || id == newcomer)
            {
                continue;
            }

            if (key.CompareDistance(id, ownId) < 0)
            {
                return false;
            }

            if (key.CompareDistance(id, newcomer) < 0)
            {
                closerThanNewcomer++;
            }
        }

        return closerThanNewcomer < k;
    }

    private static double UnixSeconds(DateTimeOffset now) => SignedItem.UnixSeconds(now);

    private static string WholeSeconds(double timestamp)
    {
        var whole = Math.Truncate(timestamp);
        // -0.5 truncates to negative zero, which would print as "-0".
        return (whole == 0 ? 0.0 : whole).ToString("F0", CultureInfo.InvariantCulture);
    }
}
