using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using static Drogulus.Core.Tests.Routing.RoutingFixtures;

namespace Drogulus.Core.Tests.Routing;

public sealed class RoutingTableRemoveTests
{
    private const int K = 3;
    private const int AllowedFails = 3;

    /// <summary>Own id 0; upper bucket full with Upper(1..K) and Upper(100), Upper(101) cached, in that order.</summary>
    private static RoutingTable FullUpperBucket()
    {
        var table = new RoutingTable(Key.Zero, K, AllowedFails, Epoch);
        table.Add(ContactFor(Lower(1)));
        for (var i = 1; i <= K; i++)
        {
            table.Add(ContactFor(Upper(i)));
        }

        table.Add(ContactFor(Upper(100)));
        table.Add(ContactFor(Upper(101)));
        return table;
    }

    [Fact]
    public void Remove_should_ignore_id_when_unknown()
    {
        var table = FullUpperBucket();
        var before = table.AllContacts();
        Assert.Equal(RemoveResult.Ignored, table.Remove(Upper(55), forced: true));
        Assert.Equal(before, table.AllContacts());
    }

    [Fact]
    public void Remove_should_count_failure_and_keep_contact_when_below_allowed_rpc_fails()
    {
        var table = FullUpperBucket();
        for (var failures = 1; failures < AllowedFails; failures++)
        {
            var result = table.Remove(Upper(2), forced: false);
            Assert.Equal(RemoveOutcome.FailureCounted, result.Outcome);
            Assert.Equal(failures, table.Find(Upper(2))!.FailureCount);
        }

        Assert.Equal(K + 1, table.Count);
    }

    [Fact]
    public void Remove_should_drop_contact_when_failures_reach_allowed_rpc_fails()
    {
        var table = FullUpperBucket();
        for (var failures = 1; failures < AllowedFails; failures++)
        {
            table.Remove(Upper(2), forced: false);
        }

        var result = table.Remove(Upper(2), forced: false);

        Assert.Equal(RemoveOutcome.Removed, result.Outcome);
        Assert.Equal(AllowedFails, result.Contact!.FailureCount);
        Assert.Null(table.Find(Upper(2)));
    }

    [Fact]
    public void Remove_should_drop_contact_at_once_when_forced()
    {
        var table = FullUpperBucket();
        var result = table.Remove(Upper(2), forced: true);
        Assert.Equal(RemoveOutcome.Removed, result.Outcome);
        Assert.Null(table.Find(Upper(2)));
    }

    [Fact]
    public void Remove_should_promote_most_recently_seen_cached_contact_when_contact_leaves()
    {
        var table = FullUpperBucket();
        var result = table.Remove(Upper(1), forced: true);

        Assert.Equal(Upper(101), result.Replacement!.Id);
        Assert.Equal([Upper(2), Upper(3), Upper(101)], table.Snapshot()[^1].Contacts.Select(c => c.Id));
        Assert.Equal([Upper(100)], table.Snapshot()[^1].ReplacementCache.Select(c => c.Id));
        Assert.Equal(K + 1, table.Count);
        AssertInvariants(table);
    }

    [Fact]
    public void Remove_should_leave_bucket_short_when_cache_is_empty()
    {
        var table = new RoutingTable(Key.Zero, K, AllowedFails, Epoch);
        table.Add(ContactFor(Upper(1)));
        var result = table.Remove(Upper(1), forced: true);
        Assert.Null(result.Replacement);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Remove_should_drop_cached_contact_from_cache_when_forced()
    {
        var table = FullUpperBucket();
        var result = table.Remove(Upper(101), forced: true);

        Assert.Equal(RemoveOutcome.Removed, result.Outcome);
        Assert.Null(result.Replacement);
        Assert.Null(table.FindCached(Upper(101)));
        Assert.Equal(Upper(100), table.Remove(Upper(1), forced: true).Replacement!.Id);
    }

    [Fact]
    public void Remove_should_count_failures_of_cached_contact_until_allowed_rpc_fails()
    {
        var table = FullUpperBucket();
        for (var failures = 1; failures < AllowedFails; failures++)
        {
            Assert.Equal(RemoveOutcome.FailureCounted, table.Remove(Upper(100), forced: false).Outcome);
        }

        Assert.Equal(AllowedFails - 1, table.FindCached(Upper(100))!.FailureCount);
        Assert.Equal(RemoveOutcome.Removed, table.Remove(Upper(100), forced: false).Outcome);
        Assert.Null(table.FindCached(Upper(100)));
    }

    [Fact]
    public void Blacklist_should_force_remove_and_ignore_later_adds_when_id_is_blacklisted()
    {
        var table = FullUpperBucket();
        table.Blacklist(Upper(1));

        Assert.True(table.IsBlacklisted(Upper(1)));
        Assert.False(table.IsBlacklisted(Upper(2)));
        Assert.Null(table.Find(Upper(1)));
        Assert.Equal(Upper(101), table.Find(Upper(101))!.Id);

        // Make room so that only the blacklist can keep the id out.
        table.Remove(Upper(2), forced: true);
        table.Remove(Upper(3), forced: true);
        Assert.Equal(K - 1, table.Snapshot()[^1].Contacts.Count);
        Assert.Equal(AddOutcome.Ignored, table.Add(ContactFor(Upper(1))).Outcome);
        Assert.Null(table.Find(Upper(1)));
        AssertInvariants(table);
    }

    [Fact]
    public void Blacklist_should_drop_cached_contact_and_block_it_when_id_is_only_cached()
    {
        var table = FullUpperBucket();
        table.Blacklist(Upper(100));
        Assert.Null(table.FindCached(Upper(100)));
        Assert.Equal(AddOutcome.Ignored, table.Add(ContactFor(Upper(100))).Outcome);
    }

    [Fact]
    public void Blacklist_should_block_id_when_never_seen_before()
    {
        var table = new RoutingTable(Key.Zero, K, AllowedFails, Epoch);
        table.Blacklist(Upper(9));
        Assert.True(table.IsBlacklisted(Upper(9)));
        Assert.Equal(AddOutcome.Ignored, table.Add(ContactFor(Upper(9))).Outcome);
        Assert.Equal(0, table.Count);
    }
}
