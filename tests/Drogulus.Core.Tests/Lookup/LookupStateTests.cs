using Drogulus.Core.Lookup;
using static Drogulus.Core.Tests.Lookup.LookupTestData;

namespace Drogulus.Core.Tests.Lookup;

public sealed class LookupStateTests
{
    private static LookupState Lookup(int[] initial, int k = 3, int alpha = 2, LookupKind kind = LookupKind.FindNode) =>
        new(OwnId, Target, kind, Peers(initial), k, alpha, Start);

    [Fact]
    public void Rule1_lookup_should_fail_at_once_when_routing_table_empty()
    {
        var empty = new LookupState(OwnId, Target, LookupKind.FindNode, [], 20, 3, Start);
        var onlySelf = new LookupState(OwnId, Target, LookupKind.FindValue, [Peer(1)], 20, 3, Start);

        foreach (var lookup in new[] { empty, onlySelf })
        {
            Assert.Equal(LookupStatus.Failed, lookup.Status);
            Assert.Equal(LookupFailure.RoutingTableEmpty, lookup.Failure);
            Assert.Equal("routing table empty", lookup.FailureReason);
            Assert.Empty(lookup.NextRequests(Start));
        }
    }

    [Fact]
    public void Rule1_lookup_should_never_contact_own_id_when_a_peer_returns_it()
    {
        var lookup = Lookup([1, 10], k: 3, alpha: 3);

        Assert.Equal([10], Distances(lookup.NextRequests(Start)));
        lookup.OnNodes(Id(10), Peers(1, 5), At(1));
        Assert.Equal([5], Distances(lookup.NextRequests(At(1))));
        lookup.OnNodes(Id(5), Peers(1, 10), At(2));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([5, 10], Distances(lookup.Closest));
    }

    [Fact]
    public void Rule1_lookup_should_start_with_the_k_closest_sorted_when_given_more_unsorted()
    {
        var lookup = Lookup([40, 7, 30, 7, 9, 20], k: 3, alpha: 5);

        Assert.Equal([7, 9, 20], Distances(lookup.NextRequests(Start)));
    }

    [Fact]
    public void Rule2_lookup_should_keep_exactly_alpha_in_flight()
    {
        var lookup = Lookup([2, 3, 4, 5, 6, 7], k: 6, alpha: 3);

        Assert.Equal(3, lookup.NextRequests(Start).Count);
        Assert.Equal(3, lookup.InFlight);
        Assert.Empty(lookup.NextRequests(Start));

        lookup.OnNodes(Id(2), [], At(1));
        Assert.Equal(2, lookup.InFlight);
        Assert.Single(lookup.NextRequests(At(1)));
        Assert.Equal(3, lookup.InFlight);
    }

    [Fact]
    public void Rule2_lookup_should_send_to_closest_uncontacted_first()
    {
        var lookup = Lookup([8, 6, 9, 7], k: 4, alpha: 2);

        Assert.Equal([6, 7], Distances(lookup.NextRequests(Start)));
        lookup.OnNodes(Id(7), Peers(3, 2), At(1));

        // 2 and 3 are now closer than 8 and 9, and 6 is still in flight: only one slot.
        Assert.Equal([2], Distances(lookup.NextRequests(At(1))));
        lookup.OnNodes(Id(6), [], At(2));
        Assert.Equal([3], Distances(lookup.NextRequests(At(2))));
    }

    [Fact]
    public void Rule3_lookup_should_merge_reply_contacts_sorted_without_duplicates()
    {
        var lookup = Lookup([10], k: 4, alpha: 4);
        lookup.NextRequests(Start);

        lookup.OnNodes(Id(10), Peers(6, 4, 6, 10, 8), At(1));

        Assert.Equal([4, 6, 8], Distances(lookup.NextRequests(At(1))));
        Assert.Equal(4, lookup.Stats.RpcsSent);
    }

    [Fact]
    public void Rule5_lookup_should_replace_failed_peer_with_next_closest()
    {
        var lookup = Lookup([2, 3, 4, 5], k: 4, alpha: 2);
        lookup.NextRequests(Start);

        Assert.True(lookup.OnFailure(Id(2), At(1)).Applied);

        Assert.Equal([4], Distances(lookup.NextRequests(At(1))));
        lookup.OnNodes(Id(3), [], At(2));
        lookup.OnNodes(Id(4), [], At(2));
        Assert.Equal([5], Distances(lookup.NextRequests(At(2))));
        lookup.OnNodes(Id(5), [], At(3));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([3, 4, 5], Distances(lookup.Closest));
    }

