using Drogulus.Core.Items;
using Drogulus.Core.Lookup;
using static Drogulus.Core.Tests.Lookup.LookupTestData;

namespace Drogulus.Core.Tests.Lookup;

/// <summary>PROTOCOL §9 "Newest mode" and the local item of §10 get.</summary>
public sealed class NewestLookupTests
{
    private static readonly SignedItem V1 = Item(Target, timestamp: 1);
    private static readonly SignedItem V2 = Item(Target, timestamp: 2);

    private static LookupState Newest(int[] initial, int k, int alpha, SignedItem? local = null) =>
        new(OwnId, Target, LookupKind.FindValue, Peers(initial), k, alpha, Start, newest: true, localItem: local);

    [Fact]
    public void Newest_lookup_should_return_v2_and_repair_v1_and_nodes_answerers_when_some_of_k_closest_hold_v1()
    {
        var lookup = Newest([2, 3, 4, 5, 6], k: 4, alpha: 4);
        Assert.Equal([2, 3, 4, 5], Distances(lookup.NextRequests(Start)));

        Assert.Equal(new LookupEventResult(true, false), lookup.OnValue(Id(3), V1, valid: true, At(1)));
        Assert.Equal(LookupStatus.Running, lookup.Status);
        lookup.OnValue(Id(2), V2, valid: true, At(2));
        Assert.Equal(LookupStatus.Running, lookup.Status);
        lookup.OnNodes(Id(4), Peers(6, 7), At(3));
        Assert.Empty(lookup.NextRequests(At(3)));
        lookup.OnValue(Id(5), V1, valid: true, At(4));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Same(V2, lookup.Item);
        Assert.Equal([3, 4, 5], Distances(lookup.RepairTargets));
        Assert.Equal([2, 3, 4, 5], Distances(lookup.Closest));
        Assert.Null(lookup.CachingTarget);
        Assert.Equal(3, lookup.CopiesSeen);
        Assert.Equal(2, lookup.StaleCopies);
        Assert.False(lookup.LocalCopyStale);
        Assert.Equal(new LookupStats(4, 4, 1, TimeSpan.FromMilliseconds(4)), lookup.Stats);
    }

    [Fact]
    public void Newest_lookup_should_return_stale_newest_and_repair_only_nodes_answerers_when_every_holder_is_stale()
    {
        var lookup = Newest([2, 3, 4], k: 3, alpha: 3);
        lookup.NextRequests(Start);

        lookup.OnValue(Id(2), V1, valid: true, At(1));
        lookup.OnNodes(Id(3), [], At(2));
        lookup.OnValue(Id(4), V1, valid: true, At(3));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Same(V1, lookup.Item);
        Assert.Equal([3], Distances(lookup.RepairTargets));
        Assert.Equal(2, lookup.CopiesSeen);
        Assert.Equal(0, lookup.StaleCopies);
    }

    [Fact]
    public void Newest_lookup_should_not_repair_a_copy_with_the_newest_timestamp_and_keep_the_first_one_seen()
    {
        var first = Item(Target, timestamp: 2);
        var lookup = Newest([2, 3], k: 2, alpha: 2);
        lookup.NextRequests(Start);

        lookup.OnValue(Id(3), first, valid: true, At(1));
        lookup.OnValue(Id(2), V2, valid: true, At(2));

        Assert.Same(first, lookup.Item);
        Assert.Empty(lookup.RepairTargets);
        Assert.Equal(0, lookup.StaleCopies);
    }

    [Fact]
    public void Newest_lookup_should_repair_the_k_closest_when_only_a_farther_node_held_the_value()
    {
        var lookup = Newest([5, 6], k: 2, alpha: 2);
        lookup.NextRequests(Start);
        lookup.OnValue(Id(5), V1, valid: true, At(1));
        lookup.OnNodes(Id(6), Peers(2, 3), At(2));
        Assert.Equal([2, 3], Distances(lookup.NextRequests(At(2))));
        lookup.OnNodes(Id(2), [], At(3));
        lookup.OnNodes(Id(3), [], At(4));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Same(V1, lookup.Item);
        Assert.Equal([2, 3], Distances(lookup.RepairTargets));
        Assert.Equal(1, lookup.CopiesSeen);
    }

    [Fact]
    public void Newest_lookup_should_blacklist_and_go_on_when_a_value_fails_validation()
    {
        var lookup = Newest([2, 3], k: 2, alpha: 2);
        lookup.NextRequests(Start);

        Assert.Equal(new LookupEventResult(true, true), lookup.OnValue(Id(2), V2, valid: false, At(1)));
        Assert.True(lookup.OnValue(Id(3), Item(Id(77), 3), valid: true, At(1)).BlacklistResponder);
        Assert.Equal(LookupStatus.Failed, lookup.Status);
        Assert.Equal(LookupFailure.NoPeerAnswered, lookup.Failure);
        Assert.Equal(0, lookup.CopiesSeen);
        Assert.Null(lookup.Item);
    }

