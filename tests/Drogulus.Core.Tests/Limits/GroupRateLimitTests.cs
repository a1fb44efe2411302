using System.Net;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Tests.Limits;

/// <summary>
/// PROTOCOL §5, rate: many addresses buy no more than their groups. Besides each address, each address group
/// (IPv4 /24, IPv6 /48) and each IPv6 /32 has a bucket of its own, a multiple of the per-address one, so rotating
/// through the addresses of a group, or through more addresses than the limiter remembers, gains nothing.
/// </summary>
public sealed class GroupRateLimitTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    // The defaults of reference.conf: 200/s with a burst of 400 per address, 8x per group, 32x per /32.
    private static readonly TokenBucketRate PerAddress = new(200, 400);
    private static readonly GroupRateMultiples Multiples = new(8, 32, ExemptPrivate: true);

    [Fact]
    public void TryAcquire_should_admit_no_more_than_the_group_limit_when_100000_requests_rotate_over_every_ipv6_64_of_one_48()
    {
        var limiter = new InboundRateLimiter(PerAddress, Multiples, AddressSet.Empty, maxAddresses: 10_000);
        var seconds = 10.0;
        var admitted = 0;

        // 100,000 requests in 10 s, rotating over all 65,536 /64s of one /48 (a /48 has no more), so each comes from
        // a /64 the limiter does not remember (it keeps 10,000).
        for (var i = 0; i < 100_000; i++)
        {
            var at = T0 + TimeSpan.FromSeconds(seconds * i / 100_000);
            if (limiter.TryAcquire(Slash64In48(0x2001, 0x0db8, 0x0001, i % 65_536), at))
            {
                admitted++;
            }
        }

        // The group's burst (8 x 400) and its rate (8 x 200/s) over the 10 s: without the group bucket all 100,000 pass.
        var groupLimit = (8 * 400) + (8 * 200 * seconds);
        Assert.InRange(admitted, groupLimit - (8 * 200 * 0.01), groupLimit);
        Assert.Equal(10_000, limiter.TrackedAddresses);
        Assert.Equal(1, limiter.TrackedGroups);
    }

    [Fact]
    public void TryAcquire_should_admit_no_more_new_connections_than_the_group_limit_when_100000_connections_rotate_over_the_64s_of_one_48()
    {
        // connection-rate-limit of reference.conf: 10 new connections/s with a burst of 20 per address, 8x per group.
        var limiter = new InboundRateLimiter(new TokenBucketRate(10, 20), Multiples, AddressSet.Empty, maxAddresses: 10_000);
        var seconds = 10.0;
        var admitted = 0;

        // 100,000 new connections in 10 s, each from the next /64 of one /48 (so from one the limiter has forgotten
        // or never seen, each with a full burst of its own): the attack of rotating addresses against the connection limit.
        for (var i = 0; i < 100_000; i++)
        {
            var at = T0 + TimeSpan.FromSeconds(seconds * i / 100_000);
            if (limiter.TryAcquire(Slash64In48(0x2001, 0x0db8, 0x0002, i % 65_536), at))
            {
                admitted++;
            }
        }

        // The group's burst (8 x 20) and its rate (8 x 10/s) over the 10 s, 960 in all; without the group bucket all 100,000 pass.
        var groupLimit = (8 * 20) + (8 * 10 * seconds);
        Assert.InRange(admitted, groupLimit - 1, groupLimit);
    }

    [Fact]
    public void TryAcquire_should_admit_no_more_than_the_32_limit_when_requests_rotate_over_more_48s_than_the_limiter_remembers()
    {
        var limiter = new InboundRateLimiter(PerAddress, Multiples, AddressSet.Empty, maxAddresses: 1_000);
        var admitted = 0;

        // 100,000 requests at one instant, each from another /48 of 2001:db8::/32 (65,536 of them, 1,000 remembered).
        for (var i = 0; i < 100_000; i++)
        {
            if (limiter.TryAcquire(Slash64In48(0x2001, 0x0db8, (ushort)(i % 65_536), i / 65_536), T0))
            {
                admitted++;
            }
        }

        Assert.Equal(32 * 400, admitted);
    }

    [Fact]
    public void TryAcquire_should_admit_no_more_than_the_group_burst_when_one_24_rotates_over_more_addresses_than_remembered()
    {
        var limiter = new InboundRateLimiter(PerAddress, Multiples, AddressSet.Empty, maxAddresses: 50);
        var admitted = 0;
        for (var round = 0; round < 40; round++)
        {
            for (var host = 1; host < 255; host++)
            {
                if (limiter.TryAcquire(IPAddress.Parse($"203.0.113.{host}"), T0))
                {
                    admitted++;
                }
            }
        }

        Assert.Equal(8 * 400, admitted);
    }

    [Fact]
    public void TryAcquire_should_leave_a_neighbours_share_when_one_address_of_the_group_floods_over_its_own_rate()
    {
        var limiter = new InboundRateLimiter(PerAddress, Multiples, AddressSet.Empty, maxAddresses: 100);
        var flooder = IPAddress.Parse("198.51.100.7");
        var flooded = Enumerable.Range(0, 100_000).Count(_ => limiter.TryAcquire(flooder, T0));

        // Refused requests take no token from the group: the neighbour still has its own full burst.
        var neighbour = Enumerable.Range(0, 1_000).Count(_ => limiter.TryAcquire(IPAddress.Parse("198.51.100.8"), T0));

        Assert.Equal(400, flooded);
        Assert.Equal(400, neighbour);
    }

    [Fact]
    public void TryAcquire_should_keep_groups_apart_when_one_group_is_spent()
    {
        var limiter = new InboundRateLimiter(PerAddress, Multiples, AddressSet.Empty, maxAddresses: 1_000);
        for (var host = 1; host < 255; host++)
        {
            while (limiter.TryAcquire(IPAddress.Parse($"203.0.113.{host}"), T0))
            {
            }
        }

        Assert.False(limiter.TryAcquire(IPAddress.Parse("203.0.113.77"), T0));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("203.0.114.77"), T0));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:5::1"), T0));
    }

    [Fact]
    public void TryAcquire_should_refill_a_spent_group_at_the_group_rate_when_time_passes()
    {
        var limiter = new InboundRateLimiter(PerAddress, Multiples, AddressSet.Empty, maxAddresses: 1_000);
        var address = 0;
        while (limiter.TryAcquire(Slash64In48(0x2001, 0x0db8, 9, address), T0))
        {
            address++;
        }

        // 8 x 200/s: one more request every 0.625 ms, from a fresh /64 of the spent /48.
        Assert.False(limiter.TryAcquire(Slash64In48(0x2001, 0x0db8, 9, ++address), T0 + TimeSpan.FromTicks(6_240)));
        Assert.True(limiter.TryAcquire(Slash64In48(0x2001, 0x0db8, 9, ++address), T0 + TimeSpan.FromTicks(6_300)));
    }

    [Theory]
    [InlineData(true, 254 * 400)]
    [InlineData(false, 8 * 400)]
    public void TryAcquire_should_limit_a_private_24_as_one_group_only_when_private_addresses_are_not_exempt(bool exemptPrivate, int expected)
    {
        var limiter = new InboundRateLimiter(PerAddress, Multiples with { ExemptPrivate = exemptPrivate }, AddressSet.Empty, maxAddresses: 1_000);
        var admitted = 0;
        for (var host = 1; host < 255; host++)
        {
            admitted += Enumerable.Range(0, 500).Count(_ => limiter.TryAcquire(IPAddress.Parse($"10.0.0.{host}"), T0));
        }

        Assert.Equal(expected, admitted);
    }

    // An address in the /64 numbered `subnet` (0 to 65,535) of the /48 a:b:c::/48.
    private static IPAddress Slash64In48(ushort a, ushort b, ushort c, int subnet)
    {
        var bytes = new byte[16];
        bytes[0] = (byte)(a >> 8);
        bytes[1] = (byte)a;
        bytes[2] = (byte)(b >> 8);
        bytes[3] = (byte)b;
        bytes[4] = (byte)(c >> 8);
        bytes[5] = (byte)c;
        bytes[6] = (byte)(subnet >> 8);
        bytes[7] = (byte)subnet;
        bytes[15] = 1;
        return new IPAddress(bytes);
    }
}
