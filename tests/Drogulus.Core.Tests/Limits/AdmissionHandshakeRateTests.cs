using Drogulus.Core.Limits;
using static Drogulus.Core.Tests.Limits.UnratedTurns;

namespace Drogulus.Core.Tests.Limits;

/// <summary>
/// The accepted-handshake rate (PROTOCOL §5, admission: accepting must not let strangers delay everyone else): accepts
/// from rated addresses start their handshakes at most at the process's rate, the sum of its nodes' rates; past it they
/// wait in their group's line, and a group that has not had a turn goes before the groups flooding. On virtual time.
/// </summary>
public sealed class AdmissionHandshakeRateTests
{
    private static readonly TimeSpan Tenth = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void AskTurn_should_make_a_rated_accept_wait_for_a_token_once_the_burst_is_spent()
    {
        var admission = Joined(perSecond: 10, burst: 2);

        Assert.Equal(["a1"], admission.AskTurn("a1", dial: false, "g", rated: true, T0));
        Assert.Equal(["a2"], admission.AskTurn("a2", dial: false, "g", rated: true, T0));
        Assert.Empty(admission.AskTurn("a3", dial: false, "g", rated: true, T0));

        Assert.Equal(1, admission.Waiting(dial: false));
        Assert.Equal(T0 + Tenth, admission.NextWake(T0));
        Assert.Empty(admission.Wake(T0 + Tenth - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(["a3"], admission.Wake(T0 + Tenth));
        Assert.Null(admission.NextWake(T0 + Tenth));
    }

    [Fact]
    public void AskTurn_should_not_count_dials_or_unrated_accepts_against_the_rate()
    {
        var admission = Joined(perSecond: 1, burst: 1);
        Assert.Equal(["rated"], admission.AskTurn("rated", dial: false, "g", rated: true, T0));

        Assert.Equal(["dial"], admission.AskTurn("dial", dial: true, "node", rated: true, T0));
        Assert.Equal(["exempt"], admission.AskTurn("exempt", dial: false, "loopback", rated: false, T0));
        Assert.Empty(admission.AskTurn("next", dial: false, "g", rated: true, T0));
    }

    [Fact]
    public void Wake_should_give_the_next_token_to_a_group_that_has_not_had_a_turn_before_a_group_that_floods()
    {
        var admission = Joined(perSecond: 10, burst: 1);
        Assert.Equal(["f1"], admission.AskTurn("f1", dial: false, "flood", rated: true, T0));
        Assert.Empty(admission.AskTurn("f2", dial: false, "flood", rated: true, T0));
        Assert.Empty(admission.AskTurn("f3", dial: false, "flood", rated: true, T0));
        Assert.Equal(["f2"], admission.Wake(T0 + Tenth)); // the flood has had its turn

        Assert.Empty(admission.AskTurn("honest", dial: false, "newcomer", rated: true, T0 + Tenth));

        Assert.Equal(["honest"], admission.Wake(T0 + (2 * Tenth)));
        Assert.Equal(["f3"], admission.Wake(T0 + (3 * Tenth)));
    }

    [Fact]
    public void AskTurn_should_find_a_token_kept_for_a_group_that_has_not_had_a_turn_when_a_flood_spent_the_rest()
    {
        var admission = Joined(perSecond: 10, burst: 3, handshakes: 1); // a reserve of one token
        Assert.Equal(["f1"], admission.AskTurn("f1", dial: false, "flood", rated: true, T0));
        Assert.Empty(admission.AskTurn("f2", dial: false, "flood", rated: true, T0));
        Assert.Empty(admission.AskTurn("f3", dial: false, "flood", rated: true, T0));
        Assert.Equal(["f2"], admission.EndTurn("f1", T0)); // the flood has had its turn; one token left

        Assert.Empty(admission.EndTurn("f2", T0)); // the last token is kept

        Assert.Equal(["honest"], admission.AskTurn("honest", dial: false, "newcomer", rated: true, T0));
        Assert.Empty(admission.EndTurn("honest", T0 + Tenth));
        Assert.Equal(T0 + (2 * Tenth), admission.NextWake(T0 + Tenth)); // the flood waits for two tokens: one to spend, one kept
        Assert.Equal(["f3"], admission.Wake(T0 + (2 * Tenth)));
    }

    [Fact]
    public void AskTurn_should_give_every_other_token_to_a_connection_that_waited_max_wait_while_new_groups_keep_coming()
    {
        var admission = Joined(perSecond: 10, burst: 1, handshakes: 100);
        Assert.Equal(["s0"], admission.AskTurn("s0", dial: false, "flood", rated: true, T0));
        Assert.Empty(admission.AskTurn("s1", dial: false, "flood", rated: true, T0));
        Assert.Empty(admission.AskTurn("s2", dial: false, "flood", rated: true, T0));
        Assert.Equal(["s1"], admission.Wake(T0 + Tenth)); // the flood has had its turn; s2 has waited since T0

        // New groups, one for each token as it accrues, go first...
        for (var k = 2; k < 10; k++)
        {
            Assert.Equal([$"n{k}"], admission.AskTurn($"n{k}", dial: false, $"group {k}", rated: true, T0 + (k * Tenth)));
        }

        // ...until s2 has waited MaxWait: then they take turns.
        Assert.Equal(["n10"], admission.AskTurn("n10", dial: false, "group 10", rated: true, T0 + Admission<string, string>.MaxWait));
        Assert.Empty(admission.AskTurn("n11", dial: false, "group 11", rated: true, T0 + Admission<string, string>.MaxWait + Tenth - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(["s2"], admission.Wake(T0 + Admission<string, string>.MaxWait + Tenth));
        Assert.Equal(["n11"], admission.Wake(T0 + Admission<string, string>.MaxWait + (2 * Tenth)));
    }

    [Fact]
    public void EndTurn_should_give_a_freed_turn_to_a_rated_accept_only_when_a_token_is_ready()
    {
        var admission = Joined(perSecond: 10, burst: 1, handshakes: 1);
        Assert.Equal(["a1"], admission.AskTurn("a1", dial: false, "g", rated: true, T0));
        Assert.Empty(admission.AskTurn("a2", dial: false, "g", rated: true, T0));
        Assert.Null(admission.NextWake(T0)); // no turn is free: the end of a1's handshake decides

        Assert.Empty(admission.EndTurn("a1", T0 + TimeSpan.FromMilliseconds(50)));
        Assert.Equal(T0 + Tenth, admission.NextWake(T0 + TimeSpan.FromMilliseconds(50)));
        Assert.Equal(["a2"], admission.Wake(T0 + Tenth));
    }

    [Fact]
    public void AcceptHandshakeRate_should_be_the_sum_of_the_nodes_rates_and_none_while_a_node_announced_none()
    {
        var admission = new Admission<string, string>();
        admission.Join("n1", AdmissionTurnsTests.With() with { AcceptHandshakeRate = new TokenBucketRate(10, 2) });
        admission.Join("n2", AdmissionTurnsTests.With() with { AcceptHandshakeRate = new TokenBucketRate(30, 3) });
        Assert.Equal(new TokenBucketRate(40, 5), admission.AcceptHandshakeRate);

        admission.Join("n3", AdmissionTurnsTests.With());
        Assert.Null(admission.AcceptHandshakeRate);

        admission.Leave("n3");
        Assert.Equal(new TokenBucketRate(40, 5), admission.AcceptHandshakeRate);
        admission.Leave("n1");
        Assert.Equal(new TokenBucketRate(30, 3), admission.AcceptHandshakeRate);
    }

    [Fact]
    public void EndTurn_should_give_the_next_turn_to_a_group_that_has_not_had_one_before_a_group_that_has()
    {
        var admission = new Admission<string, string>();
        admission.Join("node", AdmissionTurnsTests.With(handshakes: 1));
        Assert.True(admission.TryTakeTurn("holder", dial: false, "crowd"));
        Assert.False(admission.TryTakeTurn("c0", dial: false, "crowd"));
        Assert.False(admission.TryTakeTurn("c1", dial: false, "crowd"));
        Assert.Equal("c0", admission.EndTurn("holder")); // the crowd has had a turn

        Assert.False(admission.TryTakeTurn("alone", dial: false, "loner"));

        // In plain rotation the loner would come after the crowd's line, which was there first.
        Assert.Equal("alone", admission.EndTurn("c0"));
        Assert.Equal("c1", admission.EndTurn("alone"));
    }

    private static Admission<string, string> Joined(double perSecond, int burst, int handshakes = 8)
    {
        var admission = new Admission<string, string>();
        admission.Join("node", AdmissionTurnsTests.With(handshakes: handshakes) with { AcceptHandshakeRate = new TokenBucketRate(perSecond, burst) });
        return admission;
    }
}
