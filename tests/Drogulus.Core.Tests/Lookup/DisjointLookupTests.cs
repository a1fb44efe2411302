using Drogulus.Core.Items;
using Drogulus.Core.Lookup;
using static Drogulus.Core.Tests.Lookup.LookupTestData;

namespace Drogulus.Core.Tests.Lookup;

/// <summary>PROTOCOL §9, "Disjoint paths".</summary>
public sealed class DisjointLookupTests
{
    private static DisjointLookup Lookup(int[] initial, int paths, int k = 4, int alpha = 3, LookupKind kind = LookupKind.FindNode, bool newest = false) =>
        new(OwnId, Target, kind, Peers(initial), k, alpha, paths, Start, newest);

    [Fact]
    public void DisjointLookup_should_deal_the_k_closest_in_turn_and_keep_ceil_alpha_over_d_in_flight_per_path()
    {
        var lookup = Lookup([10, 20, 30, 40, 50, 60, 70], paths: 3, k: 6, alpha: 3);

        // One in flight per path (ceil(3 / 3)): the closest of each path's share {10, 40}, {20, 50}, {30, 60}.
        Assert.Equal([10, 20, 30], Distances(lookup.NextRequests(Start)));
        Assert.Empty(lookup.NextRequests(Start));

        lookup.OnNodes(Id(20), [], At(1));
        Assert.Equal([50], Distances(lookup.NextRequests(At(1))));
    }

    [Fact]
    public void DisjointLookup_should_never_let_two_paths_use_one_node_when_both_hear_of_it()
    {
        var lookup = Lookup([10, 20], paths: 2, k: 4, alpha: 2);
        Assert.Equal([10, 20], Distances(lookup.NextRequests(Start)));

        // Path 1 hears of 5 first; path 2 hears of 5 and 6 later and may only use 6.
        lookup.OnNodes(Id(10), Peers(5), At(1));
        Assert.Equal([5], Distances(lookup.NextRequests(At(1))));
        lookup.OnNodes(Id(20), Peers(5, 6), At(2));
        Assert.Equal([6], Distances(lookup.NextRequests(At(2))));

        // 10 is path 1's: path 2 never asks it, whoever names it.
        lookup.OnNodes(Id(6), Peers(10, 7), At(3));
        Assert.Equal([7], Distances(lookup.NextRequests(At(3))));
        Assert.Equal(5, lookup.Stats.RpcsSent);
    }

    [Fact]
    public void DisjointLookup_should_find_the_value_on_an_honest_path_when_another_path_is_held_by_sybils()
    {
        // Path 1 starts at 10, a Sybil that answers with more Sybils (11, 12, ...) forever; path 2 reaches the value.
        var lookup = Lookup([10, 20], paths: 2, k: 4, alpha: 2, kind: LookupKind.FindValue);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(10), Peers(11, 12, 13, 14), At(1));
        lookup.OnNodes(Id(20), Peers(30), At(1));
        var asked = Distances(lookup.NextRequests(At(1)));
        Assert.Contains(30, asked);

