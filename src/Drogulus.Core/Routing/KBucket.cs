using Drogulus.Core.Identity;

namespace Drogulus.Core.Routing;

/// <summary>
/// One k-bucket (PROTOCOL §8): at most k contacts whose ids lie in <see cref="Range"/>, least recently
/// seen first, plus the bucket's replacement cache (at most k, most recent last). The cache lives on the
/// bucket, and so is tied to its range rather than to a bucket index: the original node kept caches by
/// index and they pointed at the wrong buckets after a split (PROTOCOL §11).
/// </summary>
internal sealed class KBucket
{
    private readonly List<Contact> _contacts;
    private readonly List<Contact> _cache;

    public KBucket(KeyRange range, int k, DateTimeOffset lastTouched)
        : this(range, k, lastTouched, [], [])
    {
    }

    private KBucket(KeyRange range, int k, DateTimeOffset lastTouched, List<Contact> contacts, List<Contact> cache)
    {
        Range = range;
        K = k;
        LastTouched = lastTouched;
        _contacts = contacts;
        _cache = cache;
    }

    public KeyRange Range { get; }

    public int K { get; }

    public DateTimeOffset LastTouched { get; set; }

    /// <summary>Least recently seen first.</summary>
    public IReadOnlyList<Contact> Contacts => _contacts;

    /// <summary>Most recently seen last.</summary>
    public IReadOnlyList<Contact> Cache => _cache;

    public bool IsFull => _contacts.Count >= K;

    public int IndexOf(Key id) => IndexIn(_contacts, id);

    public int CacheIndexOf(Key id) => IndexIn(_cache, id);

    /// <summary>Moves the contact at <paramref name="index"/> to the tail, replaced by <paramref name="fresh"/>.</summary>
    public void MoveToTail(int index, Contact fresh)
    {
        _contacts.RemoveAt(index);
        _contacts.Add(fresh);
    }

    public void Append(Contact contact)
    {
        if (IsFull)
        {
            throw new InvalidOperationException("The bucket is full.");
        }

        _contacts.Add(contact);
    }

    public void ReplaceAt(int index, Contact contact) => _contacts[index] = contact;

    public Contact RemoveAt(int index)
    {
        var contact = _contacts[index];
        _contacts.RemoveAt(index);
        return contact;
    }

    /// <summary>Puts <paramref name="contact"/> last in the cache, dropping its older entry and, when over k, the oldest entry.</summary>
    public void AddToCache(Contact contact)
    {
        var index = CacheIndexOf(contact.Id);
        if (index >= 0)
        {
            _cache.RemoveAt(index);
        }

        _cache.Add(contact);
        if (_cache.Count > K)
        {
            _cache.RemoveAt(0);
        }
    }

    public void ReplaceCachedAt(int index, Contact contact) => _cache[index] = contact;

    public Contact RemoveCachedAt(int index)
    {
        var contact = _cache[index];
        _cache.RemoveAt(index);
        return contact;
    }

    /// <summary>Removes and returns the most recently seen cached contact, if any.</summary>
    public Contact? TakeMostRecentCached()
    {
        if (_cache.Count == 0)
        {
            return null;
        }

        return RemoveCachedAt(_cache.Count - 1);
    }

    /// <summary>Removes and returns the most recently seen cached contact that <paramref name="eligible"/> accepts, if any.</summary>
    public Contact? TakeMostRecentCached(Func<Contact, bool> eligible)
    {
        for (var i = _cache.Count - 1; i >= 0; i--)
        {
            if (eligible(_cache[i]))
            {
                return RemoveCachedAt(i);
            }
        }

        return null;
    }

    /// <summary>
    /// Halves the bucket at the exact middle of its range. Contacts and cached contacts go to the half
    /// whose range holds their id, keeping their order; both halves keep this bucket's last-touched time.
    /// </summary>
    public (KBucket Lower, KBucket Upper) Split()
    {
        var (lowerRange, upperRange) = Range.Split();
        var lowerContacts = new List<Contact>(K);
        var upperContacts = new List<Contact>(K);
        foreach (var contact in _contacts)
        {
            (lowerRange.Contains(contact.Id) ? lowerContacts : upperContacts).Add(contact);
        }

        var lowerCache = new List<Contact>();
        var upperCache = new List<Contact>();
        foreach (var contact in _cache)
        {
            (lowerRange.Contains(contact.Id) ? lowerCache : upperCache).Add(contact);
        }

        return (new KBucket(lowerRange, K, LastTouched, lowerContacts, lowerCache),
            new KBucket(upperRange, K, LastTouched, upperContacts, upperCache));
    }

    private static int IndexIn(List<Contact> list, Key id)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }
}
