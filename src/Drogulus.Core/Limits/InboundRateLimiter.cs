using System.Net;
using System.Net.Sockets;

namespace Drogulus.Core.Limits;

/// <summary>
/// Token buckets per remote address, per address group and per IPv6 /32 (PROTOCOL §5, rate): an address
/// may spend <see cref="Rate"/>.Burst requests at once and earns <see cref="Rate"/>.PerSecond more each
/// second; its group and its /32 have buckets of their own, <see cref="Multiples"/> times larger and faster.
/// A request passes only when every bucket it belongs to has a token, and then takes one from each. Used for
/// inbound requests (<c>rate-limit</c>, excess answered with error 10) and for new connections
/// (<c>connection-rate-limit</c>). Time is passed in, so tests are deterministic. Not thread-safe: one actor owns it.
/// </summary>
/// <remarks>
/// Each level keeps at most <c>maxAddresses</c> buckets; when a new key arrives at a full level the least
/// recently seen bucket is dropped, and a key that comes back starts with a full bucket. That is harmless
/// one level up: a group's bucket is touched by every request of the group, so it stays while its
/// addresses rotate, and an attacker with more groups than a level remembers meets the /32's bucket.
/// IPv6 addresses share one address bucket per /64, the block one host usually gets. Addresses in the
/// exempt set (default loopback) are never limited and take no bucket. A private address that is a group
/// by itself (<c>diversity-exempt-private</c>) has no group bucket: its own is the group's. An IPv4
/// address's wide block is its group, so it has no third bucket.
/// A refused request takes no token anywhere: one address over its own rate does not spend its neighbours' share.
/// </remarks>
public sealed class InboundRateLimiter
{
    private readonly AddressSet _exempt;
    private readonly Level<IPAddress> _addresses;
    private readonly Level<string> _groups;
    private readonly Level<string> _wideBlocks;

    /// <summary>Creates a limiter.</summary>
    /// <param name="rate">Refill rate and burst of each address.</param>
    /// <param name="multiples">Rate and burst of each group and each IPv6 /32, as multiples of <paramref name="rate"/>.</param>
    /// <param name="exempt">Addresses never limited.</param>
    /// <param name="maxAddresses">Most buckets tracked at once on each level (addresses, groups, /32s).</param>
    public InboundRateLimiter(TokenBucketRate rate, GroupRateMultiples multiples, AddressSet exempt, int maxAddresses)
    {
        ArgumentNullException.ThrowIfNull(rate);
        ArgumentNullException.ThrowIfNull(multiples);
        ArgumentNullException.ThrowIfNull(exempt);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAddresses, 1);
        Rate = rate.Validated();
        Multiples = multiples.Validated();
        _exempt = exempt;
        _addresses = new Level<IPAddress>(Rate, maxAddresses);
        _groups = new Level<string>(Scaled(Rate, Multiples.Group), maxAddresses);
        _wideBlocks = new Level<string>(Scaled(Rate, Multiples.WideBlock), maxAddresses);
    }

    /// <summary>The refill rate and burst of each address.</summary>
    public TokenBucketRate Rate { get; }

    /// <summary>The multiples of <see cref="Rate"/> that each group and each IPv6 /32 may spend.</summary>
    public GroupRateMultiples Multiples { get; }

    /// <summary>Addresses with a bucket now.</summary>
    public int TrackedAddresses => _addresses.Count;

    /// <summary>Address groups with a bucket now.</summary>
    public int TrackedGroups => _groups.Count;

    /// <summary>
    /// Takes one token for <paramref name="address"/> at <paramref name="now"/>: true when the request may
    /// proceed, false when it is over its address's, its group's or its /32's rate (answer Busy, or refuse the connection).
    /// </summary>
    public bool TryAcquire(IPAddress address, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_exempt.Contains(address))
        {
            return true;
        }

        var own = _addresses.Get(BucketId(address), now);
        var group = AddressGroup.Of(address, Multiples.ExemptPrivate);
        var groupBucket = group.IsExempt ? null : _groups.Get(group.Value, now);
        var wide = group.IsExempt || !IsIPv6(address) ? null : _wideBlocks.Get(AddressGroup.WideBlockOf(address), now);
        if (!own.HasToken(now) || groupBucket?.HasToken(now) == false || wide?.HasToken(now) == false)
        {
            return false;
        }

        own.Take();
        groupBucket?.Take();
        wide?.Take();
        return true;
    }

    /// <summary>The key of <paramref name="address"/>'s bucket: IPv4 as is, IPv6 cut to its /64.</summary>
    internal static IPAddress BucketId(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }

    private static bool IsIPv6(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6;

    private static TokenBucketRate Scaled(TokenBucketRate rate, int multiple) =>
        new(rate.PerSecond * multiple, (int)Math.Min(int.MaxValue, (long)rate.Burst * multiple));

    // One level of buckets, bounded, least recently seen dropped first.
    private sealed class Level<TKey>(TokenBucketRate rate, int maxKeys)
        where TKey : notnull
    {
        private readonly Dictionary<TKey, LinkedListNode<Bucket>> _buckets = new();
        private readonly LinkedList<Bucket> _recency = new();

        public int Count => _buckets.Count;

        public Bucket Get(TKey key, DateTimeOffset now)
        {
            if (_buckets.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddLast(node);
                return node.Value;
            }

            if (_buckets.Count >= maxKeys)
            {
                var oldest = _recency.First!;
                _recency.RemoveFirst();
                _buckets.Remove(oldest.Value.Key);
            }

            node = _recency.AddLast(new Bucket(key, rate, now));
            _buckets.Add(key, node);
            return node.Value;
        }

        public sealed class Bucket(TKey key, TokenBucketRate rate, DateTimeOffset at)
        {
            private double _tokens = rate.Burst;
            private DateTimeOffset _at = at;

            public TKey Key { get; } = key;

            public bool HasToken(DateTimeOffset now)
            {
                if (now > _at)
                {
                    _tokens = Math.Min(rate.Burst, _tokens + ((now - _at).TotalSeconds * rate.PerSecond));
                    _at = now;
                }

                return _tokens >= 1;
            }

            public void Take() => _tokens -= 1;
        }
    }
}
