using Akka.TestKit.Xunit2;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Reachability;

/// <summary>
/// PROTOCOL §10 (third edition), what a dial-back's <c>ping</c> proves to the <c>auto</c> node that asked for it:
/// a dial-back succeeded only when the <c>ping</c> carrying the nonce the node issued arrived on a new connection
/// the peer dialled, and the <c>dialback</c> was answered <c>pong</c>. A <c>ping</c> with a nonce the node did not
/// issue is a plain ping and changes nothing; neither does the right nonce over the node's own connection.
/// </summary>
public sealed class DialbackNonceTests : TestKit
{
    public DialbackNonceTests()
        : base(VirtualTime.Config)
    {
    }

    [Fact]
    public void Dialbacks_should_make_a_server_when_each_ping_with_the_issued_nonce_arrives_on_a_connection_the_peer_dialled()
    {
        var bench = new DialbackBench(this, contacts: 4);

        bench.PassAndAwaitServer(bench.NextTest());

        Assert.Equal("4 dial-backs from distinct groups succeeded", bench.Node.Status().LastReachabilityTest);
    }

    [Fact]
    public void Ping_with_a_nonce_the_node_did_not_issue_should_be_a_plain_ping_and_not_count_for_a_dial_back_in_progress()
    {
        var bench = new DialbackBench(this, contacts: 1);
        var (peer, dialback, from) = Assert.Single(bench.NextTest());
        using var stranger = new RawPeer(this, bench.Network, Key.Random(new Random(200)));

        // Unsolicited, on a connection the stranger dialled: answered as any ping.
        var other = DialbackNonce.From(new Random(201));
        Assert.NotEqual(dialback.Nonce, other);
        Assert.IsType<PongMessage>(stranger.ExpectReply(stranger.SendDialled(bench.Node, DialbackBench.Ping(other))));
        peer.Reply(from, dialback, new PongMessage("", default, 0, ""));

        // The pong without the issued nonce's ping: the dial-back failed once request-timeout has passed.
        Assert.StartsWith("a dial-back failed: the pong came without the dial-back's ping", bench.FirstOutcome(peer));
        Assert.False(bench.Node.Status().IsServer);
    }

    [Fact]
    public void Ping_with_the_issued_nonce_over_the_nodes_own_connection_should_not_count()
    {
        var bench = new DialbackBench(this, contacts: 1);
        var (peer, dialback, from) = Assert.Single(bench.NextTest());

        // The right nonce, but over the connection the node opened to send the dialback: it proves nothing.
        Assert.IsType<PongMessage>(peer.ExpectReply(peer.Send(bench.Node, DialbackBench.Ping(dialback.Nonce))));
        peer.Reply(from, dialback, new PongMessage("", default, 0, ""));

        Assert.StartsWith("a dial-back failed: the pong came without the dial-back's ping", bench.FirstOutcome(peer));
        Assert.False(bench.Node.Status().IsServer);
    }

    [Fact]
    public void Dialback_should_count_when_its_ping_arrives_after_the_pong()
    {
        var bench = new DialbackBench(this, contacts: 1);
        var (peer, dialback, from) = Assert.Single(bench.NextTest());

        peer.Reply(from, dialback, new PongMessage("", default, 0, ""));
        Assert.IsType<PongMessage>(peer.ExpectReply(peer.SendDialled(bench.Node, DialbackBench.Ping(dialback.Nonce))));

        Assert.Equal("1 dial-backs from distinct groups succeeded", bench.FirstOutcome(peer, moveClock: false));
    }
}
