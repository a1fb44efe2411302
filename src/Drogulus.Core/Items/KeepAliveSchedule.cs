namespace Drogulus.Core.Items;

/// <summary>
/// The items one publisher keeps published and when each is due to be signed again and put (PROTOCOL §10: an
/// item lives at most <c>max-item-age</c> after its timestamp, so a publisher that wants it to live longer puts
/// it again, signed with a newer timestamp, well before then). Pure: time is passed in; the owner re-signs and
/// puts what <see cref="TakeDue"/> returns and sets a timer for <see cref="NextDue"/>.
/// </summary>
/// <remarks>Not thread-safe: one actor owns it. Bounded by what its owner keeps, never by what a peer sends.</remarks>
public sealed class KeepAliveSchedule
{
    private readonly Dictionary<string, (KeptItem Item, DateTimeOffset Due)> _items = new(StringComparer.Ordinal);

    /// <summary>A schedule that puts each kept item again every <paramref name="interval"/>.</summary>
    public KeepAliveSchedule(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Interval = interval;
    }

    /// <summary>How long after one put of an item its next one is due.</summary>
    public TimeSpan Interval { get; }

    /// <summary>How many items are kept.</summary>
    public int Count => _items.Count;

    /// <summary>The kept items, ordered by name.</summary>
    public IReadOnlyList<KeptItem> Items => _items.Values.Select(e => e.Item).OrderBy(i => i.Name, StringComparer.Ordinal).ToArray();

    /// <summary>When the next item is due, or null when nothing is kept.</summary>
    public DateTimeOffset? NextDue => _items.Count == 0 ? null : _items.Values.Min(e => e.Due);

    /// <summary>
    /// Keeps <paramref name="item"/> (replacing a kept item of the same name), next due at <paramref name="due"/>:
    /// the time of the owner's first put, or one interval after a put made elsewhere.
    /// </summary>
    public void Keep(KeptItem item, DateTimeOffset due)
    {
        ArgumentNullException.ThrowIfNull(item);
        _items[item.Name] = (item, due);
    }

    /// <summary>Stops keeping the item named <paramref name="name"/>; false when it was not kept.</summary>
    public bool Stop(string name) => _items.Remove(name);

    /// <summary>
    /// The items due at <paramref name="now"/>, ordered by name; each is next due one <see cref="Interval"/> later.
    /// </summary>
    public IReadOnlyList<KeptItem> TakeDue(DateTimeOffset now)
    {
        var due = _items.Values.Where(e => e.Due <= now).Select(e => e.Item).OrderBy(i => i.Name, StringComparer.Ordinal).ToArray();
        foreach (var item in due)
        {
            _items[item.Name] = (item, now + Interval);
        }

        return due;
    }
}

/// <summary>One item a publisher keeps published: what it signs again each time (PROTOCOL §10).</summary>
/// <param name="Name">The publisher's name for the value (the key is construct_key(public key, name)).</param>
/// <param name="Value">The value as canonical msgpack bytes.</param>
/// <param name="Meta">The publisher's metadata.</param>
public sealed record KeptItem(string Name, ReadOnlyMemory<byte> Value, IReadOnlyDictionary<string, string> Meta)
{
    /// <summary>The item signed by <paramref name="publisher"/> with <paramref name="timestamp"/> (never expiring: <c>max-item-age</c> bounds it).</summary>
    public SignedItem Sign(PublisherKey publisher, double timestamp, string createdWith) =>
        SignedItem.Create(publisher, Name, Value, timestamp, 0, Meta, createdWith);
}
