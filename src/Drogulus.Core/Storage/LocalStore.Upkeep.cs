using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Storage;

/// <summary>The upkeep rules of PROTOCOL §10: the republish pass and the hand-over to newcomers.</summary>
public sealed partial class LocalStore
{
    /// <summary>
    /// Plans one republish pass (PROTOCOL §10, republish). For each row, the first rule that applies:
    /// <list type="number">
    /// <item>expired: delete;</item>
    /// <item>the node's own put that no peer has stored yet (<see cref="MarkUnpublished"/>): republish, even
    /// when it was updated within the interval and even when the table knows closer nodes (those did not answer
    /// the put); never a cached copy, so it is neither deleted as unread nor evicted before close copies;</item>
    /// <item>a cached copy (<paramref name="isAmongClosest"/> is false: the node is not among the k
    /// closest nodes it knows to the key): never republished; deleted when its latest update or read
    /// is at least <paramref name="replicateInterval"/> old, else kept;</item>
    /// <item>updated by a store less than <paramref name="replicateInterval"/> ago: skipped, because some
    /// other holder republished it;</item>
    /// <item>otherwise: republish.</item>
    /// </list>
    /// An item at one of the closest nodes is never deleted for being unread (PROTOCOL §11). No row is
    /// changed here, but the classification is remembered: it decides which copies the quotas may evict
    /// (see <see cref="Store(SignedItem, DateTimeOffset, AddressGroup, bool?)"/>). Pass the plan to <see cref="ApplyDeletions"/>. The pass walks the
    /// in-memory index and reads no value: the plan names the keys to republish, and the caller reads each
    /// item (<see cref="Peek"/>) when it is about to store it again.
    /// </summary>
    public RepublishPlan PlanRepublish(DateTimeOffset now, TimeSpan replicateInterval, Func<Key, bool> isAmongClosest)
    {
        ArgumentNullException.ThrowIfNull(isAmongClosest);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(replicateInterval, TimeSpan.Zero);

        // A pass is a natural point to write the times kept in memory, so they never lag by more than one interval.
        FlushTimes();
        var nowSeconds = UnixSeconds(now);
        var republish = new List<Key>();
        var delete = new List<StoredEntry>();
        var skipped = 0;
        foreach (var entry in _index.Entries())
        {
            if (entry.IsExpiredAt(nowSeconds, Limits.Lifetime))
            {
                delete.Add(entry);
                continue;
            }

            if (entry.Unpublished)
            {
                _index.SetCached(entry.Key, false);
                republish.Add(entry.Key);
                continue;
            }

            var close = isAmongClosest(entry.Key);
            _index.SetCached(entry.Key, !close);
            if (!close)
            {
                if (now - entry.LastUsed >= replicateInterval)
                {
                    delete.Add(entry);
                }
                else
                {
                    skipped++;
                }
            }
            else if (now - entry.UpdatedAt < replicateInterval)
            {
                skipped++;
            }
            else
            {
                republish.Add(entry.Key);
            }
        }

        return new RepublishPlan(republish, delete, skipped);
    }

    /// <summary>
    /// Marks the row under <paramref name="key"/>, when it holds the version of <paramref name="timestamp"/>, as
    /// the node's own put that no peer stored (<c>PutCompleted.StoredOnlyLocally</c>: no peer was known or none
    /// answered). PROTOCOL §10 calls a copy cached when the node is not among the k closest nodes it knows, and
    /// never republishes it; but the nodes a put could not reach are still in the table, so without this mark the
    /// only copy of a put made while the node was cut off would be dropped as an unread cached copy instead of
    /// reaching the network when it comes back. Returns whether the row is marked. The mark is written with the row.
    /// </summary>
    public bool MarkUnpublished(Key key, double timestamp) => SetUnpublished(key, timestamp, true);

    /// <summary>
    /// Clears the mark of <see cref="MarkUnpublished"/> once a peer stored the version of
    /// <paramref name="timestamp"/> (a republish or a later put reached one); from then on the row is classified
    /// as any other. Returns whether a mark was cleared.
    /// </summary>
    public bool MarkPublished(Key key, double timestamp) => SetUnpublished(key, timestamp, false);

    /// <summary>How many rows are marked <see cref="StoredEntry.Unpublished"/>.</summary>
    public int UnpublishedCount => _index.UnpublishedCount;

