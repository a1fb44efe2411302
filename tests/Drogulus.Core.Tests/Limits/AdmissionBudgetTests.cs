using Drogulus.Core.Limits;
using static Drogulus.Core.Tests.Limits.AdmissionTurnsTests;

namespace Drogulus.Core.Tests.Limits;

/// <summary>
/// PROTOCOL §5, budget and admission: each node's max-connections, the budget the nodes of a process share (fair
/// share, lending below it, the descriptor reserve), and the connections accepted from one address group. Ported from
/// the specs of the per-node budget and the process budget this state replaced, with specs for the rules that had none.
/// </summary>
public sealed class AdmissionBudgetTests
{
    [Fact]
    public void Admit_should_admit_without_eviction_when_under_the_budget()
    {
        var admission = Joined("node", With(maxConnections: 2));
        var first = admission.Admit("node", dial: false, null, idle: null);

        var second = admission.Admit("node", dial: false, null, idle: first.Id);

        Assert.True(second.Admitted);
        Assert.Null(second.Evict);
        Assert.Equal(2, admission.Connections("node"));
    }

    [Fact]
    public void Admit_should_close_the_offered_idle_connection_when_the_node_budget_is_full()
    {
        var admission = Joined("node", With(maxConnections: 2));
        var a = admission.Admit("node", dial: false, null, null);
        var b = admission.Admit("node", dial: true, null, null);

        var c = admission.Admit("node", dial: false, null, idle: b.Id);

        Assert.True(c.Admitted);
        Assert.Equal(b.Id, c.Evict);
        Assert.Equal(2, admission.Connections("node")); // the closing one no longer counts
        Assert.Equal(3, admission.Count); // but it holds its descriptor until it is gone
        admission.Closed(b.Id);
        Assert.Equal(2, admission.Count);
        Assert.Equal(2, admission.Connections("node"));
        Assert.NotEqual(a.Id, c.Id);
    }

    [Fact]
    public void Admit_should_refuse_when_the_node_budget_is_full_and_no_connection_is_idle()
    {
        var admission = Joined("node", With(maxConnections: 2));
        var a = admission.Admit("node", dial: true, null, null);
        admission.Admit("node", dial: false, null, null);

        var refused = admission.Admit("node", dial: true, null, idle: null);

        Assert.False(refused.Admitted);
        Assert.Contains("max-connections", refused.Refusal, StringComparison.Ordinal);
        Assert.Equal(2, admission.Count); // the refused one took no slot

        var admitted = admission.Admit("node", dial: true, null, idle: a.Id);
        Assert.Equal(a.Id, admitted.Evict);
        admission.Closed(a.Id);
        Assert.Equal(2, admission.Connections("node"));
    }

    [Fact]
    public void Admit_should_not_close_a_connection_of_another_node_or_one_already_closing()
    {
        var admission = Joined("node", With(maxConnections: 1));
        admission.Join("other", With());
        var theirs = admission.Admit("other", dial: true, null, null);
        var mine = admission.Admit("node", dial: true, null, null);
        admission.Evicting(mine.Id);

        Assert.False(admission.Admit("node", dial: true, null, idle: theirs.Id).Admitted && admission.Connections("other") == 0);
        Assert.Equal(1, admission.Connections("other"));
        Assert.Equal(1, admission.Connections("node")); // the one admitted in place of the closing one
        Assert.False(admission.Admit("node", dial: true, null, idle: mine.Id).Admitted);
    }

    [Fact]
    public void Admit_should_pass_the_slot_of_the_connection_it_closes_when_the_process_budget_is_full()
    {
        var admission = Joined("node", With(processMax: 2));
        var a = admission.Admit("node", dial: false, null, null);
        admission.Admit("node", dial: false, null, null);

        var c = admission.Admit("node", dial: false, null, idle: a.Id);

        Assert.Equal(a.Id, c.Evict);
        Assert.Equal(2, admission.Count);
        admission.Closed(a.Id);
        Assert.Equal(2, admission.Count); // a gave its descriptor to c
        Assert.Equal(2, admission.Slots("node"));
    }

