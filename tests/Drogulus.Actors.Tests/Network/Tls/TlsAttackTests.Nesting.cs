using Akka.Actor;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;
using static Drogulus.Actors.Tests.Network.Tls.TlsTestServer;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>PROTOCOL §4 (third edition): nesting deeper than 64 is error 1 and a close, after the replies already due.</summary>
public sealed partial class TlsAttackTests
{
    [Fact]
    public async Task Connection_should_send_the_replies_already_due_before_error_1_and_the_close_when_a_value_nests_deeper_than_64()
    {
        var server = await StartAsync(Settings());
        await using var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        byte[] deep = [0x81, 0xa1, (byte)'x', .. Enumerable.Repeat((byte)0x91, 66), 0xc0];
        byte[] pipelined =
        [
            .. NetstringFramer.Frame(MessageCodec.Encode(new PingMessage("before-1", client.Identity.Id, 0, "1.0"))),
            .. NetstringFramer.Frame(MessageCodec.Encode(new PingMessage("before-2", client.Identity.Id, 0, "1.0"))),
            .. NetstringFramer.Frame(deep),
        ];

        await client.SendRawAsync(pipelined);
        var first = await server.Node.FishForMessageAsync<InboundRequest>(m => m.Request.Uuid == "before-1", Bound);
        var second = await server.Node.FishForMessageAsync<InboundRequest>(m => m.Request.Uuid == "before-2", Bound);
        foreach (var inbound in new[] { first, second })
        {
            inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, new PongMessage("", Key.Zero, 0, "")));
        }

        Assert.Equal("before-1", Assert.IsType<PongMessage>(await client.ReceiveAsync()).Uuid);
        Assert.Equal("before-2", Assert.IsType<PongMessage>(await client.ReceiveAsync()).Uuid);
        Assert.Equal(ErrorCode.BadRequest, Assert.IsType<ErrorMessage>(await client.ReceiveAsync()).Code);
        Assert.True(await client.WaitClosedAsync());
        await AssertStillAnswersAsync(server);
    }
}
