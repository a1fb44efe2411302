using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.Core.Storage;

/// <summary>The upkeep rules of PROTOCOL §10: the republish pass and the hand-over to newcomers.</summary>
public sealed partial class LocalStore
{
    /// <summary>
    /// Plans one republish pass (PROTOCOL §10, republish). For each row, the first rule that applies:
    /// <list type="number">
    /// <item>expired: delete;</item>
    /// <item>a cached copy (<paramref name="isAmongClosest"/> is false: the node is not among the k
    /// closest nodes it knows to the key): never republished; deleted when its latest update or read
    /// is at least <paramref name="replicateInterval"/> old, else kept;</item>
    /// <item>updated by a store less than <paramref name="replicateInterval"/> ago: skipped, because some
    /// other holder republished it;</item>
    /// <item>otherwise: republish.</item>
    /// </list>
    /// An item at one of the closest nodes is never deleted for being unread (PROTOCOL §11). No row is
    /// changed here, but the classification is remembered: it decides which copies the quotas may evict
    /// (see <see cref="Store"/>). Pass the plan to <see cref="ApplyDeletions"/>. The pass walks the
    /// in-memory index and reads only the values it republishes, one at a time.
    /// </summary>
    public RepublishPlan PlanRepublish(DateTimeOffset now, TimeSpan replicateInterval, Func<Key, bool> isAmongClosest)
    {
        ArgumentNullException.ThrowIfNull(isAmongClosest);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(replicateInterval, TimeSpan.Zero);

        // A pass is a natural point to write the times kept in memory, so they never lag by more than one interval.
        FlushTimes();
        var nowSeconds = UnixSeconds(now);
        var republish = new List<SignedItem>();
        var delete = new List<StoredEntry>();
        var skipped = 0;
        foreach (var entry in _index.Entries())
        {
            if (entry.IsExpiredAt(nowSeconds))
            {
                delete.Add(entry);
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
            else if (_store.Get(entry.Key) is { } row)
            {
                republish.Add(row.Item);
            }
        }

        return new RepublishPlan(republish, delete, skipped);
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
            if (Equals(_index.Get(planned.Key), planned) && Delete(planned.Key))
            {
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>
    /// The items to send to <paramref name="newcomer"/>, a contact that just entered the routing table
    /// for the first time (PROTOCOL §10, handing over to newcomers; the paper's §2.5 join rule): every live
    /// item for which <paramref name="newcomer"/> is among the k closest known nodes and the node itself is
    /// closer to the key than any other node it knew before the newcomer arrived. Keys are chosen from the
    /// in-memory index; only the chosen values are read.
    /// </summary>
    /// <param name="newcomer">The new contact's id.</param>
    /// <param name="kClosestKnownIds">
    /// For an item key, the ids of the k closest nodes the node knows, the newcomer included and the
    /// node itself excluded (an own id in the list is ignored). Known nodes outside this list are
    /// farther, so being closer than every id in it is being closer than every other known node.
    /// </param>
    /// <param name="ownId">The node's own id.</param>
    /// <param name="now">Dead items are not handed over (the newcomer would refuse them with error 9).</param>
    /// <remarks>
    /// The newcomer is left out of the "closer than any other node" comparison: otherwise a newcomer that
    /// becomes the closest node to a key would receive it from nobody until the next republish, which is
    /// the case the hand-over exists for. Among the previous holders exactly one is the closest, so each
    /// item is handed over once. A tie in distance is impossible between distinct ids (XOR is a bijection).
    /// </remarks>
    public IReadOnlyList<SignedItem> HandOverTo(
        Key newcomer,
        Func<Key, IReadOnlyList<Key>> kClosestKnownIds,
        Key ownId,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(kClosestKnownIds);
        var result = new List<SignedItem>();
        if (newcomer == ownId)
        {
            return result;
        }

        foreach (var key in HandOverKeys(newcomer, kClosestKnownIds, ownId, now))
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
        Key ownId,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(kClosestKnownIds);
        var result = new List<Key>();
        if (newcomer == ownId)
        {
            return result;
        }

        var nowSeconds = UnixSeconds(now);
        foreach (var entry in _index.Entries())
        {
            if (entry.IsExpiredAt(nowSeconds))
            {
                continue;
            }

            var key = entry.Key;
            var newcomerAmongClosest = false;
            var ownIsClosest = true;
            foreach (var id in kClosestKnownIds(key))
            {
                if (id == ownId)
                {
                    continue;
                }

                if (id == newcomer)
                {
                    newcomerAmongClosest = true;
                    continue;
                }

                if (key.CompareDistance(ownId, id) >= 0)
                {
                    ownIsClosest = false;
                    break;
                }
            }

            if (newcomerAmongClosest && ownIsClosest)
            {
                result.Add(key);
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
        return entry is null || entry.IsExpiredAt(UnixSeconds(now)) ? null : _store.Get(key)?.Item;
    }
}
