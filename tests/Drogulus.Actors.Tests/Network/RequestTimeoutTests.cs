using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Network;

/// <summary>PROTOCOL §7: one RPC ends with exactly one outcome; the timeout fires at <c>request-timeout</c> of virtual time.</summary>
public sealed class RequestTimeoutTests : TestKit
{
    private static readonly TimeSpan OneTick = TimeSpan.FromMilliseconds(1);

    private readonly MemoryNetwork _network = new();
    private readonly DrogulusSettings _settings = DrogulusConfig.SettingsFrom("drogulus.request-timeout = 7s");
    private readonly TestProbe _node;
    private readonly TestProbe _requester;
    private readonly IActorRef _transport;
    private readonly RawPeer _peer;

    public RequestTimeoutTests()
        : base(VirtualTime.Config)
    {
        _node = CreateTestProbe();
        _requester = CreateTestProbe();
        var identity = NodeIdentity.Generate(Sys.Scheduler.Now);
        _transport = Sys.ActorOf(_network.Props(identity, _settings, _node.Ref, _node.Ref), "transport");
        _node.ExpectMsg<TransportReady>();
        _peer = new RawPeer(this, _network, Key.Random(new Random(5)));
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void Request_should_fail_with_Timeout_exactly_at_request_timeout_when_the_peer_never_answers()
    {
        var to = new PeerAddress(MemoryNetwork.Host, _peer.Port, _peer.Id);
        _transport.Tell(new SendRequest(to, new PingMessage("", default, 0, ""), _requester.Ref));
        _peer.ExpectRequest<PingMessage>();

        Scheduler.Advance(_settings.RequestTimeout - OneTick);
        _requester.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(OneTick);

        var failed = _requester.ExpectMsg<RpcFailed>();
        Assert.Equal(RpcFailure.Timeout, failed.Failure);
        Assert.Equal(to, failed.To);
        Assert.Equal(_peer.Id, _node.ExpectMsg<PeerFailed>().Id);
    }

    [Fact]
    public void Request_should_end_with_the_reply_only_when_the_peer_answers_before_request_timeout()
    {
        var to = new PeerAddress(MemoryNetwork.Host, _peer.Port, _peer.Id);
        _transport.Tell(new SendRequest(to, new PingMessage("", default, 0, ""), _requester.Ref));
        var (ping, from) = _peer.ExpectRequest<PingMessage>();
        Scheduler.Advance(_settings.RequestTimeout - OneTick);

        _peer.Reply(from, ping, new PongMessage("", default, 0, ""));

        var replied = _requester.ExpectMsg<RpcReplied>();
        Assert.IsType<PongMessage>(replied.Reply);
        Assert.Equal(_peer.Id, replied.Peer.Id);
        Assert.Equal(_peer.Id, _node.ExpectMsg<PeerSeen>().Peer.Id);
        Scheduler.Advance(_settings.RequestTimeout);
        _requester.ExpectNoMsg(VirtualTime.Quiet);
    }

    [Fact]
    public void Request_should_fail_at_request_timeout_when_the_network_drops_the_request()
    {
        var dropped = CreateTestProbe();
        _network.Drop = (from, to) =>
        {
            dropped.Ref.Tell((from, to), ActorRefs.NoSender);
            return true;
        };
        var to = new PeerAddress(MemoryNetwork.Host, _peer.Port, ExpectedId: null);
        _transport.Tell(new SendRequest(to, new PingMessage("", default, 0, ""), _requester.Ref));
        dropped.ExpectMsg<(Key, Key)>();

        Scheduler.Advance(_settings.RequestTimeout - OneTick);
        _requester.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(OneTick);

        Assert.Equal(RpcFailure.Timeout, _requester.ExpectMsg<RpcFailed>().Failure);
        _peer.Probe.ExpectNoMsg(VirtualTime.Quiet);
        _node.ExpectNoMsg(VirtualTime.Quiet);
    }

    [Fact]
    public void Request_should_fail_at_once_with_ConnectionFailed_when_nobody_listens_at_the_port()
    {
        var to = new PeerAddress(MemoryNetwork.Host, 999, Key.Random(new Random(6)));

        _transport.Tell(new SendRequest(to, new PingMessage("", default, 0, ""), _requester.Ref));

        Assert.Equal(RpcFailure.ConnectionFailed, _requester.ExpectMsg<RpcFailed>().Failure);
        Assert.Equal(to.ExpectedId, _node.ExpectMsg<PeerFailed>().Id);
    }

    [Fact]
    public void Request_should_fail_at_once_with_ConnectionFailed_when_the_peer_proves_another_identity()
    {
        var to = new PeerAddress(MemoryNetwork.Host, _peer.Port, Key.Random(new Random(6)));

        _transport.Tell(new SendRequest(to, new PingMessage("", default, 0, ""), _requester.Ref));

        Assert.Equal(RpcFailure.ConnectionFailed, _requester.ExpectMsg<RpcFailed>().Failure);
        _peer.Probe.ExpectNoMsg(VirtualTime.Quiet);
    }
}
