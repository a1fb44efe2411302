using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Reachability;

/// <summary>PROTOCOL §4 and §6 (third edition): <c>seen</c> in every reply, and the answer to <c>dialback</c> without amplification.</summary>
public sealed class DialbackAnswerTests : TestKit
{
    private static readonly DialbackNonce Nonce = new(Enumerable.Range(1, 16).Select(i => (byte)i).ToArray());
    private readonly MemoryNetwork _network = new();
    private readonly TestNode _node;
    private readonly RawPeer _peer;

    public DialbackAnswerTests()
        : base(VirtualTime.Config)
    {
        _node = TestNode.Start(this, _network, DrogulusConfig.SettingsFrom("drogulus.k = 4"));
        _peer = new RawPeer(this, _network, Key.Random(new Random(3)));
    }

    [Fact]
    public void Node_should_say_where_it_saw_the_requester_in_every_reply()
    {
        var pong = _peer.Ping(_node);
        var nodes = _peer.FindNode(_node, Key.Random(new Random(5)));
        var error = _peer.ExpectReply(_peer.Send(_node, new PingMessage("", default, 0, ""), claimedNode: Key.Random(new Random(6))));

        var seen = new SeenAddress(_peer.Address, _peer.Port); // the address its connection shows: its simulated IP address
        Assert.Equal(seen, pong.Seen);
        Assert.Equal(seen, Assert.IsType<NodesMessage>(nodes).Seen);
        Assert.Equal(seen, Assert.IsType<ErrorMessage>(error).Seen);
    }

    [Fact]
    public void Dialback_should_ping_the_requester_with_the_nonce_on_a_new_connection_and_answer_pong_when_it_is_answered()
    {
        var uuid = _peer.Send(_node, new DialbackMessage("", default, 0, "", _peer.Port, Nonce));

        var (ping, from) = _peer.ExpectRequest<PingMessage>();
        Assert.Equal(Nonce, ping.Nonce);
        _peer.Reply(from, ping, new PongMessage("", default, 0, ""));

        _peer.ExpectReply<PongMessage>(uuid);
    }

    [Fact]
    public void Dialback_should_answer_error_12_at_once_when_nothing_listens_at_the_port()
    {
        var uuid = _peer.Send(_node, new DialbackMessage("", default, 0, "", 65000, Nonce));

        // No virtual time passes: a refused dial is answered at once, well within request-timeout.
        var error = _peer.ExpectError(uuid, ErrorCode.Unreachable);
        Assert.Equal("Unreachable", error.Title);
        Assert.Contains("reason", error.Details.Keys);
    }

    [Fact]
    public void Dialback_should_answer_error_12_within_request_timeout_when_the_ping_is_not_answered()
    {
        var uuid = _peer.Send(_node, new DialbackMessage("", default, 0, "", _peer.Port, Nonce));
        _peer.ExpectRequest<PingMessage>();
        _peer.ExpectNoFrame();

        VirtualTime.Advance(this, _node.Settings.RequestTimeout);

        _peer.ExpectError(uuid, ErrorCode.Unreachable);
    }

    [Fact]
    public void Dialback_should_never_dial_another_node_when_the_port_is_someone_elses()
    {
        using var victim = new RawPeer(this, _network, Key.Random(new Random(9)));

        var uuid = _peer.Send(_node, new DialbackMessage("", default, 0, "", victim.Port, Nonce));

        // The dial expects the requester's id, so it fails before anything reaches the victim.
        _peer.ExpectError(uuid, ErrorCode.Unreachable);
        victim.ExpectNoFrame();
    }

    [Fact]
    public void Dialback_flood_should_get_error_10_past_the_first_and_never_more_than_one_dial_per_group_at_a_time()
    {
        var first = _peer.Send(_node, new DialbackMessage("", default, 0, "", _peer.Port, Nonce));
        var rest = Enumerable.Range(0, 5).Select(_ => _peer.Send(_node, new DialbackMessage("", default, 0, "", _peer.Port, Nonce))).ToList();

        foreach (var uuid in rest)
        {
            _peer.ExpectError(uuid, ErrorCode.Busy);
        }

        var (ping, from) = _peer.ExpectRequest<PingMessage>();
        _peer.ExpectNoFrame();
        Assert.Empty(_peer.Requests);

        // Answered: the group may ask again.
        _peer.Reply(from, ping, new PongMessage("", default, 0, ""));
        _peer.ExpectReply<PongMessage>(first);
        var again = _peer.Send(_node, new DialbackMessage("", default, 0, "", 65000, Nonce));
        _peer.ExpectError(again, ErrorCode.Unreachable);
    }

    [Fact]
    public void Dialback_should_not_add_a_client_requester_to_the_routing_table()
    {
        _peer.Send(_node, new DialbackMessage("", default, 0, "", 65000, Nonce), replyPort: 0);
        _peer.ExpectAnyReply();

        Assert.Equal(0, _node.Status().Contacts);
    }
}
