using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
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

    public InboundRateGateTests()
        : base(BusyMachine.Waits)
    {
    }

    [Fact]
    public void TryAdmit_should_answer_busy_on_the_connection_when_the_address_is_over_its_rate()
    {
        var gate = new InboundRateGate(new InboundRateLimiter(new TokenBucketRate(1, 2), new GroupRateMultiples(8, 32, ExemptPrivate: true), AddressSet.Empty, 10));
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
    public void TryAdmit_should_answer_busy_past_the_groups_limit_when_requests_rotate_over_the_addresses_of_one_24()
    {
        // rate-limit 1/s burst 2 per address, 8x per group: 254 addresses of one /24 get 16 requests through, not 508.
        var settings = DrogulusConfig.SettingsFrom(
            "drogulus { rate-limit { requests-per-second = 1, burst = 2, group-multiple = 8 }\n rate-limit-exempt = [] }");
        var gate = new InboundRateGate(settings.CreateRequestRateLimiter());
        var connection = CreateTestProbe();

        var admitted = 0;
        for (var host = 1; host < 255; host++)
        {
            var from = new PeerInfo(Key.Random(new Random(host)), $"203.0.113.{host}", 4000, "1.0");
            admitted += Enumerable.Range(0, 2).Count(i => gate.TryAdmit(Request(from, connection, $"{host}-{i}"), T0));
        }

        Assert.Equal(16, admitted);
        Assert.Equal((254 * 2) - 16, gate.Refused);
    }

    [Fact]
    public void CreateConnectionRateLimiter_should_bound_new_connections_per_group_and_per_ipv6_32_at_their_multiples()
    {
        var settings = DrogulusConfig.SettingsFrom(
            "drogulus { connection-rate-limit { connections-per-second = 1, burst = 1, group-multiple = 4, wide-block-multiple = 6 }\n rate-limit-exempt = [] }");
        var limiter = settings.CreateConnectionRateLimiter();

        var fromOne24 = Enumerable.Range(1, 200).Count(host => limiter.TryAcquire(System.Net.IPAddress.Parse($"198.51.100.{host}"), T0));
        var fromOne32 = Enumerable.Range(1, 200).Count(group => limiter.TryAcquire(System.Net.IPAddress.Parse($"2001:db8:{group:x}::1"), T0));

        Assert.Equal(4, fromOne24);
        Assert.Equal(6, fromOne32);
    }

    [Fact]
    public void TryAdmit_should_admit_everything_when_the_peer_address_is_not_an_ip_address()
    {
        var gate = new InboundRateGate(new InboundRateLimiter(new TokenBucketRate(1, 1), new GroupRateMultiples(8, 32, ExemptPrivate: true), AddressSet.Empty, 10));
        var connection = CreateTestProbe();
        var from = new PeerInfo(Key.Random(new Random(2)), MemoryNetwork.Host, 4000, "1.0");

        Assert.All(Enumerable.Range(0, 20), i => Assert.True(gate.TryAdmit(Request(from, connection, "r" + i), T0)));
        Assert.Equal(0, gate.Refused);
    }

    private static InboundRequest Request(PeerInfo from, Akka.TestKit.TestProbe connection, string uuid) =>
        new(from, new PingMessage(uuid, from.Id, from.ReplyPort, "1.0"), connection.Ref);
}
