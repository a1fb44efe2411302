using Drogulus.Core.Identity;

namespace Drogulus.Core.Storage;

/// <summary>
/// The paced hand-over to newcomers (PROTOCOL §10, handing over to newcomers; issue 10): newcomers wait in a
/// bounded queue; the keys of one newcomer are chosen only when its turn comes (at most
/// <see cref="HandOverLimits.NewcomersPerSecond"/>), and its items are sent one key at a time, at most
/// <see cref="HandOverLimits.ItemsPerSecond"/> and <see cref="HandOverLimits.Parallelism"/> in flight. The
/// caller reads each value only when <see cref="Next"/> names its key. So the work of a hand-over, whoever
/// causes it, is bounded per second, and what it holds in memory is the queue plus one newcomer's keys. Time
/// is passed in; not thread-safe (one actor owns it).
/// </summary>
/// <typeparam name="TNewcomer">What the caller needs to choose a newcomer's keys and to send to it.</typeparam>
public sealed class HandOverQueue<TNewcomer>
    where TNewcomer : class
{
    private readonly Queue<TNewcomer> _waiting = new();
    private readonly Bucket _items;
    private readonly Bucket _newcomers;
    private TNewcomer? _current;
    private IReadOnlyList<Key> _keys = [];
    private int _next;

    /// <summary>Creates an empty queue whose buckets are full at <paramref name="now"/>.</summary>
    public HandOverQueue(HandOverLimits limits, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(limits);
        Limits = limits.Validated();
        _items = new Bucket(limits.ItemsPerSecond, now);
        _newcomers = new Bucket(limits.NewcomersPerSecond, now);
    }

    /// <summary>The bounds.</summary>
    public HandOverLimits Limits { get; }

    /// <summary>Newcomers waiting, the one being served not included.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>Stores handed out by <see cref="Next"/> and not yet <see cref="Completed"/>.</summary>
    public int InFlight { get; private set; }

    /// <summary>Newcomers turned away because the queue was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>Keys chosen for newcomers so far.</summary>
    public long KeysChosen { get; private set; }

    /// <summary>Keys handed out to send so far.</summary>
    public long KeysSent { get; private set; }

    /// <summary>Queues <paramref name="newcomer"/>; false (and counted in <see cref="Dropped"/>) when the queue is full.</summary>
    public bool Offer(TNewcomer newcomer)
    {
        ArgumentNullException.ThrowIfNull(newcomer);
        if (_waiting.Count >= Limits.MaxQueuedNewcomers)
        {
            Dropped++;
            return false;
        }

        _waiting.Enqueue(newcomer);
        return true;
    }

    /// <summary>
    /// The next store to send, if one may start at <paramref name="now"/>: a key and its newcomer (counted in
    /// flight until <see cref="Completed"/>). Otherwise null, with <paramref name="retryAt"/> set when a token
    /// will allow more (schedule a call then), or left null when there is nothing to do until a store
    /// completes or a newcomer is offered.
    /// </summary>
    /// <param name="now">The node's clock.</param>
    /// <param name="chooseKeys">The keys to hand over to a newcomer, called when its turn comes.</param>
    /// <param name="retryAt">When to call again, when waiting for a token.</param>
    public (TNewcomer Newcomer, Key Key)? Next(DateTimeOffset now, Func<TNewcomer, IReadOnlyList<Key>> chooseKeys, out DateTimeOffset? retryAt)
    {
        ArgumentNullException.ThrowIfNull(chooseKeys);
        retryAt = null;
        if (InFlight >= Limits.Parallelism)
        {
            return null;
        }

        while (_current is null || _next >= _keys.Count)
        {
            _current = null;
            if (_waiting.Count == 0)
            {
                return null;
            }

            if (!_newcomers.TryTake(now, out var newcomerAt))
            {
                retryAt = newcomerAt;
                return null;
            }

            _current = _waiting.Dequeue();
            _keys = chooseKeys(_current);
            _next = 0;
            KeysChosen += _keys.Count;
        }

        if (!_items.TryTake(now, out var itemAt))
        {
            retryAt = itemAt;
            return null;
        }

        InFlight++;
        KeysSent++;
        return (_current, _keys[_next++]);
    }

    /// <summary>A store handed out by <see cref="Next"/> has completed (answered, failed, or was not sent).</summary>
    public void Completed()
    {
        if (InFlight > 0)
        {
            InFlight--;
        }
    }

    // A token bucket holding a second's worth of tokens (at least one), full at creation.
    private sealed class Bucket(double perSecond, DateTimeOffset now)
    {
        private readonly double _size = Math.Max(1, Math.Ceiling(perSecond));
        private double _tokens = Math.Max(1, Math.Ceiling(perSecond));
        private DateTimeOffset _last = now;

        public bool TryTake(DateTimeOffset now, out DateTimeOffset nextAt)
        {
            if (now > _last)
            {
                _tokens = Math.Min(_size, _tokens + ((now - _last).TotalSeconds * perSecond));
                _last = now;
            }

            if (_tokens >= 1)
            {
                _tokens--;
                nextAt = now;
                return true;
            }

            // Rounded up to a whole tick, so that a retry at nextAt always finds the token.
            nextAt = now + TimeSpan.FromTicks(Math.Max(1, (long)Math.Ceiling((1 - _tokens) / perSecond * TimeSpan.TicksPerSecond)));
            return false;
        }
    }
}
