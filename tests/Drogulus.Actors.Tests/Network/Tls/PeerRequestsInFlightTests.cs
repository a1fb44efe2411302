using Akka.Actor;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// <see cref="PeerRequestsInFlight"/> on its own (PROTOCOL §5): at most <c>max-requests-in-flight</c> of a peer's
/// requests are handed to the node at once, the excess waits in arrival order, and each answer lets the oldest go.
/// </summary>
public sealed class PeerRequestsInFlightTests
{
    private static readonly PeerInfo From = new(Key.Random(new Random(41)), "10.0.0.9", 4000, ProtocolVersion.Current);

    [Fact]
    public void PeerRequestsInFlight_should_hold_a_request_when_max_requests_in_flight_are_being_answered()
    {
        var inFlight = new PeerRequestsInFlight(maxInFlight: 2);

        Assert.True(inFlight.TryDispatch(Request("a")));
        Assert.False(inFlight.Full);
        Assert.True(inFlight.TryDispatch(Request("b")));
        Assert.True(inFlight.Full);
        Assert.False(inFlight.TryDispatch(Request("c")));

        Assert.Equal(2, inFlight.Count);
        Assert.Equal(1, inFlight.Held);
        Assert.True(inFlight.Busy);
    }

    [Fact]
    public void PeerRequestsInFlight_should_hand_on_held_requests_in_arrival_order_when_answers_go_out()
    {
        var inFlight = new PeerRequestsInFlight(maxInFlight: 1);
        inFlight.TryDispatch(Request("a"));
        inFlight.TryDispatch(Request("b"));
        inFlight.TryDispatch(Request("c"));
        Assert.False(inFlight.TryRelease(out _));

        Assert.True(inFlight.Answered("a"));
        Assert.True(inFlight.TryRelease(out var second));
        Assert.Equal("b", second.Request.Uuid);
        Assert.False(inFlight.TryRelease(out _));

        Assert.True(inFlight.Answered("b"));
        Assert.True(inFlight.TryRelease(out var third));
        Assert.Equal("c", third.Request.Uuid);
        Assert.Equal(0, inFlight.Held);
    }

    [Fact]
    public void PeerRequestsInFlight_should_hold_a_new_request_behind_the_held_ones_when_there_is_room_again()
    {
        var inFlight = new PeerRequestsInFlight(maxInFlight: 1);
        inFlight.TryDispatch(Request("a"));
        inFlight.TryDispatch(Request("b"));
        inFlight.Answered("a");

        Assert.False(inFlight.TryDispatch(Request("c")));
        Assert.True(inFlight.TryRelease(out var next));
        Assert.Equal("b", next.Request.Uuid);
    }

    [Fact]
    public void PeerRequestsInFlight_should_ignore_an_answer_when_no_request_of_its_uuid_is_being_answered()
    {
        var inFlight = new PeerRequestsInFlight(maxInFlight: 4);
        inFlight.TryDispatch(Request("a"));

        Assert.False(inFlight.Answered("unknown"));
        Assert.True(inFlight.Answered("a"));
        Assert.False(inFlight.Answered("a"));

        Assert.Equal(0, inFlight.Count);
        Assert.False(inFlight.Busy);
    }

    [Fact]
    public void PeerRequestsInFlight_should_count_each_request_when_the_peer_reuses_a_uuid()
    {
        var inFlight = new PeerRequestsInFlight(maxInFlight: 4);
        inFlight.TryDispatch(Request("same"));
        inFlight.TryDispatch(Request("same"));

        Assert.Equal(2, inFlight.Count);
        Assert.True(inFlight.Answered("same"));
        Assert.True(inFlight.Answered("same"));
        Assert.False(inFlight.Answered("same"));
    }

    [Fact]
    public void PeerRequestsInFlight_should_note_an_answer_since_the_last_dispatch_when_one_went_out()
    {
        var inFlight = new PeerRequestsInFlight(maxInFlight: 4);
        inFlight.TryDispatch(Request("a"));
        inFlight.TryDispatch(Request("b"));
        Assert.False(inFlight.AnsweredSinceDispatch);

        inFlight.Answered("a");
        Assert.True(inFlight.AnsweredSinceDispatch);

        inFlight.TryDispatch(Request("c"));
        Assert.False(inFlight.AnsweredSinceDispatch);
    }

    private static InboundRequest Request(string uuid) =>
        new(From, new PingMessage(uuid, From.Id, From.ReplyPort, ProtocolVersion.Current), ActorRefs.Nobody);
}
