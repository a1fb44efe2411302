using Drogulus.Core.Limits;

namespace Drogulus.Core.Tests.Limits;

/// <summary>
/// Turns to handshake (PROTOCOL §5, admission): dials and accepts counted apart, accepts in turns address group by
/// address group, dials node by node. Ported from the specs of the process-wide gate this state replaced.
/// </summary>
public sealed class AdmissionTurnsTests
{
    [Fact]
    public void TryTakeTurn_should_give_turns_first_come_first_served_counting_dials_and_accepts_apart()
    {
        var admission = new Admission<string, string>();
        admission.Join("n1", With(handshakes: 4));
        admission.Join("n2", With(handshakes: 1));
        admission.Join("n3", With(handshakes: 8));

        Assert.True(admission.TryTakeTurn("first", dial: false, "g"));
        Assert.False(admission.TryTakeTurn("second", dial: false, "g"));
        Assert.False(admission.TryTakeTurn("third", dial: false, "g"));
        Assert.True(admission.TryTakeTurn("dial", dial: true, "n1"));
        Assert.Equal(2, admission.Waiting(dial: false));

        Assert.Equal("second", admission.EndTurn("first"));
        Assert.Equal("third", admission.EndTurn("second"));
        Assert.Null(admission.EndTurn("second")); // twice: gives nothing more away
        Assert.Equal(1, admission.Running(dial: false));
        Assert.Equal(1, admission.Running(dial: true));
        Assert.Equal(0, admission.Waiting(dial: false));
    }

    [Fact]
    public void EndTurn_should_give_dials_their_turns_node_by_node_in_rotation()
    {
        var admission = new Admission<string, string>();
        admission.Join("busy", With(handshakes: 1));
        Assert.True(admission.TryTakeTurn("holder", dial: true, "busy"));
        Assert.All(new[] { "r0", "r1", "r2" }, r => Assert.False(admission.TryTakeTurn(r, dial: true, "busy")));
        Assert.False(admission.TryTakeTurn("ping", dial: true, "joining"));

        Assert.Equal("r0", admission.EndTurn("holder"));

        // The node with one dial waits for one of the busy node's, not for all three.
        Assert.Equal("ping", admission.EndTurn("r0"));
        Assert.Equal("r1", admission.EndTurn("ping"));
        Assert.Equal("r2", admission.EndTurn("r1"));
        Assert.Equal(0, admission.Waiting(dial: true));
    }

    [Fact]
    public void EndTurn_should_give_accepts_their_turns_address_group_by_address_group_in_rotation()
    {
        var admission = new Admission<string, string>();
        admission.Join("node", With(handshakes: 1));
        var crowd = AddressGroup.Of(System.Net.IPAddress.Parse("203.0.113.9"), exemptPrivate: true);
        var loner = AddressGroup.Of(System.Net.IPAddress.Parse("198.51.100.4"), exemptPrivate: true);
        Assert.True(admission.TryTakeTurn("holder", dial: false, crowd));
        Assert.All(new[] { "c0", "c1", "c2" }, c => Assert.False(admission.TryTakeTurn(c, dial: false, crowd)));
        Assert.False(admission.TryTakeTurn("alone", dial: false, loner));

        Assert.Equal("c0", admission.EndTurn("holder"));

        // The group with one connection waits for one of the crowd's, not for all three.
        Assert.Equal("alone", admission.EndTurn("c0"));
        Assert.Equal("c1", admission.EndTurn("alone"));
    }

    [Fact]
    public void EndTurn_should_forget_a_connection_that_left_the_line_before_its_turn()
    {
        var admission = new Admission<string, string>();
        admission.Join("node", With(handshakes: 1));
        Assert.True(admission.TryTakeTurn("holder", dial: true, "node"));
        Assert.False(admission.TryTakeTurn("gone", dial: true, "node"));
        Assert.False(admission.TryTakeTurn("next", dial: true, "node"));

        Assert.Null(admission.EndTurn("gone"));
        Assert.Equal("next", admission.EndTurn("holder"));
        Assert.Equal(0, admission.Waiting(dial: true));
    }

    [Fact]
    public void TryTakeTurn_should_count_a_connection_that_asks_twice_once()
    {
        var admission = new Admission<string, string>();
        admission.Join("node", With(handshakes: 2));
        Assert.True(admission.TryTakeTurn("a", dial: false, "g"));
        Assert.True(admission.TryTakeTurn("a", dial: false, "g"));

        Assert.Equal(1, admission.Running(dial: false));
        Assert.True(admission.TryTakeTurn("b", dial: false, "g"));
    }

    internal static AdmissionLimits With(
        int maxConnections = 100, int processMax = 16000, int reserve = 1024, long? files = null, int descriptors = 0, int handshakes = 8, int perGroup = 32) =>
        new(maxConnections, processMax, reserve, files, descriptors, handshakes, perGroup);
}

/// <summary>
/// The turn specs written before the accepted-handshake rate: connections that need no token, at one moment, where a
/// connection's own ask can give no one else a turn and a turn ended gives at most one.
/// </summary>
internal static class UnratedTurns
{
    internal static readonly DateTimeOffset T0 = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    internal static bool TryTakeTurn(this Admission<string, string> admission, string connection, bool dial, object owner) =>
        admission.AskTurn(connection, dial, owner, rated: false, T0).Contains(connection);

    internal static string? EndTurn(this Admission<string, string> admission, string connection) =>
        admission.EndTurn(connection, T0).SingleOrDefault();
}
