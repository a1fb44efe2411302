using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Network;

/// <summary>
/// <see cref="PendingRequests"/> on its own, inside a tiny actor that owns the timers (PROTOCOL §5, §7):
/// each request ends once, it times out at <c>request-timeout</c> of virtual time after its own start (one timer runs
/// to the earliest deadline), and only pinned peers are blamed.
/// </summary>
public sealed class PendingRequestsTests : TestKit
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(7);
    private static readonly TimeSpan OneTick = TimeSpan.FromMilliseconds(1);

    private readonly Random _random = new(11);
    private readonly TestProbe _node;
    private readonly TestProbe _requester;
    private readonly IActorRef _host;
    private readonly Key _peerId;
    private readonly PeerAddress _pinned;
    private readonly PeerAddress _unpinned = new("127.0.0.1", 4001, null);

    public PendingRequestsTests()
        : base(VirtualTime.Config)
    {
        _node = CreateTestProbe();
        _requester = CreateTestProbe();
        _host = Sys.ActorOf(Props.Create(() => new Host(_node.Ref, RequestTimeout)));
        _peerId = Key.Random(_random);
        _pinned = new PeerAddress("127.0.0.1", 4000, _peerId);
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void PendingRequests_should_hand_the_reply_over_once_when_it_arrives_before_request_timeout()
    {
        Run(p => p.Add("u1", _pinned, _requester.Ref));
        Scheduler.Advance(RequestTimeout - OneTick);

        Assert.True(Run(p => p.Complete(Pong("u1"), Peer())));
        Assert.False(Run(p => p.Complete(Pong("u1"), Peer())));

        var replied = _requester.ExpectMsg<RpcReplied>();
        Assert.Equal(_pinned, replied.To);
        Assert.Equal("u1", replied.Reply.Uuid);
        Assert.Equal(_peerId, replied.Peer.Id);
        Assert.Equal(_peerId, _node.ExpectMsg<PeerSeen>().Peer.Id);
        Assert.Equal(0, Run(p => p.Count));

        Scheduler.Advance(RequestTimeout);
        _requester.ExpectNoMsg(VirtualTime.Quiet);
        _node.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void PendingRequests_should_time_out_exactly_at_request_timeout_blaming_the_pinned_peer_when_no_reply_comes()
    {
        Run(p => p.Add("u1", _pinned, _requester.Ref));

        Scheduler.Advance(RequestTimeout - OneTick);
        _requester.ExpectNoMsg(VirtualTime.Quiet);
        Assert.True(Run(p => p.Contains("u1")));
        Scheduler.Advance(OneTick);

        var failed = _requester.ExpectMsg<RpcFailed>();
        Assert.Equal(RpcFailure.Timeout, failed.Failure);
        Assert.Equal(_pinned, failed.To);
        Assert.Equal(_peerId, _node.ExpectMsg<PeerFailed>().Id);
        Assert.False(Run(p => p.Contains("u1")));
    }

    [Fact]
    public void PendingRequests_should_time_out_without_PeerFailed_when_the_address_is_not_pinned()
    {
        Run(p => p.Add("u1", _unpinned, _requester.Ref));

        Scheduler.Advance(RequestTimeout);

        var failed = _requester.ExpectMsg<RpcFailed>();
        Assert.Equal(RpcFailure.Timeout, failed.Failure);
        Assert.Equal(_unpinned, failed.To);
        _node.ExpectNoMsg(VirtualTime.Quiet);
    }

    [Fact]
    public void PendingRequests_should_ignore_a_late_reply_when_the_request_already_timed_out()
    {
        Run(p => p.Add("u1", _pinned, _requester.Ref));
        Scheduler.Advance(RequestTimeout);
        _requester.ExpectMsg<RpcFailed>();
        _node.ExpectMsg<PeerFailed>();

        Assert.False(Run(p => p.Complete(Pong("u1"), Peer())));

        _requester.ExpectNoMsg(VirtualTime.Quiet);
        _node.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void PendingRequests_should_time_each_request_from_its_own_start_when_several_are_pending()
    {
        var second = CreateTestProbe();
        Run(p => p.Add("u1", _unpinned, _requester.Ref));
        Scheduler.Advance(TimeSpan.FromSeconds(3));
        Run(p => p.Add("u2", _unpinned, second.Ref));

        Scheduler.Advance(RequestTimeout - TimeSpan.FromSeconds(3));
        Assert.Equal(RpcFailure.Timeout, _requester.ExpectMsg<RpcFailed>().Failure);
        second.ExpectNoMsg(VirtualTime.Quiet);
        Assert.Equal(1, Run(p => p.Count));

        Scheduler.Advance(TimeSpan.FromSeconds(3) - OneTick);
        second.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(OneTick);
        Assert.Equal(RpcFailure.Timeout, second.ExpectMsg<RpcFailed>().Failure);
    }

    [Fact]
    public void PendingRequests_should_time_out_a_later_request_at_its_own_deadline_when_the_earlier_one_was_answered()
    {
        var second = CreateTestProbe();
        var third = CreateTestProbe();
        Run(p => p.Add("u1", _unpinned, _requester.Ref));
        Scheduler.Advance(TimeSpan.FromSeconds(3));
        Run(p => p.Add("u2", _unpinned, second.Ref));
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Run(p => p.Add("u3", _unpinned, third.Ref));
        Assert.True(Run(p => p.Complete(Pong("u1"), Peer())));
        _requester.ExpectMsg<RpcReplied>();

        // u1's deadline (7 s) passes with nothing due; u2 is due at 3 + 7 s and u3 at 4 + 7 s, each on its own.
        Scheduler.Advance(TimeSpan.FromSeconds(6) - OneTick);
        second.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(OneTick);
        Assert.Equal(RpcFailure.Timeout, second.ExpectMsg<RpcFailed>().Failure);
        third.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(TimeSpan.FromSeconds(1) - OneTick);
        third.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(OneTick);
        Assert.Equal(RpcFailure.Timeout, third.ExpectMsg<RpcFailed>().Failure);
        Assert.Equal(0, Run(p => p.Count));
        _requester.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void PendingRequests_should_fail_every_pending_request_once_blaming_only_pinned_peers_when_FailAll_is_called()
    {
        var second = CreateTestProbe();
        var third = CreateTestProbe();
        var otherId = Key.Random(_random);
        var otherPinned = new PeerAddress("127.0.0.1", 4002, otherId);
        Run(p => p.Add("u1", _pinned, _requester.Ref));
        Run(p => p.Add("u2", _unpinned, second.Ref));
        Run(p => p.Add("u3", otherPinned, third.Ref));

        Run(p => p.FailAll("connection closed"));

        foreach (var (probe, to) in new[] { (_requester, _pinned), (second, _unpinned), (third, otherPinned) })
        {
            var failed = probe.ExpectMsg<RpcFailed>();
            Assert.Equal(RpcFailure.ConnectionFailed, failed.Failure);
            Assert.Equal(to, failed.To);
            Assert.Equal("connection closed", failed.Reason);
        }

        var blamed = new[] { _node.ExpectMsg<PeerFailed>().Id, _node.ExpectMsg<PeerFailed>().Id };
        Assert.Equal(new[] { _peerId, otherId }.OrderBy(k => k.ToString()), blamed.OrderBy(k => k.ToString()));
        Assert.Equal(0, Run(p => p.Count));

        Scheduler.Advance(RequestTimeout);
        _requester.ExpectNoMsg(VirtualTime.Quiet);
        second.ExpectNoMsg(TimeSpan.Zero);
        third.ExpectNoMsg(TimeSpan.Zero);
        _node.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void PendingRequests_should_fail_every_request_without_blaming_any_peer_when_AbandonAll_is_called()
    {
        var second = CreateTestProbe();
        Run(p => p.Add("u1", _pinned, _requester.Ref));
        Run(p => p.Add("u2", _unpinned, second.Ref));

        Run(p => p.AbandonAll("transport stopping"));

        foreach (var (probe, to) in new[] { (_requester, _pinned), (second, _unpinned) })
        {
            var failed = probe.ExpectMsg<RpcFailed>();
            Assert.Equal(RpcFailure.ConnectionFailed, failed.Failure);
            Assert.Equal(to, failed.To);
            Assert.Equal("transport stopping", failed.Reason);
        }

        Assert.Equal(0, Run(p => p.Count));
        Scheduler.Advance(RequestTimeout);
        _requester.ExpectNoMsg(VirtualTime.Quiet);
        second.ExpectNoMsg(TimeSpan.Zero);
        _node.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void PendingRequests_should_end_only_the_named_request_when_Fail_is_called()
    {
        var second = CreateTestProbe();
        Run(p => p.Add("u1", _pinned, _requester.Ref));
        Run(p => p.Add("u2", _unpinned, second.Ref));

        Run(p => p.Fail("u1", RpcFailure.ConnectionFailed, "write failed"));
        Run(p => p.Fail("u1", RpcFailure.ConnectionFailed, "write failed"));
        Run(p => p.Fail("unknown", RpcFailure.ConnectionFailed, "write failed"));

        Assert.Equal(RpcFailure.ConnectionFailed, _requester.ExpectMsg<RpcFailed>().Failure);
        Assert.Equal(_peerId, _node.ExpectMsg<PeerFailed>().Id);
        Assert.Equal(1, Run(p => p.Count));
        Assert.True(Run(p => p.Contains("u2")));

        Assert.True(Run(p => p.Complete(Pong("u2"), Peer())));
        second.ExpectMsg<RpcReplied>();
        Scheduler.Advance(RequestTimeout);
        _requester.ExpectNoMsg(VirtualTime.Quiet);
        second.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void PendingRequests_should_fail_an_untracked_request_at_once_blaming_only_a_pinned_peer_when_FailUntracked_is_called()
    {
        Run(p => p.FailUntracked(_unpinned, _requester.Ref, RpcFailure.ConnectionFailed, "connect refused"));
        Assert.Equal(_unpinned, _requester.ExpectMsg<RpcFailed>().To);
        _node.ExpectNoMsg(VirtualTime.Quiet);

        Run(p => p.FailUntracked(_pinned, _requester.Ref, RpcFailure.ConnectionFailed, "connect refused"));
        Assert.Equal(_pinned, _requester.ExpectMsg<RpcFailed>().To);
        Assert.Equal(_peerId, _node.ExpectMsg<PeerFailed>().Id);
        Assert.Equal(0, Run(p => p.Count));
    }

    private static PongMessage Pong(string uuid) => new(uuid, default, 0, ProtocolVersion.Current);

    private PeerInfo Peer() => new(_peerId, "127.0.0.1", 4000, ProtocolVersion.Current);

    private void Run(Action<PendingRequests> op) => Run(p =>
    {
        op(p);
        return true;
    });

    private T Run<T>(Func<PendingRequests, T> op)
        where T : notnull
    {
        _host.Tell(new Host.Run(p => op(p)), TestActor);
        return ExpectMsg<T>();
    }

    /// <summary>Owns the timers and runs each operation on its own thread, as a transport does.</summary>
    private sealed class Host : ReceiveActor, IWithTimers
    {
        public Host(IActorRef node, TimeSpan requestTimeout)
        {
            var pending = new PendingRequests(Timers, Context.System.Scheduler, node, requestTimeout);
            Receive<Run>(run => Sender.Tell(run.Op(pending)));
            Receive<PendingRequests.TimedOut>(pending.OnTimedOut);
        }

        public ITimerScheduler Timers { get; set; } = null!;

        public sealed record Run(Func<PendingRequests, object> Op);
    }
}
