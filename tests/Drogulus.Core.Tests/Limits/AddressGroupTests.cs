using System.Net;
using Drogulus.Core.Limits;
using Xunit;

namespace Drogulus.Core.Tests.Limits;

public sealed class AddressGroupTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.0/24")]
    [InlineData("203.0.113.250", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.9", "203.0.113.0/24")]
    [InlineData("2001:db8:1:2:3::9", "2001:db8:1::/48")]
    [InlineData("2001:db8:1:ffff::1", "2001:db8:1::/48")]
    public void Of_should_group_ipv4_by_24_and_ipv6_by_48(string address, string group)
    {
        var g = AddressGroup.Of(IPAddress.Parse(address), exemptPrivate: true);
        Assert.Equal(group, g.Value);
        Assert.False(g.IsExempt);
    }

    [Fact]
    public void Of_should_put_two_addresses_of_one_24_in_one_group_and_of_two_24s_in_two()
    {
        Assert.Equal(AddressGroup.Of("198.51.100.1", true), AddressGroup.Of("198.51.100.2", true));
        Assert.NotEqual(AddressGroup.Of("198.51.100.1", true), AddressGroup.Of("198.51.101.1", true));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.1.1")]
    [InlineData("::1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    public void Of_should_exempt_private_addresses_as_groups_by_themselves_when_the_exemption_is_on(string address)
    {
        var g = AddressGroup.Of(IPAddress.Parse(address), exemptPrivate: true);
        Assert.True(g.IsExempt);
        Assert.Equal(IPAddress.Parse(address).ToString(), g.Value);
        Assert.False(AddressGroup.Of(IPAddress.Parse(address), exemptPrivate: false).IsExempt);
    }

    [Fact]
    public void Of_should_group_private_addresses_by_prefix_when_the_exemption_is_off()
    {
        Assert.Equal("10.1.2.0/24", AddressGroup.Of("10.1.2.3", exemptPrivate: false).Value);
        Assert.Equal(AddressGroup.Of("127.0.0.1", false), AddressGroup.Of("127.0.0.2", false));
    }

    [Fact]
    public void Of_should_make_a_host_name_a_group_by_itself()
    {
        Assert.NotEqual(AddressGroup.Of("a.example", true), AddressGroup.Of("b.example", true));
        Assert.False(AddressGroup.Of("a.example", true).IsExempt);
    }

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8::/32")]
    [InlineData("2001:db8:ffff::1", "2001:db8::/32")]
    [InlineData("203.0.113.7", "203.0.113.0/24")]
    public void WideBlockOf_should_be_the_ipv6_32_or_the_ipv4_group(string address, string block)
    {
        Assert.Equal(block, AddressGroup.WideBlockOf(IPAddress.Parse(address)));
    }
}