    [Fact]
    public void Newest_lookup_should_leave_invalid_responder_out_of_result_and_repairs()
    {
        var lookup = Newest([2, 3], k: 2, alpha: 2);
        lookup.NextRequests(Start);
        lookup.OnValue(Id(2), Item(Target, timestamp: 9), valid: false, At(1));
        lookup.OnNodes(Id(3), Peers(2, 4), At(2));
        Assert.Equal([4], Distances(lookup.NextRequests(At(2))));
        lookup.OnValue(Id(4), V2, valid: true, At(3));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Same(V2, lookup.Item);
        Assert.Equal([3], Distances(lookup.RepairTargets));
        Assert.Equal([3, 4], Distances(lookup.Closest));
        Assert.Equal(1, lookup.CopiesSeen);
    }

    [Fact]
    public void Newest_lookup_should_fail_value_not_found_when_no_copy_was_seen()
    {
        var lookup = Newest([2, 3], k: 2, alpha: 2);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(2), [], At(1));
        lookup.OnNodes(Id(3), [], At(2));

        Assert.Equal(LookupFailure.ValueNotFound, lookup.Failure);
        Assert.Empty(lookup.RepairTargets);
    }

    [Fact]
    public void Newest_lookup_should_count_local_item_as_one_answer_and_flag_it_when_stale()
    {
        var lookup = Newest([2, 3], k: 2, alpha: 2, local: V1);
        lookup.NextRequests(Start);
        lookup.OnValue(Id(2), V2, valid: true, At(1));
        lookup.OnValue(Id(3), V1, valid: true, At(2));

        Assert.Same(V2, lookup.Item);
        Assert.Equal(3, lookup.CopiesSeen);
        Assert.Equal(2, lookup.StaleCopies);
        Assert.True(lookup.LocalCopyStale);
        Assert.Equal([3], Distances(lookup.RepairTargets));
    }

    [Fact]
    public void Newest_lookup_should_return_and_spread_local_item_when_it_is_the_newest()
    {
        var lookup = Newest([2, 3], k: 2, alpha: 2, local: V2);
        lookup.NextRequests(Start);
        lookup.OnValue(Id(2), V1, valid: true, At(1));
        lookup.OnNodes(Id(3), [], At(2));

        Assert.Same(V2, lookup.Item);
        Assert.False(lookup.LocalCopyStale);
        Assert.Equal([2, 3], Distances(lookup.RepairTargets));
        Assert.Equal(1, lookup.StaleCopies);
    }

    [Fact]
    public void Newest_lookup_should_succeed_with_local_item_when_nobody_can_be_asked_or_every_peer_fails()
    {
        var lonely = new LookupState(OwnId, Target, LookupKind.FindValue, [], 20, 3, Start, newest: true, localItem: V1);
        var failing = Newest([2, 3], k: 2, alpha: 2, local: V1);
        failing.NextRequests(Start);
        failing.OnFailure(Id(2), At(1));
        failing.OnFailure(Id(3), At(2));

        foreach (var lookup in new[] { lonely, failing })
        {
            Assert.Equal(LookupStatus.Succeeded, lookup.Status);
            Assert.Same(V1, lookup.Item);
            Assert.Empty(lookup.RepairTargets);
            Assert.Equal(1, lookup.CopiesSeen);
        }
    }

    [Fact]
    public void Newest_lookup_should_fail_with_timeout_and_ignore_late_values_when_lookup_timeout_fires()
    {
        var lookup = Newest([2, 3], k: 2, alpha: 2);
        lookup.NextRequests(Start);
        lookup.OnValue(Id(2), V2, valid: true, At(1));

        lookup.OnLookupTimeout(At(60_000));

        Assert.Equal(LookupFailure.Timeout, lookup.Failure);
        Assert.False(lookup.OnValue(Id(3), V1, valid: true, At(60_001)).Applied);
        Assert.Null(lookup.Item);
        Assert.Empty(lookup.RepairTargets);
    }

    [Fact]
    public void Plain_findvalue_should_stop_at_first_valid_copy_even_when_older_than_another()
    {
        var lookup = new LookupState(OwnId, Target, LookupKind.FindValue, Peers(2, 3, 4), 3, 3, Start);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(4), [], At(1));

        lookup.OnValue(Id(3), V1, valid: true, At(2));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.False(lookup.Newest);
        Assert.Same(V1, lookup.Item);
        Assert.Equal(Id(4), lookup.CachingTarget!.Id);
        Assert.False(lookup.OnValue(Id(2), V2, valid: true, At(3)).Applied);
        Assert.Same(V1, lookup.Item);
        Assert.Empty(lookup.RepairTargets);
        Assert.Empty(lookup.Closest);
        Assert.Equal(0, lookup.CopiesSeen);
    }

    [Fact]
    public void LookupState_should_refuse_newest_findnode_and_misplaced_local_items()
    {
        Assert.Throws<ArgumentException>(() => new LookupState(OwnId, Target, LookupKind.FindNode, Peers(2), 2, 1, Start, newest: true));
        Assert.Throws<ArgumentException>(() => new LookupState(OwnId, Target, LookupKind.FindValue, Peers(2), 2, 1, Start, localItem: V1));
        Assert.Throws<ArgumentException>(() => new LookupState(OwnId, Target, LookupKind.FindValue, Peers(2), 2, 1, Start, true, Item(Id(5), 1)));
    }
}
