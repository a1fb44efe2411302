using System.Globalization;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Core.Storage;

/// <summary>
/// The item-store rules of a node: answering <c>store</c> (PROTOCOL §6, store row), the local read of
/// <c>findvalue</c>/get, the republish pass and the hand-over to newcomers (PROTOCOL §10; the paper's
/// "republishing" and "new node joins: transfer key-value pairs" steps). Pure logic over an
/// <see cref="IItemStore"/>; time is always a parameter. Not thread-safe: one actor owns it.
/// </summary>
public sealed class LocalStore
{
    private readonly IItemStore _store;

    /// <summary>Applies the rules to <paramref name="store"/>.</summary>
    public LocalStore(IItemStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>How many items are held, live or not yet purged.</summary>
    public int Count => _store.Count();

    /// <summary>The keys of every item held, for classifying them before a republish pass.</summary>
    public IReadOnlyList<Key> AllKeys() => _store.All().Select(row => row.Key).ToArray();

    /// <summary>
    /// Answers a <c>store</c> of <paramref name="item"/>, whose signature and key the caller has
    /// already validated (PROTOCOL §3 rules 1 and 2). Expiry (rule 3) is checked again here so that a
    /// dead item can never enter the store: error 9 with no details. A held item with a strictly newer
    /// timestamp refuses the write with error 8 and <c>{"new_timestamp": held timestamp}</c>, and stays.
    /// Otherwise (nothing held, or an older or equal timestamp) the whole item replaces the row.
    /// </summary>
    /// <remarks>
    /// <c>new_timestamp</c> is the held timestamp truncated toward zero to whole seconds and written as
    /// an invariant-culture integer (1350544046.37 gives <c>"1350544046"</c>). A replacement keeps the
    /// row's <see cref="StoredItem.AccessedAt"/> (reads of the key stay reads); a new row starts with
    /// both times at <paramref name="now"/>.
    /// </remarks>
    public StoreDecision Store(SignedItem item, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.IsExpiredAt(UnixSeconds(now)))
        {
            return StoreDecision.Refused(ErrorCode.ExpiredValue);
        }

        var held = _store.Get(item.Key);
        if (held is not null && held.Item.Timestamp > item.Timestamp)
        {
            return StoreDecision.Refused(ErrorCode.SupersededValue, "new_timestamp", WholeSeconds(held.Item.Timestamp));
        }

        _store.Upsert(new StoredItem(item, now, held?.AccessedAt ?? now));
        return StoreDecision.Stored;
    }

    /// <summary>
    /// The live item held under <paramref name="key"/>, as read by <c>findvalue</c> or a local get
    /// (PROTOCOL §6, §10); a read counts as an access. An expired item is deleted and not returned.
    /// </summary>
    public SignedItem? Get(Key key, DateTimeOffset now)
    {
        var held = _store.Get(key);
        if (held is null)
        {
            return null;
        }

        if (held.Item.IsExpiredAt(UnixSeconds(now)))
        {
            _store.Remove(key);
            return null;
        }

        _store.Touch(key, now);
        return held.Item;
    }

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
    /// An item at one of the closest nodes is never deleted for being unread (PROTOCOL §11). Nothing is
    /// changed here; pass the plan to <see cref="ApplyDeletions"/>, which keeps the store unwritten
    /// while it is enumerated.
    /// </summary>
    public RepublishPlan PlanRepublish(DateTimeOffset now, TimeSpan replicateInterval, Func<Key, bool> isAmongClosest)
    {
        ArgumentNullException.ThrowIfNull(isAmongClosest);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(replicateInterval, TimeSpan.Zero);
        var nowSeconds = UnixSeconds(now);
        var republish = new List<SignedItem>();
        var delete = new List<StoredItem>();
        var skipped = 0;
        foreach (var row in _store.All())
        {
            if (row.Item.IsExpiredAt(nowSeconds))
            {
                delete.Add(row);
            }
            else if (!isAmongClosest(row.Key))
            {
                var lastUsed = row.UpdatedAt > row.AccessedAt ? row.UpdatedAt : row.AccessedAt;
                if (now - lastUsed >= replicateInterval)
                {
                    delete.Add(row);
                }
                else
                {
                    skipped++;
                }
            }
            else if (now - row.UpdatedAt < replicateInterval)
            {
                skipped++;
            }
            else
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
            if (Equals(_store.Get(planned.Key), planned) && _store.Remove(planned.Key))
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
    /// <see cref="ShouldHandOver"/> holds.
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
        ArgumentNullException.ThrowIfNull(kClosestKnownIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var result = new List<SignedItem>();
        if (newcomer == ownId)
        {
            return result;
        }

        var nowSeconds = UnixSeconds(now);
        foreach (var row in _store.All())
        {
            if (!row.Item.IsExpiredAt(nowSeconds) && ShouldHandOver(row.Key, newcomer, kClosestKnownIds(row.Key), k, ownId))
            {
                result.Add(row.Item);
            }
        }

        return result;
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
