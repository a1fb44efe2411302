using Drogulus.Core.Identity;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Storage;

/// <summary>Which copies a store that does not fit evicts (PROTOCOL §6, the size and quota rules).</summary>
internal sealed partial class StoreIndex
{
    /// <summary>
    /// The copies to evict so that a store of <paramref name="size"/> bytes under <paramref name="key"/> by
    /// <paramref name="publisher"/>, charged to <paramref name="group"/>, fits <paramref name="limits"/>;
    /// empty when it fits as it is, null when it does not fit (error 11). The row being replaced is never a
    /// victim (it gives way anyway).
    /// <list type="number">
    /// <item>Past <c>max-items-per-publisher</c>: that publisher's cached copies, least recently used first.</item>
    /// <item>Past <c>max-store-bytes</c>: copies of the group holding the most bytes, its cached copies before
    /// its close ones, least recently used first, and only while the storing group holds less than that
    /// group; the largest group is looked for again after each victim. So a stranger can take at most a
    /// fair share of a full store, and a group below its share always gets room.</item>
    /// </list>
    /// </summary>
    public IReadOnlyList<Key>? PlanEviction(Key key, Key publisher, AddressGroup group, long size, StoreLimits limits)
    {
        if (size > limits.MaxStoreBytes)
        {
            return null;
        }

        _slots.TryGetValue(key, out var held);
        var bytesOver = TotalBytes - (held?.Size ?? 0) + size - limits.MaxStoreBytes;
        var itemsOver = (long)CountOf(publisher) - (held is not null && held.Publisher == publisher ? 1 : 0) + 1 - limits.MaxItemsPerPublisher;
        if (bytesOver <= 0 && itemsOver <= 0)
        {
            return [];
        }

        var plan = new EvictionPlan();
        if (held is not null)
        {
            // The replaced row leaves its group's share whatever else happens.
            plan.Deduct(held.Group, held.Size);
        }

        if (itemsOver > 0)
        {
            if (!_publishers.TryGetValue(publisher, out var own))
            {
                return null;
            }

            foreach (var entry in own.Cached)
            {
                if (itemsOver <= 0)
                {
                    break;
                }

                if (entry.Key != key)
                {
                    plan.Take(entry);
                    bytesOver -= entry.Size;
                    itemsOver--;
                }
            }

            if (itemsOver > 0)
            {
                return null;
            }
        }

        var storing = BytesOf(group) - plan.DeductedFrom(group);
        while (bytesOver > 0)
        {
            if (Largest(plan) is not { } largest || largest.Share.Group == group || storing >= largest.Bytes)
            {
                return null;
            }

            if (plan.NextVictim(largest.Share, key) is not { } victim)
            {
                return null;
            }

            plan.Take(victim);
            bytesOver -= victim.Size;
        }

        return plan.Victims;
    }

    // The group holding the most bytes once the planned victims are gone. The set is ordered by bytes before
    // the plan, and a plan only takes bytes away, so the walk stops at the first group that cannot beat the best.
    private (GroupShare Share, long Bytes)? Largest(EvictionPlan plan)
    {
        (GroupShare Share, long Bytes)? best = null;
        foreach (var share in _groupsBySize)
        {
            if (best is { } b && share.Bytes <= b.Bytes)
            {
                break;
            }

            var bytes = share.Bytes - plan.DeductedFrom(share.Group);
            if (best is null || bytes > best.Value.Bytes)
            {
                best = (share, bytes);
            }
        }

        return best is { Bytes: > 0 } ? best : null;
    }

    // The victims chosen so far, and the bytes they take from each group.
    private sealed class EvictionPlan
    {
        private readonly HashSet<Key> _chosen = new();
        private readonly Dictionary<AddressGroup, long> _deducted = new();
        private readonly Dictionary<AddressGroup, IEnumerator<StoredEntry>> _cursors = new();

        public List<Key> Victims { get; } = new();

        public long DeductedFrom(AddressGroup group) => _deducted.GetValueOrDefault(group);

        public void Deduct(AddressGroup group, long bytes) => _deducted[group] = DeductedFrom(group) + bytes;

        public void Take(StoredEntry entry)
        {
            if (_chosen.Add(entry.Key))
            {
                Victims.Add(entry.Key);
                Deduct(entry.Group, entry.Size);
            }
        }

        // The group's next copy not yet chosen and not the row being replaced: cached first, then close.
        public StoredEntry? NextVictim(GroupShare share, Key replaced)
        {
            if (!_cursors.TryGetValue(share.Group, out var cursor))
            {
                cursor = share.Cached.Concat(share.Close).GetEnumerator();
                _cursors.Add(share.Group, cursor);
            }

            while (cursor.MoveNext())
            {
                var entry = cursor.Current;
                if (entry.Key != replaced && !_chosen.Contains(entry.Key))
                {
                    return entry;
                }
            }

            return null;
        }
    }
}
