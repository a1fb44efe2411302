using Drogulus.Core.Items;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Items;

/// <summary>
/// PROTOCOL §3 rule 3 (third edition): an item is dead at the earlier of <c>expires</c> and
/// <c>timestamp + max-item-age</c>, and a timestamp more than <c>max-clock-skew</c> ahead is refused with
/// error 9 and <c>{"timestamp": "in the future"}</c>.
/// </summary>
public sealed class ItemLifetimeTests
{
    private static SignedItemVector V => SignedItemVector.Current;

    private static readonly ItemLifetime Lifetime = new(TimeSpan.FromHours(48), TimeSpan.FromMinutes(10));
    private static readonly double Age = TimeSpan.FromHours(48).TotalSeconds;
    private static readonly double Skew = TimeSpan.FromMinutes(10).TotalSeconds;

    [Fact]
    public void Validate_should_refuse_with_expired_value_when_the_timestamp_is_max_item_age_old()
    {
        var item = V.Item();

        Assert.True(item.Validate(V.Timestamp + Age - 1, Lifetime, 1024, 4096).IsValid);
        Assert.Equal(ErrorCode.ExpiredValue, item.Validate(V.Timestamp + Age, Lifetime, 1024, 4096).Error);
        Assert.False(item.Validate(V.Timestamp + Age, Lifetime, 1024, 4096).IsInTheFuture);
    }

    [Fact]
    public void Validate_should_refuse_as_in_the_future_when_the_timestamp_is_more_than_max_clock_skew_ahead()
    {
        var item = V.Item();

        Assert.True(item.Validate(V.Timestamp - Skew, Lifetime, 1024, 4096).IsValid);
        var result = item.Validate(V.Timestamp - Skew - 1, Lifetime, 1024, 4096);
        Assert.Equal(ErrorCode.ExpiredValue, result.Error);
        Assert.True(result.IsInTheFuture);
    }

    [Fact]
    public void ExpiryOf_should_be_the_earlier_of_expires_and_the_age_limit()
    {
        Assert.Equal(1000 + Age, Lifetime.ExpiryOf(1000, 0));
        Assert.Equal(2000, Lifetime.ExpiryOf(1000, 2000));
        Assert.Equal(1000 + Age, Lifetime.ExpiryOf(1000, 1000 + Age + 5));
    }

    [Fact]
    public void Validate_should_let_the_age_decide_when_an_item_never_expires()
    {
        var item = Item(expires: 0, timestamp: 1000);

        Assert.Equal(ErrorCode.ExpiredValue, item.Rule3(1000 + Age, Lifetime).Error);
        Assert.True(item.Rule3(1000 + Age, ItemLifetime.Unbounded).IsValid);
    }

    [Fact]
    public void Store_should_refuse_with_in_the_future_details_when_the_timestamp_is_too_far_ahead()
    {
        var store = new LocalStore(new InMemoryItemStore(), new StoreLimits(1000, 1_000_000, 100) { Lifetime = Lifetime });
        var item = Item(timestamp: Seconds(T0) + Skew + 1);

        var outcome = store.Store(item, T0);

        Assert.Equal(ErrorCode.ExpiredValue, outcome.Error);
        Assert.Equal("in the future", outcome.Details["timestamp"]);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Store_should_refuse_with_expired_value_when_the_timestamp_is_older_than_max_item_age()
    {
        var store = new LocalStore(new InMemoryItemStore(), new StoreLimits(1000, 1_000_000, 100) { Lifetime = Lifetime });

        var outcome = store.Store(Item(timestamp: Seconds(T0) - Age), T0);

        Assert.Equal(ErrorCode.ExpiredValue, outcome.Error);
        Assert.Empty(outcome.Details);
    }

    [Fact]
    public void Get_and_the_republish_pass_should_drop_an_item_when_it_ages_past_max_item_age()
    {
        var rows = new InMemoryItemStore();
        var store = new LocalStore(rows, new StoreLimits(1000, 1_000_000, 100) { Lifetime = Lifetime });
        var a = Item("a", timestamp: Seconds(T0));
        var b = Item("b", timestamp: Seconds(T0));
        store.Store(a, T0);
        store.Store(b, T0);
        var later = T0 + TimeSpan.FromHours(48);

        Assert.Null(store.Get(a.Key, later));
        var plan = store.PlanRepublish(later, Hour, _ => true);

        Assert.Equal([b.Key], plan.Delete.Select(e => e.Key));
        Assert.Empty(plan.Republish);
        Assert.Equal(1, store.ApplyDeletions(plan));
        Assert.Equal(0, rows.Count());
    }
}
