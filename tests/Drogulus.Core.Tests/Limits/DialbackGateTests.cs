using Drogulus.Core.Limits;

namespace Drogulus.Core.Tests.Limits;

/// <summary>PROTOCOL §6, <c>dialback</c>: one per requesting address group at a time, and a bound on all.</summary>
public sealed class DialbackGateTests
{
    private static AddressGroup Group(string address) => AddressGroup.Of(address, exemptPrivate: true);

    [Fact]
    public void Gate_should_admit_one_dialback_per_group_at_a_time()
    {
        var gate = new DialbackGate(16);

        Assert.True(gate.TryBegin(Group("203.0.113.1")));
        Assert.False(gate.TryBegin(Group("203.0.113.200")));
        Assert.True(gate.TryBegin(Group("192.0.2.1")));

        gate.End(Group("203.0.113.1"));
        Assert.True(gate.TryBegin(Group("203.0.113.7")));
    }

    [Fact]
    public void Gate_should_admit_no_more_than_its_limit_in_all()
    {
        var gate = new DialbackGate(2);

        Assert.True(gate.TryBegin(Group("203.0.113.1")));
        Assert.True(gate.TryBegin(Group("192.0.2.1")));
        Assert.False(gate.TryBegin(Group("198.51.100.1")));
        Assert.Equal(2, gate.InFlight);
    }
}
