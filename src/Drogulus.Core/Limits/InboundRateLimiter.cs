using System.Net;
using System.Net.Sockets;

namespace Drogulus.Core.Limits;

/// <summary>
/// Token buckets per remote address (PROTOCOL §5, rate): each address may spend <see cref="Rate"/>.Burst
/// requests at once and earns <see cref="Rate"/>.PerSecond more each second. Used for inbound requests
/// (<c>rate-limit</c>, excess answered with error 10) and for new connections (<c>connection-rate-limit</c>).
/// Time is passed in, so tests are deterministic. Not thread-safe: one actor owns it.
/// </summary>
/// <remarks>
/// At most <c>maxAddresses</c> buckets are kept; when a new address arrives at a full map the least
/// recently seen bucket is dropped (it would have refilled anyway if idle). IPv6 addresses share one
/// bucket per /64, the block one host usually gets, so that a host cannot mint fresh buckets. Addresses in
/// the exempt set (default loopback) are never limited and take no bucket.
/// </remarks>
public sealed class InboundRateLimiter
{
    private readonly AddressSet _exempt;
    private readonly int _maxAddresses;
    private readonly Dictionary<IPAddress, LinkedListNode<Bucket>> _buckets = new();
    private readonly LinkedList<Bucket> _recency = new();

    /// <summary>Creates a limiter.</summary>
    /// <param name="rate">Refill rate and burst of each address.</param>
    /// <param name="exempt">Addresses never limited.</param>
    /// <param name="maxAddresses">Most addresses tracked at once.</param>
    public InboundRateLimiter(TokenBucketRate rate, AddressSet exempt, int maxAddresses)
    {
        ArgumentNullException.ThrowIfNull(rate);
        ArgumentNullException.ThrowIfNull(exempt);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAddresses, 1);
        Rate = rate.Validated();
        _exempt = exempt;
        _maxAddresses = maxAddresses;
    }

    /// <summary>The refill rate and burst of each address.</summary>
    public TokenBucketRate Rate { get; }

    /// <summary>Addresses with a bucket now.</summary>
    public int TrackedAddresses => _buckets.Count;

    /// <summary>
    /// Takes one token for <paramref name="address"/> at <paramref name="now"/>: true when the request may
    /// proceed, false when it is over the rate (answer Busy, or refuse the connection).
    /// </summary>
    public bool TryAcquire(IPAddress address, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_exempt.Contains(address))
        {
            return true;
        }

        var id = BucketId(address);
        if (_buckets.TryGetValue(id, out var node))
        {
            _recency.Remove(node);
            _recency.AddLast(node);
        }
        else
        {
            if (_buckets.Count >= _maxAddresses)
            {
                var oldest = _recency.First!;
                _recency.RemoveFirst();
                _buckets.Remove(oldest.Value.Id);
            }

            node = _recency.AddLast(new Bucket(id, Rate.Burst, now));
            _buckets.Add(id, node);
        }

        return node.Value.TryTake(Rate, now);
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

    private sealed class Bucket(IPAddress id, double tokens, DateTimeOffset at)
    {
        private double _tokens = tokens;
        private DateTimeOffset _at = at;

        public IPAddress Id { get; } = id;

        public bool TryTake(TokenBucketRate rate, DateTimeOffset now)
        {
            if (now > _at)
            {
                _tokens = Math.Min(rate.Burst, _tokens + ((now - _at).TotalSeconds * rate.PerSecond));
                _at = now;
            }

            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
