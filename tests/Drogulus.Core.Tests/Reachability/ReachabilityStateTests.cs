using Drogulus.Core.Identity;
using Drogulus.Core.Limits;
using Drogulus.Core.Reachability;

namespace Drogulus.Core.Tests.Reachability;

/// <summary>PROTOCOL §10: what an <c>auto</c> node believes about its address and whether it can be dialled.</summary>
public sealed class ReachabilityStateTests
{
    private static readonly ReachabilityRules Rules = new(4, 3, 4, 4, TimeSpan.FromMinutes(1));
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    private static Key Peer(int i) => Key.Hash(BitConverter.GetBytes(i));

    private static AddressGroup Group(string address) => AddressGroup.Of(address, exemptPrivate: true);

    [Fact]
    public void State_should_start_as_a_client_with_no_believed_address()
    {
        var state = new ReachabilityState(Rules);

        Assert.False(state.IsServer);
        Assert.Null(state.BelievedAddress);
        Assert.Null(state.LastOutcome);
    }

    [Fact]
    public void State_should_believe_an_address_once_4_peers_in_3_groups_reported_it()
    {
        var state = new ReachabilityState(Rules);

        state.OnSeen(Peer(1), Group("203.0.113.1"), "198.51.100.7", T0);
        state.OnSeen(Peer(2), Group("203.0.113.2"), "198.51.100.7", T0);
        state.OnSeen(Peer(3), Group("192.0.2.1"), "198.51.100.7", T0);
        Assert.Null(state.BelievedAddress); // 3 peers in 2 groups

        state.OnSeen(Peer(4), Group("192.0.2.2"), "198.51.100.7", T0);
        Assert.Null(state.BelievedAddress); // 4 peers, still 2 groups

        state.OnSeen(Peer(5), Group("100.64.0.1"), "198.51.100.7", T0);
        Assert.Equal("198.51.100.7", state.BelievedAddress);
    }

    [Fact]
    public void State_should_count_one_peer_once_however_often_it_reports()
    {
        var state = new ReachabilityState(Rules);

        for (var i = 0; i < 10; i++)
        {
            state.OnSeen(Peer(1), Group("203.0.113.1"), "198.51.100.7", T0);
            state.OnSeen(Peer(2), Group("192.0.2.1"), "198.51.100.7", T0);
            state.OnSeen(Peer(3), Group("100.64.0.1"), "198.51.100.7", T0);
        }

        Assert.Null(state.BelievedAddress);
    }

    [Fact]
    public void State_should_become_a_server_after_more_than_3_successes_from_distinct_groups()
    {
        var state = new ReachabilityState(Rules);

        Assert.False(state.OnDialbackSucceeded(Group("203.0.113.1"), T0));
        Assert.False(state.OnDialbackSucceeded(Group("203.0.113.99"), T0)); // same group: one success
        Assert.False(state.OnDialbackSucceeded(Group("192.0.2.1"), T0));
        Assert.False(state.OnDialbackSucceeded(Group("100.64.0.1"), T0));
        Assert.False(state.IsServer);
        Assert.Equal("testing: 3 of 4 dial-backs from distinct groups succeeded so far", state.ClientReason);

        Assert.True(state.OnDialbackSucceeded(Group("198.18.0.1"), T0));
        Assert.True(state.IsServer);
        Assert.Null(state.ClientReason);
    }

    [Fact]
    public void State_should_count_successes_again_after_a_failure_in_between()
    {
        var state = new ReachabilityState(Rules);
        state.OnDialbackSucceeded(Group("203.0.113.1"), T0);
        state.OnDialbackSucceeded(Group("192.0.2.1"), T0);
        state.OnDialbackSucceeded(Group("100.64.0.1"), T0);

        state.OnDialbackFailed("connection refused", T0);
        state.OnDialbackSucceeded(Group("198.18.0.1"), T0);

        Assert.False(state.IsServer);
        Assert.Equal(1, state.Successes);
        Assert.Contains("connection refused", state.ClientReason);
    }

    [Fact]
    public void State_should_go_back_to_client_after_more_than_3_failures()
    {
        var state = Server();

        Assert.False(state.OnDialbackFailed("timeout", T0));
        Assert.False(state.OnDialbackFailed("timeout", T0));
        Assert.False(state.OnDialbackFailed("timeout", T0));
        Assert.True(state.IsServer);

        Assert.True(state.OnDialbackFailed("timeout", T0));
        Assert.False(state.IsServer);
        Assert.Contains("4 dial-backs failed", state.ClientReason);
    }

    [Fact]
    public void State_should_go_back_to_client_when_the_believed_address_changes()
    {
        var state = Server();
        Believe(state, "198.51.100.7", first: 1);
        Assert.True(state.IsServer);

        Believe(state, "198.51.100.8", first: 1);

        Assert.False(state.IsServer);
        Assert.Equal("198.51.100.8", state.BelievedAddress);
        Assert.Contains("changed from 198.51.100.7 to 198.51.100.8", state.ClientReason);
    }

    [Fact]
    public void State_should_go_back_to_client_when_a_timer_fired_far_later_than_due()
    {
        var state = Server();
        Believe(state, "198.51.100.7", first: 1);

        Assert.False(state.OnTimer(T0, T0 + TimeSpan.FromSeconds(59)));
        Assert.True(state.IsServer);

        Assert.True(state.OnTimer(T0, T0 + TimeSpan.FromHours(2)));
        Assert.False(state.IsServer);
        Assert.Null(state.BelievedAddress);
        Assert.Contains("slept", state.ClientReason);
    }

    [Fact]
    public void State_should_keep_a_bounded_number_of_reports_whatever_strangers_send()
    {
        var state = new ReachabilityState(Rules);
        for (var i = 0; i < 10_000; i++)
        {
            state.OnSeen(Peer(i), Group($"10.{i / 256 % 256}.{i % 256}.1"), $"198.51.{i / 256 % 256}.{i % 256}", T0);
        }

        // The last reporters displaced the first; four fresh ones in three groups still decide.
        Believe(state, "203.0.113.50", first: 20_000);
        Assert.Equal("203.0.113.50", state.BelievedAddress);
    }

    private static ReachabilityState Server()
    {
        var state = new ReachabilityState(Rules);
        foreach (var group in new[] { "203.0.113.1", "192.0.2.1", "100.64.0.1", "198.18.0.1" })
        {
            state.OnDialbackSucceeded(Group(group), T0);
        }

        Assert.True(state.IsServer);
        return state;
    }

    private static void Believe(ReachabilityState state, string address, int first)
    {
        state.OnSeen(Peer(first), Group("203.0.113.1"), address, T0);
        state.OnSeen(Peer(first + 1), Group("192.0.2.1"), address, T0);
        state.OnSeen(Peer(first + 2), Group("100.64.0.1"), address, T0);
        state.OnSeen(Peer(first + 3), Group("100.64.0.2"), address, T0);
    }
}
