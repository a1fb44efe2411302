using Drogulus.Actors.Network;

namespace Drogulus.Actors.Tests.Network;

public sealed class WarningThrottleTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public void TryPass_should_write_the_first_and_count_the_rest_when_one_kind_repeats_within_the_interval()
    {
        var throttle = new WarningThrottle(Interval);

        Assert.True(throttle.TryPass("handshake", T0, out var first));
        var passed = Enumerable.Range(1, 2999).Count(i => throttle.TryPass("handshake", T0 + TimeSpan.FromMilliseconds(i), out _));
        Assert.True(throttle.TryPass("handshake", T0 + Interval, out var held));

        Assert.Equal(0, first);
        Assert.Equal(0, passed);
        Assert.Equal(2999, held);
    }

    [Fact]
    public void TryPass_should_keep_kinds_apart_when_two_kinds_alternate()
    {
        var throttle = new WarningThrottle(Interval);

        Assert.True(throttle.TryPass("a", T0, out _));
        Assert.True(throttle.TryPass("b", T0, out _));
        Assert.False(throttle.TryPass("a", T0 + TimeSpan.FromSeconds(1), out _));
        Assert.True(throttle.TryPass("b", T0 + Interval, out var heldB));

        Assert.Equal(0, heldB);
    }

    [Fact]
    public void TakeDue_should_report_held_back_counts_once_when_the_interval_has_passed()
    {
        var throttle = new WarningThrottle(Interval);
        throttle.TryPass("accept", T0, out _);
        throttle.TryPass("accept", T0 + TimeSpan.FromSeconds(1), out _);
        throttle.TryPass("accept", T0 + TimeSpan.FromSeconds(2), out _);

        Assert.Empty(throttle.TakeDue(T0 + TimeSpan.FromSeconds(5)));
        Assert.Equal([("accept", 2)], throttle.TakeDue(T0 + Interval));
        Assert.Empty(throttle.TakeDue(T0 + (3 * Interval)));
        Assert.False(throttle.HasSuppressed);
    }
}
