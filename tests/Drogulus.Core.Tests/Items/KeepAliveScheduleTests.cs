using Drogulus.Core.Items;

namespace Drogulus.Core.Tests.Items;

/// <summary>PROTOCOL §10 (third edition): the items a publisher keeps published come due once per interval.</summary>
public sealed class KeepAliveScheduleTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    [Fact]
    public void TakeDue_should_give_each_item_once_per_interval_when_items_are_kept()
    {
        var schedule = new KeepAliveSchedule(Day);
        schedule.Keep(Kept("b"), T0);
        schedule.Keep(Kept("a"), T0 + TimeSpan.FromHours(1));

        Assert.Equal(["b"], schedule.TakeDue(T0).Select(i => i.Name));
        Assert.Equal(T0 + TimeSpan.FromHours(1), schedule.NextDue);
        Assert.Equal(["a"], schedule.TakeDue(T0 + TimeSpan.FromHours(1)).Select(i => i.Name));
        Assert.Empty(schedule.TakeDue(T0 + Day - TimeSpan.FromSeconds(1)));
        Assert.Equal(["b"], schedule.TakeDue(T0 + Day).Select(i => i.Name));
    }

    [Fact]
    public void Stop_should_drop_the_item_when_it_was_kept()
    {
        var schedule = new KeepAliveSchedule(Day);
        schedule.Keep(Kept("a"), T0);

        Assert.True(schedule.Stop("a"));
        Assert.False(schedule.Stop("a"));
        Assert.Null(schedule.NextDue);
        Assert.Empty(schedule.TakeDue(T0 + Day));
    }

    private static KeptItem Kept(string name) => new(name, new byte[] { 0xa1, 0x76 }, new Dictionary<string, string>());
}
