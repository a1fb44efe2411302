using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Limits;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// The admission actor wakes for the accepted-handshake rate (PROTOCOL §5, admission): an accept waiting for a token
/// is told its turn when the token accrues, on virtual time, and not before.
/// </summary>
public sealed class AdmissionActorRateTests : TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public AdmissionActorRateTests()
        : base(VirtualTime.Config)
    {
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void AdmissionActor_should_tell_a_rated_accept_its_turn_when_a_token_accrues_and_not_before()
    {
        var admission = AdmissionExtension.Get(Sys);
        var transport = CreateTestProbe();
        transport.Send(admission, new AdmissionActor.Join(new AdmissionLimits(
            MaxConnections: 100, ProcessMaxConnections: 16000, DescriptorReserve: 0, OpenFileLimit: null, OpenDescriptors: 0,
            MaxConcurrentHandshakes: 8, MaxAcceptedPerGroup: 32, AcceptHandshakeRate: new TokenBucketRate(2, 1))));
        transport.ExpectMsg<AdmissionActor.Joined>(Bound);
        var (first, second, exempt) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        first.Send(admission, new AdmissionActor.AskTurn(false, "203.0.113.0/24", Rated: true));
        first.ExpectMsg<AdmissionActor.Granted>(Bound);

        second.Send(admission, new AdmissionActor.AskTurn(false, "203.0.113.0/24", Rated: true));
        exempt.Send(admission, new AdmissionActor.AskTurn(false, "127.0.0.1", Rated: false));
        exempt.ExpectMsg<AdmissionActor.Granted>(Bound); // answered after the second's ask: that one is waiting now

        Scheduler.Advance(TimeSpan.FromMilliseconds(499));
        second.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        second.ExpectMsg<AdmissionActor.Granted>(Bound);
    }
}
