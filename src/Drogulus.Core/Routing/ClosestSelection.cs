using Drogulus.Core.Identity;

namespace Drogulus.Core.Routing;

/// <summary>
/// Exact "closest(key, k, exclude)" of PROTOCOL §8: the contacts nearest a target in true XOR order. A
/// bounded max-heap keeps the best <c>count</c> seen so far, so a pass costs O(n log count) rather than
/// sorting every contact; buckets are not used as an approximation of distance.
/// </summary>
internal static class ClosestSelection
{
    public static IReadOnlyList<Contact> Select(
        IEnumerable<KBucket> buckets, Key target, int count, int capacityHint, IReadOnlyCollection<Key>? exclude)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0 || capacityHint == 0)
        {
            return [];
        }

        var excluded = AsSet(exclude);
        var heap = new PriorityQueue<Contact, Key>(Math.Min(count, capacityHint), new FarthestFirst(target));
        foreach (var bucket in buckets)
        {
            foreach (var contact in bucket.Contacts)
            {
                if (excluded is not null && excluded.Contains(contact.Id))
                {
                    continue;
                }

                if (heap.Count < count)
                {
                    heap.Enqueue(contact, contact.Id);
                }
                else if (target.CompareDistance(contact.Id, heap.Peek().Id) < 0)
                {
                    heap.DequeueEnqueue(contact, contact.Id);
                }
            }
        }

        // The heap yields the farthest first, so the array is filled from its end.
        var result = new Contact[heap.Count];
        for (var i = result.Length - 1; i >= 0; i--)
        {
            result[i] = heap.Dequeue();
        }

        return result;
    }

    private static IReadOnlySet<Key>? AsSet(IReadOnlyCollection<Key>? exclude) => exclude switch
    {
        null => null,
        { Count: 0 } => null,
        IReadOnlySet<Key> set => set,
        _ => new HashSet<Key>(exclude),
    };

    /// <summary>Orders keys farthest from the target first, making the priority queue a max-heap of distance.</summary>
    private sealed class FarthestFirst(Key target) : IComparer<Key>
    {
        public int Compare(Key x, Key y) => target.CompareDistance(y, x);
    }
}