        lookup.OnValue(Id(30), Item(Target), ItemValidation.Ok, At(2));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal(Target, lookup.Item!.Key);
        Assert.Equal(20, Distance(lookup.CachingTarget!));
        Assert.Empty(lookup.NextRequests(At(2)));
        Assert.False(lookup.OnNodes(Id(11), [], At(3)).Applied);
    }

    [Fact]
    public void DisjointLookup_should_return_the_k_closest_that_answered_over_all_paths_when_every_path_completes()
    {
        var lookup = Lookup([10, 20, 30], paths: 3, k: 3, alpha: 3);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(10), Peers(4), At(1));
        lookup.OnNodes(Id(20), [], At(1));
        Assert.Equal(LookupStatus.Running, lookup.Status);
        lookup.OnFailure(Id(30), At(1));
        Assert.Equal([4], Distances(lookup.NextRequests(At(1))));
        Assert.Equal(LookupStatus.Running, lookup.Status);

        lookup.OnNodes(Id(4), [], At(2));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([4, 10, 20], Distances(lookup.Closest));
    }

    [Fact]
    public void DisjointLookup_should_give_the_newest_copy_over_all_paths_and_repair_the_paths_that_saw_older()
    {
        var lookup = Lookup([10, 20], paths: 2, k: 2, alpha: 2, kind: LookupKind.FindValue, newest: true);
        lookup.NextRequests(Start);

        lookup.OnValue(Id(10), Item(Target, 5), ItemValidation.Ok, At(1));
        Assert.Equal(LookupStatus.Running, lookup.Status);
        lookup.OnValue(Id(20), Item(Target, 7), ItemValidation.Ok, At(2));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal(7, lookup.Item!.Timestamp);
        Assert.Equal([10], Distances(lookup.RepairTargets));
        Assert.Equal(2, lookup.CopiesSeen);
        Assert.Equal(1, lookup.StaleCopies);
    }

    [Fact]
    public void DisjointLookup_should_fail_with_value_not_found_when_every_path_completes_without_a_value()
    {
        var lookup = Lookup([10, 20], paths: 2, k: 2, alpha: 2, kind: LookupKind.FindValue);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(10), [], At(1));
        lookup.OnNodes(Id(20), [], At(1));

        Assert.Equal(LookupStatus.Failed, lookup.Status);
        Assert.Equal(LookupFailure.ValueNotFound, lookup.Failure);
    }

    [Fact]
    public void DisjointLookup_should_fail_with_no_peer_answered_when_every_peer_of_every_path_fails()
    {
        var lookup = Lookup([10, 20, 30], paths: 3, k: 3, alpha: 2);
        lookup.NextRequests(Start);
        lookup.OnFailure(Id(30), At(1));
        lookup.OnFailure(Id(10), At(1));
        lookup.OnFailure(Id(20), At(1));

        Assert.Equal(LookupStatus.Failed, lookup.Status);
        Assert.Equal(LookupFailure.NoPeerAnswered, lookup.Failure);
    }

    [Fact]
    public void DisjointLookup_should_fail_with_a_timeout_when_lookup_timeout_passes()
    {
        var lookup = Lookup([10, 20], paths: 2);
        lookup.NextRequests(Start);

        Assert.True(lookup.OnLookupTimeout(At(60_000)).Applied);
        Assert.Equal(LookupFailure.Timeout, lookup.Failure);
        Assert.False(lookup.OnNodes(Id(10), [], At(60_001)).Applied);
    }

    [Fact]
    public void DisjointLookup_should_run_one_path_with_all_of_alpha_when_it_knows_one_contact()
    {
        // A join from one seed: one path, three in flight, rather than one path of one and two empty ones.
        var lookup = Lookup([10], paths: 3, k: 4, alpha: 3);
        Assert.Equal(1, lookup.PathCount);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(10), Peers(5, 6, 7), At(1));

        Assert.Equal([5, 6, 7], Distances(lookup.NextRequests(At(1))));
    }

    [Fact]
    public void DisjointLookup_should_ask_exactly_as_one_lookup_state_when_d_is_1()
    {
        var single = new LookupState(OwnId, Target, LookupKind.FindNode, Peers(10, 20, 30, 40), 3, 2, Start);
        var disjoint = Lookup([10, 20, 30, 40], paths: 1, k: 3, alpha: 2);

        Assert.Equal(Distances(single.NextRequests(Start)), Distances(disjoint.NextRequests(Start)));
        single.OnNodes(Id(10), Peers(5, 6), At(1));
        disjoint.OnNodes(Id(10), Peers(5, 6), At(1));
        Assert.Equal(Distances(single.NextRequests(At(1))), Distances(disjoint.NextRequests(At(1))));
        foreach (var id in new[] { 20, 5, 6 })
        {
            single.OnNodes(Id(id), [], At(2));
            disjoint.OnNodes(Id(id), [], At(2));
            Assert.Equal(Distances(single.NextRequests(At(2))), Distances(disjoint.NextRequests(At(2))));
        }

        Assert.Equal(single.Status, disjoint.Status);
        Assert.Equal(Distances(single.Closest), Distances(disjoint.Closest));
        Assert.Equal(single.Stats, disjoint.Stats);
    }
}
