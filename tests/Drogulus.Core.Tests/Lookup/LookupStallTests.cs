using Drogulus.Core.Lookup;
using static Drogulus.Core.Tests.Lookup.LookupTestData;

namespace Drogulus.Core.Tests.Lookup;

/// <summary>
/// The stall state (after rust-libp2p's <c>ClosestPeersIter</c>): an RPC outstanding longer than the stall
/// time stops counting against alpha, stays in flight for rule 6, and its late answer counts. Virtual time:
/// every instant is passed in.
/// </summary>
public sealed class LookupStallTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(200);

    private static LookupState Lookup(int[] initial, int k = 4, int alpha = 1, TimeSpan? stall = null, LookupKind kind = LookupKind.FindNode) =>
        new(OwnId, Target, kind, Peers(initial), k, alpha, Start, stallAfter: stall ?? Stall);

    [Fact]
    public void A_request_outstanding_for_the_stall_time_should_free_its_alpha_slot_for_the_next_member()
    {
        var lookup = Lookup([2, 3, 4], alpha: 1);

        Assert.Equal([2], Distances(lookup.NextRequests(Start)));
        Assert.Equal(At(200), lookup.NextStallAt);

        Assert.Equal(0, lookup.OnStallCheck(At(199)));
        Assert.Empty(lookup.NextRequests(At(199)));

        Assert.Equal(1, lookup.OnStallCheck(At(200)));
        Assert.Equal([3], Distances(lookup.NextRequests(At(200))));
        Assert.Equal(2, lookup.InFlight);
        Assert.Equal(1, lookup.Stalled);
        Assert.Equal(At(400), lookup.NextStallAt);
    }

    [Fact]
    public void Without_a_stall_time_a_slow_request_should_hold_its_slot_until_it_ends()
    {
        var lookup = new LookupState(OwnId, Target, LookupKind.FindNode, Peers(2, 3, 4), 4, 1, Start);

        Assert.Equal([2], Distances(lookup.NextRequests(Start)));
        Assert.Null(lookup.NextStallAt);
        Assert.Equal(0, lookup.OnStallCheck(At(4_000)));
        Assert.Empty(lookup.NextRequests(At(4_000)));
    }

    [Fact]
    public void A_late_answer_of_a_stalled_request_should_count_and_free_no_second_slot()
    {
        var lookup = Lookup([2, 3, 4, 5], alpha: 1);
        lookup.NextRequests(Start);
        lookup.OnStallCheck(At(200));
        Assert.Equal([3], Distances(lookup.NextRequests(At(200))));

        // The stalled peer answers late, naming a closer node: the answer is applied...
        Assert.True(lookup.OnNodes(Id(2), Peers(6), At(300)).Applied);
        Assert.Equal(1, lookup.InFlight);
        Assert.Equal(0, lookup.Stalled);

        // ...but peer 3 still holds the one alpha slot.
        Assert.Empty(lookup.NextRequests(At(300)));

        lookup.OnNodes(Id(3), [], At(350));
        Assert.Equal([4], Distances(lookup.NextRequests(At(350))));
        lookup.OnNodes(Id(4), [], At(360));
        Assert.Equal([5], Distances(lookup.NextRequests(At(360))));
        lookup.OnNodes(Id(5), [], At(370));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([2, 3, 4, 5], Distances(lookup.Closest));
    }

    [Fact]
    public void A_stalled_request_should_still_be_in_flight_for_rule_6()
    {
        var lookup = Lookup([2, 3], k: 2, alpha: 1);
        lookup.NextRequests(Start);
        lookup.OnStallCheck(At(200));
        lookup.NextRequests(At(200));
        lookup.OnNodes(Id(3), [], At(250));

        // Everyone else answered, but 2 may still answer: the lookup waits for it (or for its request timeout).
        Assert.Equal(LookupStatus.Running, lookup.Status);
        Assert.Null(lookup.NextStallAt);

        lookup.OnFailure(Id(2), At(5_000));
        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([3], Distances(lookup.Closest));
    }

    [Fact]
    public void A_late_failure_of_a_stalled_request_should_free_no_second_slot()
    {
        var lookup = Lookup([2, 3, 4], alpha: 1);
        lookup.NextRequests(Start);
        lookup.OnStallCheck(At(200));
        lookup.NextRequests(At(200));

        lookup.OnFailure(Id(2), At(5_000));

        Assert.Equal(1, lookup.InFlight);
        Assert.Equal(0, lookup.Stalled);
        Assert.Empty(lookup.NextRequests(At(5_000)));
    }

    [Fact]
    public void A_findvalue_should_take_a_value_from_a_stalled_peer()
    {
        var lookup = Lookup([2, 3], alpha: 1, kind: LookupKind.FindValue);
        lookup.NextRequests(Start);
        lookup.OnStallCheck(At(200));
        lookup.NextRequests(At(200));

        lookup.OnValue(Id(2), Item(Target), valid: true, At(400));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal(0, lookup.InFlight);
        Assert.Equal(0, lookup.Stalled);
    }

    [Fact]
    public void The_send_time_of_a_request_should_be_known_while_it_is_out()
    {
        var lookup = Lookup([2, 3], alpha: 2);
        lookup.NextRequests(At(10));
        lookup.OnStallCheck(At(210));

        Assert.Equal(At(10), lookup.SentAt(Id(2)));
        lookup.OnNodes(Id(2), [], At(260));
        Assert.Null(lookup.SentAt(Id(2)));
        Assert.Null(lookup.SentAt(Id(9)));
    }

    [Fact]
    public void A_stall_time_should_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Lookup([2], stall: TimeSpan.Zero));
    }
}
