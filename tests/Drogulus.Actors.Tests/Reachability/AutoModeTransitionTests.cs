using Akka.TestKit.Xunit2;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Reachability;

/// <summary>
/// PROTOCOL §10 (third edition), on virtual time: an <c>auto</c> node that became a server goes back to client when
/// the external address its peers report changes, or when a timer fires far later than due (the host slept), stops
/// advertising its port, and tests again at once; passing that test makes it a server again.
/// </summary>
public sealed class AutoModeTransitionTests : TestKit
{
    private static readonly SeenAddress Before = new("203.0.113.7", 4100);
    private static readonly SeenAddress After = new("198.51.100.9", 4100);

    public AutoModeTransitionTests()
        : base(VirtualTime.Config)
    {
    }

    [Fact]
    public void Server_should_become_a_client_and_test_again_when_its_believed_external_address_changes()
    {
        // alpha 4 on one path: the lookup below asks all four peers at once, so each answers in turn.
        var bench = new DialbackBench(this, contacts: 4, "drogulus.alpha = 4\ndrogulus.disjoint-paths = 1");
        bench.PassAndAwaitServer(bench.NextTest(), Before);
        AwaitAssert(() => Assert.Equal(Before.Address, bench.Node.Status().ExternalAddress), DialbackBench.Ceiling);
        Assert.Equal(bench.Node.Port, bench.Peers[0].Ping(bench.Node).ReplyPort);

        // Its next lookup: every peer now sees it at another address (a new NAT mapping, another network).
        bench.Node.Node.Tell(new FindNodes(Key.Random(new Random(9))), TestActor);
        foreach (var peer in bench.Peers)
        {
            var (find, from) = peer.ExpectRequest<FindNodeMessage>();
            peer.Reply(from, find, new NodesMessage("", default, 0, "", []) { Seen = After });
        }

        ExpectMsg<NodesFound>(DialbackBench.Ceiling);
        var retest = bench.ExpectTest(); // at once, not at the next refresh-interval
        var status = bench.Node.Status();
        Assert.False(status.IsServer);
        Assert.Equal(After.Address, status.ExternalAddress);
        Assert.Equal($"its external address changed from {Before.Address} to {After.Address}", status.LastReachabilityTest);
        Assert.Equal(0, bench.Peers[0].Ping(bench.Node).ReplyPort);

        bench.PassAndAwaitServer(retest, After);
        Assert.Equal(bench.Node.Port, bench.Peers[0].Ping(bench.Node).ReplyPort);
    }

    [Fact]
    public void Server_should_become_a_client_and_test_again_when_a_timer_fires_far_later_than_due()
    {
        var bench = new DialbackBench(this, contacts: 4);
        bench.PassAndAwaitServer(bench.NextTest(), Before);
        AwaitAssert(() => Assert.Equal(Before.Address, bench.Node.Status().ExternalAddress), DialbackBench.Ceiling);

        // The host sleeps through its next periodic tick: the clock jumps past it by more than sleep-threshold.
        var late = bench.Settings.ReachabilityRules.SleepThreshold + TimeSpan.FromMinutes(1);
        VirtualTime.Advance(this, bench.Settings.RefreshInterval + late);

        var retest = bench.ExpectTest();
        var status = bench.Node.Status();
        Assert.False(status.IsServer);
        Assert.Null(status.ExternalAddress); // what peers reported before the sleep may no longer hold
        Assert.Equal($"the host slept (a timer fired {late.TotalSeconds:0} s late)", status.LastReachabilityTest);
        Assert.Equal(0, bench.Peers[0].Ping(bench.Node).ReplyPort);

        bench.PassAndAwaitServer(retest, After);
        AwaitAssert(() => Assert.Equal(After.Address, bench.Node.Status().ExternalAddress), DialbackBench.Ceiling);
    }
}
