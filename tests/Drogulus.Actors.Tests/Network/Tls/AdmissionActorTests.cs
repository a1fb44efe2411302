using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Limits;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// The one admission of an actor system speaks by message (PROTOCOL §5, budget and admission): a turn is told to the
/// next in line when a handshake ends, a lent slot makes the node holding most shed an idle connection, and a
/// transport that stops gives its slots back. The rules themselves are specified on the pure state (Core.Tests).
/// </summary>
public sealed class AdmissionActorTests : TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public AdmissionActorTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Fact]
    public async Task AdmissionActor_should_tell_the_next_in_line_its_turn_when_a_handshake_ends()
    {
        var admission = AdmissionExtension.Get(Sys);
        var transport = CreateTestProbe();
        transport.Send(admission, new AdmissionActor.Join(Limits(handshakes: 1)));
        transport.ExpectMsg<AdmissionActor.Joined>(Bound);
        var (first, second) = (CreateTestProbe(), CreateTestProbe());

        first.Send(admission, new AdmissionActor.AskTurn(false, "203.0.113.0/24"));
        first.ExpectMsg<AdmissionActor.Granted>(Bound);
        second.Send(admission, new AdmissionActor.AskTurn(false, "203.0.113.0/24"));
        Assert.Equal(1, (await StateAsync(admission)).WaitingAccepts);

        first.Send(admission, AdmissionActor.HandshakeEnded.Instance);

        second.ExpectMsg<AdmissionActor.Granted>(Bound);
        first.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void AdmissionActor_should_tell_the_node_holding_most_to_shed_an_idle_connection_when_it_lends_a_slot()
    {
        var admission = AdmissionExtension.Get(Sys);
        var (big, small) = (CreateTestProbe(), CreateTestProbe());
        Join(admission, big, Limits(processMax: 2, reserve: 16)); // a quarter of the reserve may be lent
        Join(admission, small, Limits(processMax: 2, reserve: 16));
        for (var ticket = 1; ticket <= 2; ticket++)
        {
            big.Send(admission, new AdmissionActor.Admit(ticket, Dial: true, null, null));
            Assert.Equal(ticket, big.ExpectMsg<AdmissionActor.Admitted>(Bound).Ticket);
        }

        small.Send(admission, new AdmissionActor.Admit(3, Dial: false, null, null));

        Assert.Equal(3, small.ExpectMsg<AdmissionActor.Admitted>(Bound).Ticket);
        big.ExpectMsg<AdmissionActor.ShedIdle>(Bound);
    }

    [Fact]
    public async Task AdmissionActor_should_answer_refused_with_the_ticket_and_free_the_slots_of_a_transport_that_stopped()
    {
        var admission = AdmissionExtension.Get(Sys);
        var (gone, stays) = (CreateTestProbe(), CreateTestProbe());
        Join(admission, gone, Limits(processMax: 1));
        gone.Send(admission, new AdmissionActor.Admit(1, Dial: true, null, null));
        gone.ExpectMsg<AdmissionActor.Admitted>(Bound);
        Join(admission, stays, Limits(processMax: 1));
        stays.Send(admission, new AdmissionActor.Admit(2, Dial: true, null, null));
        Assert.Equal(2, stays.ExpectMsg<AdmissionActor.Refused>(Bound).Ticket); // nothing idle to close, and nothing lent below a share of 1

        Sys.Stop(gone.Ref);

        await AwaitConditionAsync(async () => (await StateAsync(admission)).Count == 0, Bound);
        stays.Send(admission, new AdmissionActor.Admit(3, Dial: true, null, null));
        stays.ExpectMsg<AdmissionActor.Admitted>(Bound);
    }

    [Fact]
    public void AdmissionActor_should_tell_its_transports_to_join_again_when_it_restarts()
    {
        var admission = AdmissionExtension.Get(Sys);
        var transport = CreateTestProbe();
        Join(admission, transport, Limits());

        EventFilter.Exception<ArgumentOutOfRangeException>().ExpectOne(() =>
            CreateTestProbe().Send(admission, new AdmissionActor.Join(Limits(handshakes: 0)))); // invalid: the actor throws and restarts

        transport.ExpectMsg<AdmissionActor.Rejoin>(Bound);
        Join(admission, transport, Limits());
        transport.Send(admission, new AdmissionActor.Admit(1, Dial: true, null, null));
        transport.ExpectMsg<AdmissionActor.Admitted>(Bound);
    }

    private static Task<AdmissionActor.State> StateAsync(IActorRef admission) =>
        admission.Ask<AdmissionActor.State>(AdmissionActor.GetState.Instance, Bound);

    private static void Join(IActorRef admission, TestProbe transport, AdmissionLimits limits)
    {
        transport.Send(admission, new AdmissionActor.Join(limits));
        transport.ExpectMsg<AdmissionActor.Joined>(Bound);
    }

    private static AdmissionLimits Limits(int processMax = 16000, int handshakes = 8, int reserve = 0) =>
        new(MaxConnections: 100, processMax, reserve, OpenFileLimit: null, OpenDescriptors: 0, handshakes, MaxAcceptedPerGroup: 32);
}
