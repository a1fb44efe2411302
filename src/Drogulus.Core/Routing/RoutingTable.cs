using System.Numerics;
using Drogulus.Core.Identity;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Routing;

/// <summary>
/// The Kademlia routing table of PROTOCOL §8 (paper §2.2 k-buckets, §2.4 bucket splitting): buckets over
/// contiguous, exactly halved ranges of the key space, each with at most k contacts and a replacement
/// cache; add, remove, blacklist, exact XOR closest, touch and stale-bucket refresh ids. Strangers are
/// counted by address group (PROTOCOL §1): one group gets at most <see cref="RoutingLimits.MaxPerGroupInBucket"/>
/// places in a bucket and <see cref="RoutingLimits.MaxPerGroupInTable"/> in the table, because ids cost
/// nothing to make while addresses in distinct groups do. Not thread safe: one actor owns it.
/// </summary>
public sealed class RoutingTable
{
    // Sorted by range; together the ranges partition [0, 2^512).
    private readonly List<KBucket> _buckets;
    private readonly HashSet<Key> _blacklist = [];

    // Blacklisted ids, oldest first, so that the oldest is forgotten first at max-blacklist (PROTOCOL §8).
    private readonly Queue<Key> _blacklistOrder = new();

    // The counted (non-exempt) group of every contact in a bucket, and how many contacts each group has.
    private readonly Dictionary<Key, AddressGroup> _groupOf = [];
    private readonly Dictionary<AddressGroup, int> _perGroup = [];
    private readonly BigInteger _ownValue;

