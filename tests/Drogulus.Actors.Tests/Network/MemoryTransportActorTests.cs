using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Network;

/// <summary>PROTOCOL §4, §5 and §12 at the transport: decoding errors and spoofed ids are answered, not crashed on.</summary>
public sealed class MemoryTransportActorTests : TestKit
{
    private readonly MemoryNetwork _network = new();
    private readonly TestNode _node;
    private readonly RawPeer _peer;

    public MemoryTransportActorTests()
        : base(BusyMachine.Waits + "akka.loglevel = ERROR")
    {
        _node = TestNode.Start(this, _network, DrogulusConfig.SettingsFrom("drogulus.k = 4"));
        _peer = new RawPeer(this, _network, Key.Random(new Random(3)));
    }

    public static TheoryData<string> Payloads => new() { "empty", "reserved byte", "not a map", "unknown message type", "truncated ping", "63-byte id" };

    [Fact]
    public void Transport_should_answer_error_1_and_ignore_the_message_when_its_node_field_is_not_the_sender_identity()
    {
        var claimed = Key.Random(new Random(4));

        var uuid = _peer.Send(_node.Transport, new PingMessage("", default, 0, ""), claimedNode: claimed);

        var error = _peer.ExpectReply<ErrorMessage>(uuid);
        Assert.Equal(ErrorCode.BadRequest, error.Code);
        Assert.Equal(new Dictionary<string, string> { ["node"] = "does not match the TLS identity" }, error.Details);
        Assert.Equal(_node.Id, error.Node);
        Assert.Equal(0, _node.Status().Contacts);
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Transport_should_answer_the_codec_error_and_keep_serving_when_the_payload_does_not_decode(string kind)
    {
        var payload = Payload(kind);
        var failure = MessageCodec.Decode(payload).Failure;
        Assert.NotNull(failure);

        _peer.SendRaw(_node.Transport, payload);

        var (reply, _) = _peer.Receive();
        var error = Assert.IsType<ErrorMessage>(reply);
        Assert.Equal(failure.Code, error.Code);
        Assert.Equal(failure.Details, error.Details);
        Assert.Equal(failure.Uuid ?? "", error.Uuid);
        Assert.Equal(_node.Id, error.Node);
        _peer.Introduce(_node.Transport);
    }

    [Fact]
    public void Transport_should_answer_error_2_naming_the_type_when_the_message_type_is_unknown()
    {
        _peer.SendRaw(_node.Transport, Payload("unknown message type"));

        var error = Assert.IsType<ErrorMessage>(_peer.Receive().Message);
        Assert.Equal(ErrorCode.UnknownRequest, error.Code);
        Assert.Equal(new Dictionary<string, string> { ["context"] = "pang is not a valid message type." }, error.Details);
        Assert.Equal("raw-uuid", error.Uuid);
    }

    private byte[] Payload(string kind)
    {
        var ping = MessageCodec.Encode(new PingMessage("raw-uuid", _peer.Id, _peer.Port, ProtocolVersion.Current));
        switch (kind)
        {
            case "empty":
                return [];
            case "reserved byte":
                return [0xc1];
            case "not a map":
                return CanonicalMsgPack.Encode("ping");
            case "unknown message type":
                var name = "ping"u8.ToArray();
                var at = ping.AsSpan().IndexOf(name);
                Assert.True(at >= 0);
                ping[at + 1] = (byte)'a';
                return ping;
            case "truncated ping":
                return ping[..^3];
            case "63-byte id":
                return MessageCodec.Encode(new FindNodeMessage("raw-uuid", _peer.Id, _peer.Port, ProtocolVersion.Current, Key.Zero)) is var find
                    ? ShortenLastKey(find)
                    : [];
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    // Rewrites the last 64-byte id (raw16 header 0xda 0x00 0x40) of a findnode as a 63-byte raw.
    private static byte[] ShortenLastKey(byte[] message)
    {
        var header = message.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0xda, 0x00, 0x40]);
        Assert.True(header >= 0);
        var shorter = new List<byte>(message[..header]) { 0xda, 0x00, 0x3f };
        shorter.AddRange(message[(header + 3)..(header + 3 + 63)]);
        shorter.AddRange(message[(header + 3 + 64)..]);
        return shorter.ToArray();
    }
}