    [Fact]
    public void Admit_should_lend_only_below_the_fair_share_from_the_node_holding_most_and_within_a_quarter_of_the_reserve()
    {
        var admission = new Admission<string, string>();
        foreach (var node in new[] { "most", "some", "borrower" })
        {
            admission.Join(node, With(processMax: 6, reserve: 16));
        }

        var most = Enumerable.Range(0, 4).Select(_ => admission.Admit("most", dial: true, null, null)).ToList();
        var some = Enumerable.Range(0, 2).Select(_ => admission.Admit("some", dial: true, null, null)).ToList();
        Assert.All(most.Concat(some), d => Assert.True(d.Admitted));

        var lent = admission.Admit("borrower", dial: true, null, null); // share 2: 0 held
        Assert.True(lent.Admitted);
        Assert.Equal("most", lent.Donor);
        Assert.False(admission.Admit("some", dial: true, null, null).Admitted); // at its share
        var again = admission.Admit("borrower", dial: true, null, null);
        Assert.True(again.Admitted);
        Assert.False(admission.Admit("borrower", dial: true, null, null).Admitted); // now at its share
        admission.Closed(lent.Id);
        admission.Closed(again.Id);
        admission.Closed(most[0].Id);
        admission.Closed(most[1].Id);
        Assert.Equal(4, admission.Count);
        Assert.Null(admission.Admit("borrower", dial: true, null, null).Donor); // room in the process: nothing is lent

        // A quarter of the reserve is lent at most: here 1.
        var small = new Admission<string, string>();
        foreach (var node in new[] { "big", "one", "other" })
        {
            small.Join(node, With(processMax: 2, reserve: 4));
        }

        small.Admit("big", dial: true, null, null);
        small.Admit("big", dial: true, null, null);
        small.Shrink(freeing: 1);
        Assert.False(small.Admit("one", dial: true, null, null).Admitted); // nothing is lent while the process is short of descriptors
        small.Restore();
        Assert.True(small.Admit("one", dial: true, null, null).Admitted);
        Assert.False(small.Admit("other", dial: true, null, null).Admitted);
    }

    [Fact]
    public void Join_should_take_the_smallest_limit_capped_by_the_open_file_limit_minus_the_reserve()
    {
        var admission = Joined("a", With(processMax: 16000, reserve: 1024, files: 20000));
        Assert.Equal(16000, admission.Limit);
        admission.Join("b", With(processMax: 16000, reserve: 1024, files: 1024));
        Assert.Equal(768, admission.Limit);
        admission.Join("c", With(processMax: 10, reserve: 1024));
        Assert.Equal(10, admission.Limit);
        admission.Join("d", With(processMax: 100, reserve: 0));
        admission.Join("e", With(processMax: 16000, reserve: 1024, files: 20000, descriptors: 18000));
        Assert.Equal(10, admission.Limit);

        // Five nodes, each below its share (2) when lending would start: the tenth slot is the last.
        var admitted = Enumerable.Range(0, 12).Select(i => admission.Admit("a", dial: false, null, null)).Where(d => d.Admitted).ToList();
        Assert.Equal(10, admitted.Count);
        admission.Closed(admitted[0].Id);
        Assert.True(admission.Admit("a", dial: false, null, null).Admitted);
        Assert.False(admission.Admit("a", dial: false, null, null).Admitted);
    }