    [Fact]
    public void Rule5_failed_peer_should_never_reenter_when_another_peer_returns_it()
    {
        var lookup = Lookup([2, 3], k: 3, alpha: 1);
        Assert.Equal([2], Distances(lookup.NextRequests(Start)));
        lookup.OnFailure(Id(2), At(1));
        Assert.Equal([3], Distances(lookup.NextRequests(At(1))));

        lookup.OnNodes(Id(3), Peers(2, 4), At(2));

        Assert.Equal([4], Distances(lookup.NextRequests(At(2))));
        lookup.OnNodes(Id(4), Peers(2), At(3));
        Assert.Empty(lookup.NextRequests(At(3)));
        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([3, 4], Distances(lookup.Closest));
    }

    [Fact]
    public void Lookup_should_ignore_late_reply_when_peer_not_in_flight()
    {
        var lookup = Lookup([2, 3, 4], k: 3, alpha: 1);
        lookup.NextRequests(Start);
        lookup.OnFailure(Id(2), At(1));
        lookup.NextRequests(At(1));
        var statsBefore = lookup.Stats;

        // Late reply after failure, never-asked member, stranger, duplicate failure.
        Assert.False(lookup.OnNodes(Id(2), Peers(5), At(2)).Applied);
        Assert.False(lookup.OnNodes(Id(4), Peers(5), At(2)).Applied);
        Assert.False(lookup.OnNodes(Id(99), Peers(5), At(2)).Applied);
        Assert.False(lookup.OnFailure(Id(2), At(2)).Applied);
        Assert.False(lookup.OnFailure(Id(4), At(2)).Applied);

        Assert.Equal(statsBefore, lookup.Stats);
        Assert.Equal(1, lookup.InFlight);
        lookup.OnNodes(Id(3), [], At(3));
        Assert.False(lookup.OnNodes(Id(3), Peers(5), At(3)).Applied);
        Assert.Equal([4], Distances(lookup.NextRequests(At(3))));
    }

    [Fact]
    public void Rule6_findnode_should_complete_with_k_closest_that_answered()
    {
        var lookup = Lookup([20, 30], k: 2, alpha: 2);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(20), Peers(5, 40), At(1));
        Assert.Equal([5], Distances(lookup.NextRequests(At(1))));
        lookup.OnNodes(Id(5), Peers(50), At(2));

