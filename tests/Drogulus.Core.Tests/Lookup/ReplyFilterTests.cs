using Drogulus.Core.Identity;
using Drogulus.Core.Lookup;
using static Drogulus.Core.Tests.Routing.RoutingFixtures;

namespace Drogulus.Core.Tests.Lookup;

public sealed class ReplyFilterTests
{
    private static Contact At(int n, string address) => ContactFor(Upper(n)) with { Address = address };

    [Fact]
    public void Apply_should_drop_every_contact_of_a_group_when_the_reply_lists_more_than_the_limit()
    {
        var reply = new[]
        {
            At(1, "203.0.113.1"), At(2, "198.51.100.7"), At(3, "203.0.113.2"), At(4, "203.0.113.3"), At(5, "203.0.113.200"),
            At(6, "2001:db8:1:2::1"),
        };

        var kept = ReplyFilter.Apply(reply, 3, exemptPrivate: true);

        Assert.Equal([Upper(2), Upper(6)], kept.Select(c => c.Id));
    }

    [Fact]
    public void Apply_should_keep_a_group_when_the_reply_lists_exactly_the_limit()
    {
        var reply = new[] { At(1, "203.0.113.1"), At(2, "203.0.113.2"), At(3, "203.0.113.3"), At(4, "198.51.100.1") };

        Assert.Equal(reply, ReplyFilter.Apply(reply, 3, exemptPrivate: true));
    }

    [Fact]
    public void Apply_should_count_ipv6_addresses_by_their_48_when_a_reply_lists_many()
    {
        var reply = new[] { At(1, "2001:db8:1:1::1"), At(2, "2001:db8:1:2::1"), At(3, "2001:db8:1:3::1"), At(4, "2001:db8:2::1") };

        Assert.Equal([Upper(4)], ReplyFilter.Apply(reply, 2, exemptPrivate: true).Select(c => c.Id));
    }

    [Fact]
    public void Apply_should_not_count_private_addresses_when_they_are_exempt()
    {
        var reply = Enumerable.Range(1, 10).Select(i => At(i, "127.0.0." + i)).ToArray();

        Assert.Equal(reply, ReplyFilter.Apply(reply, 3, exemptPrivate: true));
    }

    [Fact]
    public void Apply_should_count_private_addresses_when_the_exemption_is_off()
    {
        var reply = Enumerable.Range(1, 10).Select(i => At(i, "10.0.0." + i)).Append(At(20, "198.51.100.1")).ToArray();

        Assert.Equal([Upper(20)], ReplyFilter.Apply(reply, 3, exemptPrivate: false).Select(c => c.Id));
    }
}