    [Fact]
    public void Join_should_keep_the_descriptors_the_process_already_holds_out_of_the_budget()
    {
        // A .NET node holds some 230 descriptors of its own (two per loaded assembly) before its first connection.
        var admission = Joined("a", With(processMax: 16000, reserve: 1024, files: 512, descriptors: 230));
        Assert.Equal(512 - 230 - 128, admission.Limit);

        // A burst of connections waiting in the listen backlog takes descriptors before the budget sees them.
        Assert.Equal(128 / 4, admission.AcceptBacklog);

        // The budget's own connections are not descriptors held by something else.
        Assert.True(admission.Admit("a", dial: true, null, null).Admitted);
        admission.Join("b", With(processMax: 16000, reserve: 1024, files: 512, descriptors: 231));
        Assert.Equal(512 - 230 - 128, admission.Limit);
    }

    [Fact]
    public void Admit_should_refuse_an_accept_from_a_group_holding_max_accepted_per_group_until_one_of_them_closes()
    {
        var admission = Joined("node", With(perGroup: 2));
        admission.Join("other", With(perGroup: 2));
        var first = admission.Admit("node", dial: false, "203.0.113.0/24", null);
        admission.Admit("node", dial: false, "203.0.113.0/24", null);

        var third = admission.Admit("node", dial: false, "203.0.113.0/24", null);

        Assert.False(third.Admitted);
        Assert.Contains("203.0.113.0/24 already has 2 accepted connections (max-accepted-per-group)", third.Refusal, StringComparison.Ordinal);
        Assert.True(admission.Admit("node", dial: false, "198.51.100.0/24", null).Admitted); // another group
        Assert.True(admission.Admit("node", dial: false, null, null).Admitted); // exempt: not counted
        Assert.True(admission.Admit("node", dial: true, "203.0.113.0/24", null).Admitted); // dials are not accepts
        Assert.True(admission.Admit("other", dial: false, "203.0.113.0/24", null).Admitted); // each node counts its own

        admission.Evicting(first.Id);
        Assert.False(admission.Admit("node", dial: false, "203.0.113.0/24", null).Admitted); // still open while it closes
        admission.Closed(first.Id);
        Assert.True(admission.Admit("node", dial: false, "203.0.113.0/24", null).Admitted);
    }

    [Fact]
    public void Admit_should_refuse_an_accept_rather_than_close_an_idle_connection_while_the_process_is_short_of_descriptors()
    {
        var admission = Joined("node", With(processMax: 4));
        var idle = admission.Admit("node", dial: false, null, null);
        var busy = admission.Admit("node", dial: false, null, null);
        admission.Evicting(idle.Id);
        Assert.Equal(1, admission.Shrink(freeing: 1));
        Assert.True(admission.Short);
        admission.Closed(idle.Id);

        var accept = admission.Admit("node", dial: false, null, idle: busy.Id);

        Assert.False(accept.Admitted);
        Assert.Contains("short of file descriptors", accept.Refusal, StringComparison.Ordinal);
        // A dial still makes room by closing the idle connection: the node's own request needs it.
        Assert.Equal(busy.Id, admission.Admit("node", dial: true, null, idle: busy.Id).Evict);
        admission.Restore();
        Assert.Equal(4, admission.Limit);
        Assert.True(admission.Admit("node", dial: false, null, null).Admitted);
    }

    [Fact]
    public void Leave_should_free_every_slot_of_the_node_and_its_share()
    {
        var admission = Joined("gone", With(processMax: 4));
        admission.Join("stays", With(processMax: 4));
        var ids = Enumerable.Range(0, 3).Select(_ => admission.Admit("gone", dial: true, null, null).Id).ToList();

        admission.Leave("gone");
        admission.Closed(ids[0]); // late news of a connection already released: nothing

        Assert.Equal(0, admission.Count);
        Assert.False(admission.Admit("gone", dial: true, null, null).Admitted);
        Assert.Equal(4, Enumerable.Range(0, 5).Count(_ => admission.Admit("stays", dial: true, null, null).Admitted)); // the whole budget is its share
    }

    private static Admission<string, string> Joined(string node, AdmissionLimits limits)
    {
        var admission = new Admission<string, string>();
        admission.Join(node, limits);
        return admission;
    }
}
