using Drogulus.Core.Identity;

namespace Drogulus.Core.Routing;

/// <summary>
/// How many known contacts sit at each distance level from the own id (level = the number of leading bits a
/// contact's id shares with the own id), which is all that "is the node among the k closest it knows to
/// this key" needs (PROTOCOL §10 republish): a contact is closer to a key than the node itself exactly when
/// the key's distance to the own id has a 1 bit at that contact's level (XOR distances agree above that
/// bit). So the routing table hands the data store this small immutable profile instead of a copy of
/// every contact, and the answer is still exact.
/// </summary>
public sealed class ClosenessProfile
{
    private readonly int[] _countByLevel;

    private ClosenessProfile(Key ownId, int k, int[] countByLevel)
    {
        OwnId = ownId;
        K = k;
        _countByLevel = countByLevel;
    }

    /// <summary>The own id the levels are measured from.</summary>
    public Key OwnId { get; }

    /// <summary>The k of "among the k closest".</summary>
    public int K { get; }

    /// <summary>The profile of <paramref name="contacts"/> (the own id, if present, is ignored).</summary>
    public static ClosenessProfile Of(Key ownId, IEnumerable<Contact> contacts, int k)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var counts = new int[Key.Bits];
        foreach (var contact in contacts)
        {
            if (contact.Id != ownId)
            {
                counts[(contact.Id ^ ownId).LeadingZeroBits()]++;
            }
        }

        return new ClosenessProfile(ownId, k, counts);
    }

    /// <summary>The number of known contacts closer to <paramref name="key"/> than the own id.</summary>
    public int CountCloserThanSelf(Key key)
    {
        var distance = key ^ OwnId;
        var closer = 0;
        for (var level = 0; level < Key.Bits; level++)
        {
            if (_countByLevel[level] > 0 && distance.IsBitSet(level))
            {
                closer += _countByLevel[level];
            }
        }

        return closer;
    }

    /// <summary>Whether the own id is among the k closest known nodes to <paramref name="key"/> (itself included).</summary>
    public bool IsAmongClosest(Key key) => CountCloserThanSelf(key) < K;
}
