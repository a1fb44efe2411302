using Akka.TestKit.Xunit2;
using Drogulus.Actors.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Limits;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Tests.Network;

/// <summary>PROTOCOL §5, rate: the excess of an address is answered with error 10 and not processed.</summary>
public sealed class InboundRateGateTests : TestKit
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public void TryAdmit_should_answer_busy_on_the_connection_when_the_address_is_over_its_rate()
    {
        var gate = new InboundRateGate(new InboundRateLimiter(new TokenBucketRate(1, 2), AddressSet.Empty, 10));
        var connection = CreateTestProbe();
        var from = new PeerInfo(Key.Random(new Random(1)), "10.0.0.9", 4000, "1.0");

        Assert.True(gate.TryAdmit(Request(from, connection, "a"), T0));
        Assert.True(gate.TryAdmit(Request(from, connection, "b"), T0));
        connection.ExpectNoMsg(TimeSpan.Zero);
        Assert.False(gate.TryAdmit(Request(from, connection, "c"), T0));

        var reply = connection.ExpectMsg<SendReply>();
        Assert.Equal("c", reply.InReplyTo);
        Assert.False(reply.CloseAfter);
        var error = Assert.IsType<ErrorMessage>(reply.Body);
        Assert.Equal(ErrorCode.Busy, error.Code);
        Assert.Equal("Busy", error.Title);
        Assert.Equal(1, gate.Refused);
        Assert.True(gate.TryAdmit(Request(from, connection, "d"), T0 + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void TryAdmit_should_admit_everything_when_the_peer_address_is_not_an_ip_address()
    {
        var gate = new InboundRateGate(new InboundRateLimiter(new TokenBucketRate(1, 1), AddressSet.Empty, 10));
        var connection = CreateTestProbe();
        var from = new PeerInfo(Key.Random(new Random(2)), MemoryNetwork.Host, 4000, "1.0");

        Assert.All(Enumerable.Range(0, 20), i => Assert.True(gate.TryAdmit(Request(from, connection, "r" + i), T0)));
        Assert.Equal(0, gate.Refused);
    }

    private static InboundRequest Request(PeerInfo from, Akka.TestKit.TestProbe connection, string uuid) =>
        new(from, new PingMessage(uuid, from.Id, from.ReplyPort, "1.0"), connection.Ref);
}
