using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Testing;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Tests.Node;

/// <summary>
/// PROTOCOL §5 (no wait without a bound): a join answers <see cref="JoinFailed"/> in words at <c>join.timeout</c>
/// whatever it is waiting for, and stops its lookups with it. The routing table and the transport are probes
/// that answer only what a spec makes them answer. Virtual time.
/// </summary>
public sealed class JoinDeadlineTests : TestKit
{
    private static readonly TimeSpan OneTick = TimeSpan.FromMilliseconds(1);

    private readonly DrogulusSettings _settings = DrogulusConfig.SettingsFrom(
        "drogulus { k = 4, request-timeout = 3s, lookup-timeout = 60s, join { timeout = 20s, seed-attempts = 100, retry-delay = 1s } }");

    private readonly TestProbe _routing;
    private readonly TestProbe _transport;
    private readonly Key _ownId = Key.Random(new Random(21));
    private readonly PeerAddress _seed = new("127.0.0.1", 4000, null);

    public JoinDeadlineTests()
        : base(VirtualTime.Config)
    {
        _routing = CreateTestProbe();
        _transport = CreateTestProbe();
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void Join_should_fail_in_words_exactly_at_join_timeout_when_the_routing_table_never_answers_its_self_lookup()
    {
        var join = Sys.ActorOf(JoinActor.Props([_seed], TestActor, _ownId, _settings, _routing.Ref, _transport.Ref));
        Assert.False(_routing.ExpectMsg<RoutingTableActor.JoinLookup>().Completed); // PROTOCOL §6: no inbound contacts until the join lookup ends
        var ping = _transport.ExpectMsg<SendRequest>();
        Assert.IsType<PingMessage>(ping.Body);
        ping.ReplyTo.Tell(new RpcReplied(_seed, new PeerInfo(Key.Random(new Random(5)), "127.0.0.1", 4000, "1.0"), new PongMessage("", default, 0, "")));
        _routing.ExpectMsg<RoutingTableActor.AddContact>();
        _routing.ExpectMsg<RoutingTableActor.GetClosest>(); // the self-lookup asks; the table stays silent

        Scheduler.Advance(_settings.JoinTimeout - OneTick);
        ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(OneTick);

        Assert.Equal(
            new JoinFailed("the join did not finish within join.timeout (20 s) while looking up its own id"),
            ExpectMsg<JoinFailed>());
        Watch(join);
        ExpectTerminated(join);

        // Its lookup stopped with it: the lookup's own deadline passes without a second answer or a request.
        Scheduler.Advance(_settings.LookupTimeout);
        ExpectNoMsg(VirtualTime.Quiet);
        _transport.ExpectNoMsg(VirtualTime.Quiet);
    }

    [Fact]
    public void Join_should_fail_in_words_at_join_timeout_when_its_seed_keeps_failing_and_retries_remain()
    {
        // Every ping fails at once; with 100 attempts the retries alone would outlast the deadline.
        _transport.SetAutoPilot(new DelegateAutoPilot((_, message) =>
        {
            if (message is SendRequest request)
            {
                request.ReplyTo.Tell(new RpcFailed(request.To, RpcFailure.ConnectionFailed, "refused"));
            }

            return AutoPilot.KeepRunning;
        }));
        Sys.ActorOf(JoinActor.Props([_seed], TestActor, _ownId, _settings, _routing.Ref, _transport.Ref));
        _transport.ExpectMsg<SendRequest>(); // the join has started, and with it its deadline

        Scheduler.Advance(_settings.JoinTimeout - OneTick);
        ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(OneTick);

        Assert.Equal(
            new JoinFailed("the join did not finish within join.timeout (20 s) while pinging the seeds"),
            ExpectMsg<JoinFailed>());
    }
}
