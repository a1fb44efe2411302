using Drogulus.Core.Limits;

namespace Drogulus.Core.Tests.Limits;

/// <summary>PROTOCOL §5, budget: the connection to close to make room is the one idle longest, never a busy one.</summary>
public sealed class IdleOrderTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    [Fact]
    public void TryTakeIdlest_should_take_the_connection_idle_longest()
    {
        var order = new IdleOrder<string>();
        order.Opened("a", busy: false, T0.AddSeconds(5));
        order.Opened("b", busy: false, T0.AddSeconds(1));
        order.Opened("c", busy: false, T0.AddSeconds(3));
        order.Activity("b", busy: false, T0.AddSeconds(9));

        Assert.True(order.TryTakeIdlest(out var first));
        order.Opened("d", busy: false, T0.AddSeconds(10));
        Assert.True(order.TryTakeIdlest(out var second));

        Assert.Equal("c", first);
        Assert.Equal("a", second);
        Assert.Equal(2, order.Count);
    }

    [Fact]
    public void TryTakeIdlest_should_take_nothing_when_every_connection_has_requests_in_flight()
    {
        var order = new IdleOrder<string>();
        order.Opened("a", busy: true, T0);
        order.Opened("b", busy: false, T0);
        order.Activity("b", busy: true, T0.AddSeconds(1));

        Assert.False(order.TryTakeIdlest(out _));

        order.Activity("a", busy: false, T0.AddSeconds(2));
        Assert.True(order.TryTakeIdlest(out var idle));
        Assert.Equal("a", idle);
        order.Closed("a");
        Assert.Equal(1, order.Count);
    }

    [Fact]
    public void Return_should_offer_a_taken_connection_again()
    {
        var order = new IdleOrder<string>();
        order.Opened("a", busy: false, T0);
        order.Opened("b", busy: false, T0.AddSeconds(1));
        Assert.True(order.TryTakeIdlest(out var taken));

        Assert.Equal(["b"], order.TakeIdlest(5)); // a is taken: never offered twice
        order.Return(taken);
        Assert.True(order.TryTakeIdlest(out var again));
        Assert.Equal("a", again);
    }

    [Fact]
    public void TryTakeIdlest_should_take_a_connection_whose_peer_has_not_proven_its_id_before_any_proven_one()
    {
        // PROTOCOL §5, admission: a stalled hello holds nothing but its socket, so room is made from it first, even
        // when an established peer's connection has been idle far longer.
        var order = new IdleOrder<string>();
        order.Opened("established", busy: false, T0);
        order.Proven("established");
        order.Opened("stalled-old", busy: false, T0.AddSeconds(50));
        order.Opened("stalled-new", busy: false, T0.AddSeconds(59));
        order.Opened("busy-handshake", busy: true, T0.AddSeconds(40));

        Assert.True(order.TryTakeIdlest(out var first));
        Assert.Equal("stalled-old", first);
        Assert.Equal(["stalled-new", "established"], order.TakeIdlest(5));
        Assert.False(order.TryTakeIdlest(out _));
    }
}