        // 5 and 20 are the k closest and answered, but 30 is still in flight: rule 6 waits for it.
        Assert.Equal(LookupStatus.Running, lookup.Status);
        Assert.Empty(lookup.NextRequests(At(2)));
        lookup.OnNodes(Id(30), [], At(3));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([5, 20], Distances(lookup.Closest));
        Assert.Equal(LookupFailure.None, lookup.Failure);
        Assert.Null(lookup.FailureReason);
    }

    [Fact]
    public void Rule6_findvalue_should_fail_value_not_found_when_k_closest_answered_without_value()
    {
        var lookup = Lookup([2, 3], k: 2, alpha: 2, kind: LookupKind.FindValue);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(2), [], At(1));
        lookup.OnNodes(Id(3), [], At(2));

        Assert.Equal(LookupStatus.Failed, lookup.Status);
        Assert.Equal(LookupFailure.ValueNotFound, lookup.Failure);
        Assert.Equal("value not found", lookup.FailureReason);
    }

    [Fact]
    public void Rule7_lookup_should_finish_immediately_when_all_peers_fail()
    {
        var lookup = Lookup([2, 3, 4], k: 3, alpha: 2);
        lookup.NextRequests(Start);
        lookup.OnFailure(Id(2), At(1));
        lookup.NextRequests(At(1));
        lookup.OnFailure(Id(3), At(2));
        Assert.Equal(LookupStatus.Running, lookup.Status);
        lookup.OnFailure(Id(4), At(3));

        Assert.Equal(LookupStatus.Failed, lookup.Status);
        Assert.Equal(LookupFailure.NoPeerAnswered, lookup.Failure);
        Assert.Equal(TimeSpan.FromMilliseconds(3), lookup.Stats.Duration);
    }

    [Fact]
    public void Rule7_lookup_should_finish_when_remaining_peers_fail_after_some_answered()
    {
        var lookup = Lookup([2, 3, 4], k: 3, alpha: 3);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(4), [], At(1));
        lookup.OnFailure(Id(2), At(2));
        lookup.OnFailure(Id(3), At(3));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([4], Distances(lookup.Closest));
    }

    [Fact]
    public void Rule4_findvalue_should_stop_at_first_valid_value_and_name_caching_target()
    {
        var lookup = Lookup([5, 6, 7], k: 4, alpha: 2, kind: LookupKind.FindValue);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(6), Peers(3), At(1));
        lookup.OnNodes(Id(5), [], At(2));
        Assert.Equal([3, 7], Distances(lookup.NextRequests(At(2))));
        var item = Item(Target);

        var result = lookup.OnValue(Id(3), item, valid: true, At(3));

        Assert.Equal(new LookupEventResult(true, false), result);
        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Same(item, lookup.Item);
        Assert.Equal(Id(5), lookup.CachingTarget!.Id);
        Assert.Empty(lookup.NextRequests(At(3)));
        Assert.False(lookup.OnNodes(Id(7), Peers(4), At(4)).Applied);
        Assert.False(lookup.OnValue(Id(7), Item(Target), true, At(4)).Applied);
        Assert.Same(item, lookup.Item);
        Assert.Equal(TimeSpan.FromMilliseconds(3), lookup.Stats.Duration);
    }

    [Fact]
    public void Rule4_findvalue_should_have_no_caching_target_when_nobody_answered_with_nodes()
    {
        var lookup = Lookup([5], k: 3, alpha: 2, kind: LookupKind.FindValue);
        lookup.NextRequests(Start);

        lookup.OnValue(Id(5), Item(Target), valid: true, At(1));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Null(lookup.CachingTarget);
    }

    [Fact]
    public void Rule5_invalid_value_should_signal_blacklist_and_lookup_continue()
    {
        var lookup = Lookup([2, 3], k: 2, alpha: 1, kind: LookupKind.FindValue);
        lookup.NextRequests(Start);

        var result = lookup.OnValue(Id(2), Item(Target), valid: false, At(1));

        Assert.Equal(new LookupEventResult(true, true), result);
        Assert.Equal(LookupStatus.Running, lookup.Status);
        Assert.Equal([3], Distances(lookup.NextRequests(At(1))));
        lookup.OnNodes(Id(3), Peers(2), At(2));
        Assert.Empty(lookup.NextRequests(At(2)));
        Assert.Equal(LookupFailure.ValueNotFound, lookup.Failure);
        Assert.Equal(1, lookup.Stats.RpcsAnswered);
    }

    [Fact]
    public void Rule5_value_should_signal_blacklist_when_for_another_key_or_in_findnode()
    {
        var findValue = Lookup([2, 3], k: 2, alpha: 2, kind: LookupKind.FindValue);
        findValue.NextRequests(Start);
        var findNode = Lookup([2, 3], k: 2, alpha: 2);
        findNode.NextRequests(Start);

        Assert.True(findValue.OnValue(Id(2), Item(Id(77)), valid: true, At(1)).BlacklistResponder);
        Assert.True(findNode.OnValue(Id(2), Item(Target), valid: true, At(1)).BlacklistResponder);
        Assert.True(findNode.OnValue(Id(99), Item(Target), valid: false, At(1)).BlacklistResponder);

        Assert.Equal(LookupStatus.Running, findValue.Status);
        Assert.Equal(LookupStatus.Running, findNode.Status);
        Assert.Null(findValue.Item);
        Assert.Equal(1, findNode.InFlight);
    }

    [Fact]
    public void Rule7_lookup_should_fail_with_timeout_when_lookup_timeout_fires()
    {
        var running = Lookup([2, 3], k: 2, alpha: 1);
        running.NextRequests(Start);
        var done = Lookup([2], k: 2, alpha: 1);
        done.NextRequests(Start);
        done.OnNodes(Id(2), [], At(1));

        Assert.True(running.OnLookupTimeout(At(60_000)).Applied);
        Assert.False(done.OnLookupTimeout(At(60_000)).Applied);

        Assert.Equal(LookupFailure.Timeout, running.Failure);
        Assert.Equal("lookup timed out", running.FailureReason);
        Assert.Equal(TimeSpan.FromMinutes(1), running.Stats.Duration);
        Assert.False(running.OnNodes(Id(2), [], At(60_001)).Applied);
        Assert.Equal(LookupStatus.Succeeded, done.Status);
    }

    [Fact]
    public void LookupStats_should_count_rpcs_answers_rounds_and_duration()
    {
        var lookup = Lookup([10, 11, 12], k: 3, alpha: 3);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(10), Peers(5), At(10));
        lookup.NextRequests(At(10));
        lookup.OnFailure(Id(11), At(20));
        lookup.OnNodes(Id(5), Peers(2), At(30));
        lookup.NextRequests(At(30));
        lookup.OnNodes(Id(2), Peers(11), At(40));
        lookup.OnNodes(Id(12), Peers(2), At(50));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([2, 5, 10], Distances(lookup.Closest));

        // Rounds are hops: 10, 11, 12 (round 1) -> 5 (round 2) -> 2 (round 3).
        Assert.Equal(new LookupStats(5, 4, 3, TimeSpan.FromMilliseconds(50)), lookup.Stats);
        Assert.False(lookup.OnFailure(Id(12), At(99)).Applied);
        Assert.Equal(TimeSpan.FromMilliseconds(50), lookup.Stats.Duration);
    }
}