    private bool SetUnpublished(Key key, double timestamp, bool unpublished)
    {
        // Only the version the put was about: a newer one stored since then has its own standing.
        if (_index.Get(key) is not { } entry || !entry.Timestamp.Equals(timestamp) || entry.Unpublished == unpublished)
        {
            return false;
        }

        if (_store.Get(key) is not { } row)
        {
            return false;
        }

        var marked = entry with { Unpublished = unpublished };
        if (unpublished)
        {
            marked = marked with { Cached = false };
        }

        _store.Upsert(row with { Unpublished = unpublished, Cached = marked.Cached, UpdatedAt = marked.UpdatedAt, AccessedAt = marked.AccessedAt });
        _pendingTimes.Remove(key);
        _index.Put(marked, marked.Cached);
        return true;
    }

    /// <summary>
    /// Deletes the rows that <paramref name="plan"/> condemned, except those written or read since the
    /// plan was made (a later store or read revives a row). Returns how many rows were deleted.
    /// </summary>
    public int ApplyDeletions(RepublishPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var deleted = 0;
        foreach (var planned in plan.Delete)
        {
            // The pass itself may have reclassified the row as cached or close: that is no store or read.
            if (_index.Get(planned.Key) is { } current && Equals(current with { Cached = planned.Cached }, planned) && Delete(planned.Key))
            {
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>
    /// The items to send to <paramref name="newcomer"/>, a contact the node has just heard of for the first
    /// time, whether it entered a bucket or, its bucket being full, only the replacement cache
    /// (<see cref="Routing.AddResult.IsFirstSight"/>; PROTOCOL §10, handing over to newcomers, with the
    /// proposed amendment; the paper's §2.5 join rule): every live item for which
    /// <see cref="ShouldHandOver"/> holds. The keys are chosen from the index and each value is read once,
    /// all into one list: for simulations and specs. A node uses <see cref="HandOverKeys"/> and reads each
    /// value (<see cref="Peek"/>) only when its store is about to be sent (see <see cref="HandOverQueue{T}"/>).
    /// </summary>
    /// <param name="newcomer">The new contact's id.</param>
    /// <param name="kClosestKnownIds">
    /// For an item key, the ids of the k closest nodes in the node's buckets, the node itself excluded (an
    /// own id in the list is ignored). The newcomer may be among them or not (a newcomer in a replacement
    /// cache is in no bucket); it is counted as known either way.
    /// </param>
    /// <param name="k">The replication count k (PROTOCOL §1).</param>
    /// <param name="ownId">The node's own id.</param>
    /// <param name="now">Dead items are not handed over (the newcomer would refuse them with error 9).</param>
    public IReadOnlyList<SignedItem> HandOverTo(
        Key newcomer,
        Func<Key, IReadOnlyList<Key>> kClosestKnownIds,
        int k,
        Key ownId,
        DateTimeOffset now)
    {
        var result = new List<SignedItem>();
        foreach (var key in HandOverKeys(newcomer, kClosestKnownIds, k, ownId, now))
        {
            if (_store.Get(key) is { } row)
            {
                result.Add(row.Item);
            }
        }

        return result;
    }

    /// <summary>
    /// The keys <see cref="HandOverTo"/> would hand over, without reading any value, so that a caller can
    /// stream them and read each item when it is about to be sent.
    /// </summary>
    public IReadOnlyList<Key> HandOverKeys(
        Key newcomer,
        Func<Key, IReadOnlyList<Key>> kClosestKnownIds,
        int k,
        Key ownId,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(kClosestKnownIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var result = new List<Key>();
        if (newcomer == ownId)
        {
            return result;
        }

        var nowSeconds = UnixSeconds(now);
        foreach (var entry in _index.Entries())
        {
            if (!entry.IsExpiredAt(nowSeconds, Limits.Lifetime) && ShouldHandOver(entry.Key, newcomer, kClosestKnownIds(entry.Key), k, ownId))
            {
                result.Add(entry.Key);
            }
        }

        return result;
    }

    /// <summary>
    /// The live item under <paramref name="key"/> without counting a read: for the upkeep passes, which
    /// read one value at a time as they send it.
    /// </summary>
    public SignedItem? Peek(Key key, DateTimeOffset now)
    {
        var entry = _index.Get(key);
        return entry is null || entry.IsExpiredAt(UnixSeconds(now), Limits.Lifetime) ? null : _store.Get(key)?.Item;
    }
}
