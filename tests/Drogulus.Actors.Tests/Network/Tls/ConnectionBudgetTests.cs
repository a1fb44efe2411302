using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Network.Tls;

namespace Drogulus.Actors.Tests.Network.Tls;

public sealed class ConnectionBudgetTests : TestKit
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    [Fact]
    public void TryMakeRoom_should_admit_without_eviction_when_under_the_budget()
    {
        var budget = new ConnectionBudget(2);
        budget.Opened(CreateTestProbe().Ref, busy: false, T0);

        Assert.True(budget.TryMakeRoom(false, out var evict));
        Assert.Null(evict);
    }

    [Fact]
    public void TryMakeRoom_should_evict_the_connection_idle_longest_when_the_budget_is_full()
    {
        var budget = new ConnectionBudget(3);
        var (a, b, c) = (CreateTestProbe().Ref, CreateTestProbe().Ref, CreateTestProbe().Ref);
        budget.Opened(a, busy: false, T0.AddSeconds(5));
        budget.Opened(b, busy: false, T0.AddSeconds(1));
        budget.Opened(c, busy: false, T0.AddSeconds(3));
        budget.Activity(b, busy: false, T0.AddSeconds(9));

        Assert.True(budget.TryMakeRoom(false, out var first));
        budget.Opened(CreateTestProbe().Ref, busy: false, T0.AddSeconds(10));
        Assert.True(budget.TryMakeRoom(false, out var second));

        Assert.Equal(c, first);
        Assert.Equal(a, second);
        Assert.Equal(2, budget.Count);
    }

    [Fact]
    public void TryMakeRoom_should_refuse_when_every_connection_has_requests_in_flight()
    {
        var budget = new ConnectionBudget(2);
        var (a, b) = (CreateTestProbe().Ref, CreateTestProbe().Ref);
        budget.Opened(a, busy: true, T0);
        budget.Opened(b, busy: false, T0);
        budget.Activity(b, busy: true, T0.AddSeconds(1));

        Assert.False(budget.TryMakeRoom(false, out var evict));
        Assert.Null(evict);

        budget.Activity(a, busy: false, T0.AddSeconds(2));
        Assert.True(budget.TryMakeRoom(false, out evict));
        Assert.Equal(a, evict);
        budget.Closed(a);
        Assert.Equal(1, budget.Count);
    }
}
