using System.Net;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Tests.Limits;

/// <summary>PROTOCOL §5, rate: token buckets per remote address with time passed in.</summary>
public sealed class InboundRateLimiterTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.0.0.2");

    // Groups and /32s so large that only the per-address buckets bind (the specs of one address's bucket).
    private static readonly GroupRateMultiples Unbounded = new(10_000, 10_000, ExemptPrivate: false);

    [Fact]
    public void TryAcquire_should_allow_the_burst_then_refuse_when_no_time_passes()
    {
        var limiter = new InboundRateLimiter(new TokenBucketRate(10, 4), Unbounded, AddressSet.Empty, 100);

        var admitted = Enumerable.Range(0, 6).Count(_ => limiter.TryAcquire(A, T0));

        Assert.Equal(4, admitted);
    }

    [Fact]
    public void TryAcquire_should_refill_at_the_rate_when_time_passes()
    {
        var limiter = new InboundRateLimiter(new TokenBucketRate(10, 4), Unbounded, AddressSet.Empty, 100);
        while (limiter.TryAcquire(A, T0))
        {
        }

        Assert.False(limiter.TryAcquire(A, T0 + TimeSpan.FromMilliseconds(99)));
        Assert.True(limiter.TryAcquire(A, T0 + TimeSpan.FromMilliseconds(100)));
        Assert.False(limiter.TryAcquire(A, T0 + TimeSpan.FromMilliseconds(100)));

        // A long pause refills only up to the burst.
        var later = T0 + TimeSpan.FromHours(1);
        Assert.Equal(4, Enumerable.Range(0, 10).Count(_ => limiter.TryAcquire(A, later)));
    }

    [Fact]
    public void TryAcquire_should_keep_addresses_apart_when_one_is_flooding()
    {
        var limiter = new InboundRateLimiter(new TokenBucketRate(1, 2), Unbounded, AddressSet.Empty, 100);
        for (var i = 0; i < 100; i++)
        {
            limiter.TryAcquire(A, T0);
        }

        Assert.True(limiter.TryAcquire(B, T0));
        Assert.True(limiter.TryAcquire(B, T0));
        Assert.False(limiter.TryAcquire(B, T0));
    }

    [Fact]
    public void TryAcquire_should_never_limit_an_exempt_address_and_track_no_bucket_for_it()
    {
        var exempt = AddressSet.Parse(["127.0.0.0/8", "::1/128"]);
        var limiter = new InboundRateLimiter(new TokenBucketRate(1, 1), Unbounded, exempt, 100);

        Assert.All(Enumerable.Range(0, 1000), _ => Assert.True(limiter.TryAcquire(IPAddress.Parse("127.5.6.7"), T0)));
        Assert.True(limiter.TryAcquire(IPAddress.IPv6Loopback, T0));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("::ffff:127.0.0.1"), T0));
        Assert.Equal(0, limiter.TrackedAddresses);
    }

    [Fact]
    public void TryAcquire_should_track_at_most_max_addresses_forgetting_the_least_recently_seen()
    {
        var limiter = new InboundRateLimiter(new TokenBucketRate(1, 1), Unbounded, AddressSet.Empty, 3);
        Assert.True(limiter.TryAcquire(A, T0));
        for (var i = 0; i < 50; i++)
        {
            limiter.TryAcquire(IPAddress.Parse($"10.1.0.{i}"), T0);
        }

        Assert.Equal(3, limiter.TrackedAddresses);

        // A was forgotten, so it starts again with a full bucket.
        Assert.True(limiter.TryAcquire(A, T0));
    }

    [Fact]
    public void TryAcquire_should_share_one_bucket_per_ipv6_64_when_addresses_differ_only_in_the_interface_id()
    {
        var limiter = new InboundRateLimiter(new TokenBucketRate(1, 2), Unbounded, AddressSet.Empty, 100);

        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2::1"), T0));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2::ffff"), T0));
        Assert.False(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2:abcd::9"), T0));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:3::1"), T0));
    }

    [Fact]
    public void TryAcquire_should_not_refill_when_time_goes_backwards()
    {
        var limiter = new InboundRateLimiter(new TokenBucketRate(10, 1), Unbounded, AddressSet.Empty, 100);
        Assert.True(limiter.TryAcquire(A, T0));

        Assert.False(limiter.TryAcquire(A, T0 - TimeSpan.FromHours(1)));
        Assert.False(limiter.TryAcquire(A, T0));
    }

    [Fact]
    public void AddressSet_should_refuse_text_that_is_not_a_network()
    {
        Assert.Throws<FormatException>(() => AddressSet.Parse(["10.0.0.0/8", "localhost"]));
        Assert.True(AddressSet.Parse(["10.0.0.5"]).Contains(IPAddress.Parse("10.0.0.5")));
        Assert.False(AddressSet.Parse(["10.0.0.5"]).Contains(IPAddress.Parse("10.0.0.6")));
    }
}