    /// <summary>Creates a table with one bucket covering the whole key space.</summary>
    /// <param name="ownId">The node's own id, never added to the table.</param>
    /// <param name="k">Bucket and replacement-cache size (PROTOCOL §1 <c>k</c>).</param>
    /// <param name="allowedRpcFails">Failed RPCs after which a contact is dropped (<c>allowed-rpc-fails</c>).</param>
    /// <param name="createdAt">The first last-touched time of every bucket.</param>
    /// <param name="limits">The group limits and blacklist bound (from the settings); null for <see cref="RoutingLimits.None"/>.</param>
    public RoutingTable(Key ownId, int k, int allowedRpcFails, DateTimeOffset createdAt, RoutingLimits? limits = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(allowedRpcFails, 1);
        Limits = limits ?? RoutingLimits.None;
        ArgumentOutOfRangeException.ThrowIfLessThan(Limits.MaxPerGroupInBucket, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(Limits.MaxPerGroupInTable, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(Limits.MaxBlacklist, 1, nameof(limits));
        OwnId = ownId;
        K = k;
        AllowedRpcFails = allowedRpcFails;
        _ownValue = ownId.ToBigInteger();
        _buckets = [new KBucket(KeyRange.Whole, k, createdAt)];
    }

    /// <summary>The node's own id.</summary>
    public Key OwnId { get; }

    /// <summary>Bucket and replacement-cache size.</summary>
    public int K { get; }

    /// <summary>Failed RPCs after which a contact leaves its bucket.</summary>
    public int AllowedRpcFails { get; }

    /// <summary>The group limits and the blacklist bound.</summary>
    public RoutingLimits Limits { get; }

    /// <summary>Number of contacts in the buckets (replacement caches not counted).</summary>
    public int Count { get; private set; }

    /// <summary>Number of buckets.</summary>
    public int BucketCount => _buckets.Count;

    /// <summary>
    /// Goes up whenever a contact enters or leaves the buckets or changes its address group, so that a reader of
    /// figures derived from the buckets' members (the diversity gauges) recomputes them only when they can differ.
    /// </summary>
    public long Changes { get; private set; }

    /// <summary>The number of distinct counted (non-exempt) address groups among the contacts in the buckets.</summary>
    public int CountedGroups => _perGroup.Count;

    /// <summary>
    /// add(contact), PROTOCOL §8. Own and blacklisted ids are ignored. A contact already in its bucket moves
    /// to the tail as <paramref name="contact"/> (the caller's fresh details) with its failure count reset.
    /// Otherwise a new contact whose address group already fills its share of the bucket or of the table is
    /// ignored (it enters neither the bucket nor the cache); else it is appended when the bucket has room; a
    /// full bucket holding the own id is split at the exact middle and the add retried; any other full bucket
    /// caches the contact. A known contact that moves to an address of a group without room keeps its old
    /// address, so that nobody gathers a group's ids under other groups' shares and then moves them.
    /// </summary>
    public AddResult Add(Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (contact.Id == OwnId || _blacklist.Contains(contact.Id))
        {
            return AddResult.Ignored;
        }

        var fresh = contact.FailureCount == 0 ? contact : contact with { FailureCount = 0 };
        var value = contact.Id.ToBigInteger();
        var group = GroupOf(fresh);
        while (true)
        {
            var index = BucketIndex(value);
            var bucket = _buckets[index];
            var at = bucket.IndexOf(contact.Id);
            if (at >= 0)
            {
                var old = _groupOf.GetValueOrDefault(contact.Id);
                if (group != old)
                {
                    if (!HasGroupRoom(bucket, group))
                    {
                        fresh = fresh with { Address = bucket.Contacts[at].Address };
                    }
                    else
                    {
                        UncountGroup(contact.Id);
                        CountGroup(contact.Id, group);
                        Changes++;
                    }
                }

                bucket.MoveToTail(at, fresh);
                return new AddResult(AddOutcome.Updated, fresh);
            }

            if (!bucket.IsFull || !(bucket.Range.Contains(_ownValue) && bucket.Range.CanSplit))
            {
                if (!HasGroupRoom(bucket, group))
                {
                    return AddResult.Ignored;
                }
            }

            if (!bucket.IsFull)
            {
                CountGroup(contact.Id, group);
                var cached = bucket.CacheIndexOf(contact.Id);
                if (cached >= 0)
                {
                    bucket.RemoveCachedAt(cached);
                }

                bucket.Append(fresh);
                Count++;
                Changes++;
                return new AddResult(AddOutcome.Inserted, fresh) { IsFirstSight = cached < 0 };
            }

            if (bucket.Range.Contains(_ownValue) && bucket.Range.CanSplit)
            {
                var (lower, upper) = bucket.Split();
                _buckets[index] = lower;
                _buckets.Insert(index + 1, upper);
                continue;
            }

            var firstSight = bucket.CacheIndexOf(contact.Id) < 0;
            bucket.AddToCache(fresh);
            return new AddResult(AddOutcome.Cached, fresh) { IsFirstSight = firstSight };
        }
    }

    /// <summary>
    /// Whether an <see cref="Add"/> of <paramref name="id"/> would put it in a bucket rather than ignore
    /// or cache it: a stranger whose bucket has room or may split. The node uses it to decide which
    /// contacts named in <c>nodes</c> replies are worth a ping (a contact is only added once it has answered).
    /// </summary>
    public bool HasRoomFor(Key id)
    {
        if (id == OwnId || _blacklist.Contains(id))
        {
            return false;
        }

        var bucket = _buckets[BucketIndex(id.ToBigInteger())];
        return bucket.IndexOf(id) < 0 && (!bucket.IsFull || (bucket.Range.Contains(_ownValue) && bucket.Range.CanSplit));
    }

    /// <summary>
    /// <see cref="HasRoomFor(Key)"/> for a contact at an address: also false when the contact's address group
    /// has no room left in its bucket or the table (PROTOCOL §8), so that nobody pings a stranger whose
    /// answer would be ignored.
    /// </summary>
    public bool HasRoomFor(Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return HasRoomFor(contact.Id) && HasGroupRoom(_buckets[BucketIndex(contact.Id.ToBigInteger())], GroupOf(contact));
    }

    /// <summary>The number of distinct address groups among the contacts in the buckets, exempt addresses each a group of their own.</summary>
    public int DistinctGroups() => AllContacts().Select(c => AddressGroup.Of(c.Address, Limits.ExemptPrivate)).Distinct().Count();

    /// <summary>How many contacts of <paramref name="group"/> the buckets hold (0 for an exempt group, which is not counted).</summary>
    public int ContactsInGroup(AddressGroup group) => _perGroup.GetValueOrDefault(group);

    /// <summary>
    /// remove(id, forced), PROTOCOL §8. Unknown ids are ignored. The failure count goes up by one; at
    /// <see cref="AllowedRpcFails"/> or when <paramref name="forced"/> the contact leaves its bucket (or the
    /// replacement cache it waits in) and the bucket's most recently seen cached contact takes its place.
    /// </summary>
    public RemoveResult Remove(Key id, bool forced)
    {
        var bucket = _buckets[BucketIndex(id.ToBigInteger())];
        var at = bucket.IndexOf(id);
        if (at >= 0)
        {
            var failed = Failed(bucket.Contacts[at]);
            if (!forced && failed.FailureCount < AllowedRpcFails)
            {
                bucket.ReplaceAt(at, failed);
                return new RemoveResult(RemoveOutcome.FailureCounted, failed, null);
            }

            bucket.RemoveAt(at);
            Count--;
            Changes++;
            UncountGroup(id);

            // The replacement is the most recently seen cached contact whose group still has room (§8).
            var replacement = bucket.TakeMostRecentCached(c => HasGroupRoom(bucket, GroupOf(c)));
            if (replacement is not null)
            {
                bucket.Append(replacement);
                Count++;
                CountGroup(replacement.Id, GroupOf(replacement));
            }

            return new RemoveResult(RemoveOutcome.Removed, failed, replacement);
        }

        var cachedAt = bucket.CacheIndexOf(id);
        if (cachedAt >= 0)
        {
            var failed = Failed(bucket.Cache[cachedAt]);
            if (!forced && failed.FailureCount < AllowedRpcFails)
            {
                bucket.ReplaceCachedAt(cachedAt, failed);
                return new RemoveResult(RemoveOutcome.FailureCounted, failed, null);
            }

            bucket.RemoveCachedAt(cachedAt);
            return new RemoveResult(RemoveOutcome.Removed, failed, null);
        }

        return RemoveResult.Ignored;
    }

    /// <summary>
    /// blacklist(id), PROTOCOL §8: a forced remove, after which <see cref="Add"/> ignores the id while it is
    /// remembered. At most <see cref="RoutingLimits.MaxBlacklist"/> ids are remembered, the oldest forgotten
    /// first: ids cost nothing to make, so a list that grew with every forged store would be a stranger's
    /// way to fill the node's memory and its saved table.
    /// </summary>
    public void Blacklist(Key id)
    {
        if (_blacklist.Add(id))
        {
            _blacklistOrder.Enqueue(id);
            while (_blacklistOrder.Count > Limits.MaxBlacklist)
            {
                _blacklist.Remove(_blacklistOrder.Dequeue());
            }
        }

        Remove(id, forced: true);
    }

    /// <summary>Whether <paramref name="id"/> was blacklisted.</summary>
    public bool IsBlacklisted(Key id) => _blacklist.Contains(id);

    /// <summary>Every remembered blacklisted id, oldest first (for <see cref="RoutingTableSnapshot"/>).</summary>
    internal IReadOnlyCollection<Key> BlacklistedIds => _blacklistOrder;

    /// <summary>
    /// closest(key, k, exclude), PROTOCOL §8: up to <paramref name="count"/> contacts from the buckets,
    /// closest to <paramref name="target"/> first in exact XOR order, without the ids in <paramref name="exclude"/>.
    /// </summary>
    public IReadOnlyList<Contact> Closest(Key target, int count, IReadOnlyCollection<Key>? exclude = null) =>
        ClosestSelection.Select(_buckets, target, count, Count, exclude);

    /// <summary>The contact with <paramref name="id"/> in the buckets (not the replacement caches), or null.</summary>
    public Contact? Find(Key id)
    {
        var bucket = _buckets[BucketIndex(id.ToBigInteger())];
        var at = bucket.IndexOf(id);
        return at >= 0 ? bucket.Contacts[at] : null;
    }

    /// <summary>The contact with <paramref name="id"/> waiting in a replacement cache, or null.</summary>
    internal Contact? FindCached(Key id)
    {
        var bucket = _buckets[BucketIndex(id.ToBigInteger())];
        var at = bucket.CacheIndexOf(id);
        return at >= 0 ? bucket.Cache[at] : null;
    }

    /// <summary>Every contact in the buckets, in bucket-range order, least recently seen first within a bucket.</summary>
    public IReadOnlyList<Contact> AllContacts()
    {
        var all = new List<Contact>(Count);
        foreach (var bucket in _buckets)
        {
            all.AddRange(bucket.Contacts);
        }

        return all;
    }

    /// <summary>An immutable copy of every bucket, in range order.</summary>
    public IReadOnlyList<BucketSnapshot> Snapshot() =>
        _buckets.Select(b => new BucketSnapshot(b.Range, b.Contacts.ToArray(), b.Cache.ToArray(), b.LastTouched)).ToArray();

    /// <summary>touch(key), PROTOCOL §8: marks the bucket whose range holds <paramref name="key"/> as used at <paramref name="now"/>.</summary>
    public void Touch(Key key, DateTimeOffset now) => _buckets[BucketIndex(key.ToBigInteger())].LastTouched = now;

    /// <summary>
    /// Stale-bucket refresh, PROTOCOL §8 and §10: for each bucket not touched for at least
    /// <paramref name="refreshTimeout"/>, a uniformly random id inside its range to look up.
    /// </summary>
    public IReadOnlyList<Key> RefreshTargets(DateTimeOffset now, TimeSpan refreshTimeout, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var targets = new List<Key>();
        foreach (var bucket in _buckets)
        {
            if (now - bucket.LastTouched >= refreshTimeout)
            {
                targets.Add(bucket.Range.RandomKey(random));
            }
        }

        return targets;
    }

    /// <summary>
    /// The last step of join (PROTOCOL §10, paper §2.3: "refreshes all k-buckets further away than its
    /// closest neighbor"), read with the paper's one-bucket-per-distance-bit table: for every prefix length
    /// shorter than the one the own id shares with its closest known contact, a uniformly random id that
    /// shares exactly that prefix with the own id (so it lies in the sibling subtree at that level).
    /// This table splits buckets lazily, so a subtree the node has never heard from may not have a bucket
    /// of its own yet; refreshing per bucket would then skip it, and a node that joined while the network
    /// was small would never learn that part of the key space. Empty when the table has no contact.
    /// </summary>
    public IReadOnlyList<Key> RefreshTargetsBeyondClosestNeighbour(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var closest = Closest(OwnId, 1);
        if (closest.Count == 0)
        {
            return [];
        }

        var sharedPrefix = (closest[0].Id ^ OwnId).LeadingZeroBits();
        var own = OwnId.ToArray();
        var targets = new List<Key>(sharedPrefix);
        Span<byte> target = stackalloc byte[Key.Length];
        for (var level = 0; level < sharedPrefix; level++)
        {
            random.NextBytes(target);
            var byteIndex = level / 8;
            var bit = 0x80 >> (level % 8);

            // Keep the own id's bits before `level`, flip the bit at `level`, keep random bits after it.
            own.AsSpan(0, byteIndex).CopyTo(target);
            var ownBefore = own[byteIndex] & ~((bit << 1) - 1) & 0xFF;
            var flipped = ~own[byteIndex] & bit;
            var randomAfter = target[byteIndex] & (bit - 1);
            target[byteIndex] = (byte)(ownBefore | flipped | randomAfter);
            targets.Add(new Key(target));
        }

        return targets;
    }

    /// <summary>The live buckets, for tests inside the assembly.</summary>
    internal IReadOnlyList<KBucket> Buckets => _buckets;

    private static Contact Failed(Contact contact) => contact with { FailureCount = contact.FailureCount + 1 };

    private AddressGroup GroupOf(Contact contact) => AddressGroup.Of(contact.Address, Limits.ExemptPrivate);

    // PROTOCOL §8: exempt addresses are not counted; any other group has room while it holds fewer than its
    // share of the bucket and of the table.
    private bool HasGroupRoom(KBucket bucket, AddressGroup group)
    {
        if (group.IsExempt || !Limits.LimitsGroups)
        {
            return true;
        }

        if (_perGroup.GetValueOrDefault(group) >= Limits.MaxPerGroupInTable)
        {
            return false;
        }

        var inBucket = 0;
        foreach (var member in bucket.Contacts)
        {
            if (_groupOf.TryGetValue(member.Id, out var g) && g == group && ++inBucket >= Limits.MaxPerGroupInBucket)
            {
                return false;
            }
        }

        return true;
    }

    private void CountGroup(Key id, AddressGroup group)
    {
        if (group.IsExempt)
        {
            return;
        }

        _groupOf[id] = group;
        _perGroup[group] = _perGroup.GetValueOrDefault(group) + 1;
    }

    private void UncountGroup(Key id)
    {
        if (_groupOf.Remove(id, out var group))
        {
            var left = _perGroup[group] - 1;
            if (left == 0)
            {
                _perGroup.Remove(group);
            }
            else
            {
                _perGroup[group] = left;
            }
        }
    }

    private int BucketIndex(BigInteger value)
    {
        // The last bucket whose Min is at most value; the ranges cover the key space, so it holds value.
        int low = 0, high = _buckets.Count - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (_buckets[middle].Range.Min <= value)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }
}
