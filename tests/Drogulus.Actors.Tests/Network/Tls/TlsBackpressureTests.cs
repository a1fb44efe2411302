using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>Backpressure both ways over a raw TLS client (PROTOCOL §5): nothing a peer sends makes a queue grow without bound.</summary>
public sealed class TlsBackpressureTests : TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60); // a ceiling: each wait ends with its event

    public TlsBackpressureTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Fact]
    public async Task Connection_should_hand_the_node_no_more_than_max_requests_in_flight_when_a_peer_pipelines_requests()
    {
        var node = CreateTestProbe();
        var port = await StartAsync(Settings("max-requests-in-flight = 4"), node.Ref, node);
        await using var client = await RawTlsClient.ConnectAsync(port, NewIdentity());

        await client.SendRawAsync(Enumerable.Range(0, 10)
            .SelectMany(i => NetstringFramer.Frame(MessageCodec.Encode(new PingMessage($"p-{i}", client.Identity.Id, 0, "1.0"))))
            .ToArray());
        var first = new List<InboundRequest>();
        for (var i = 0; i < 4; i++)
        {
            first.Add(await node.ExpectMsgAsync<InboundRequest>(Bound));
        }

        await node.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Reply(first[0]);
        var fifth = await node.ExpectMsgAsync<InboundRequest>(Bound);
        await node.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        Assert.Equal(["p-0", "p-1", "p-2", "p-3", "p-4"], first.Append(fifth).Select(r => r.Request.Uuid));
        var received = 5;
        var outstanding = new Queue<InboundRequest>(first.Skip(1).Append(fifth));
        while (outstanding.Count > 0)
        {
            Reply(outstanding.Dequeue());
            if (received < 10)
            {
                outstanding.Enqueue(await node.ExpectMsgAsync<InboundRequest>(Bound));
                received++;
            }
        }

        var pongs = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            pongs.Add(Assert.IsType<PongMessage>(await client.ReceiveAsync()).Uuid);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"p-{i}"), pongs);
    }

    [Fact]
    public async Task Connection_should_stop_reading_and_close_at_write_timeout_when_the_peer_never_reads_its_replies()
    {
        const int requests = 2000;
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var ready = CreateTestProbe();
        var replier = Sys.ActorOf(Props.Create(() => new BigReplier(ready.Ref, 60_000)));
        var port = await StartAsync(
            Settings("max-frame-size = 64 KiB\nmax-item-size = 48 KiB\nmax-requests-in-flight = 10000\noutgoing-high-water = 128 KiB\noutgoing-low-water = 32 KiB\nwrite-timeout = 1s"),
            replier,
            ready);
        await using var attacker = await RawTlsClient.ConnectAsync(port, NewIdentity());

        await attacker.SendRawAsync(Enumerable.Range(0, requests)
            .SelectMany(i => NetstringFramer.Frame(MessageCodec.Encode(new FindValueMessage($"f-{i}", attacker.Identity.Id, 0, "1.0", Key.Zero))))
            .ToArray());

        await warnings.FishForMessageAsync<Warning>(w => w.ToString()!.Contains("write-timeout", StringComparison.Ordinal), Bound);
        var handed = await replier.Ask<int>(BigReplier.Count.Instance, Bound);

        // 2,000 replies of 60 KB are 120 MB; the node took only what the socket buffers and the high-water mark hold.
        Assert.InRange(handed, 1, requests - 1);
        await using var client = await RawTlsClient.ConnectAsync(port, NewIdentity());
        await client.SendAsync(new PingMessage("well-behaved", client.Identity.Id, 0, "1.0"));
        Assert.Equal("well-behaved", Assert.IsType<PongMessage>(await client.ReceiveAsync()).Uuid);
    }

    [Fact]
    public async Task Inbound_request_should_be_marked_abandoned_when_its_connection_closes_before_the_answer()
    {
        var node = CreateTestProbe();
        var port = await StartAsync(Settings(), node.Ref, node);
        var client = await RawTlsClient.ConnectAsync(port, NewIdentity());
        await client.SendAsync(new PingMessage("gone", client.Identity.Id, 0, "1.0"));
        var inbound = await node.ExpectMsgAsync<InboundRequest>(Bound);
        Assert.False(inbound.Abandoned.IsCancellationRequested);
        var abandoned = new TaskCompletionSource();
        inbound.Abandoned.Register(() => abandoned.TrySetResult());

        await client.DisposeAsync();

        await abandoned.Task.WaitAsync(Bound);
        Reply(inbound);
    }

    private static void Reply(InboundRequest inbound) =>
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, new PongMessage("", Key.Zero, 0, "")));

    private static DrogulusSettings Settings(string extra = "") =>
        DrogulusConfig.SettingsFrom($"drogulus {{ transport = \"tls\"\nhandshake-timeout = 30s\nhello-timeout = 30s\n{extra} }}");

    private static NodeIdentity NewIdentity() => NodeIdentity.Generate(DateTimeOffset.UnixEpoch.AddYears(55));

    private async Task<int> StartAsync(DrogulusSettings settings, IActorRef node, TestProbe ready)
    {
        Sys.ActorOf(new TlsTransport().Props(NewIdentity(), settings, node, node));
        return (await ready.ExpectMsgAsync<TransportReady>(Bound)).Port;
    }

    /// <summary>A node that answers every findvalue with a large error reply and a ping with a pong, counting requests.</summary>
    private sealed class BigReplier : ReceiveActor
    {
        private int _count;

        public BigReplier(IActorRef others, int replySize)
        {
            var details = ErrorReply.Details("context", new string('z', replySize));
            Receive<InboundRequest>(inbound =>
            {
                _count++;
                Message body = inbound.Request is PingMessage
                    ? new PongMessage("", Key.Zero, 0, "")
                    : ErrorReply.For(inbound.Request.Uuid, ErrorCode.InternalError, details, Key.Zero, 0);
                inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, body));
            });
            Receive<Count>(_ => Sender.Tell(_count));
            ReceiveAny(others.Forward);
        }

        public sealed record Count
        {
            public static Count Instance { get; } = new();
        }
    }
}
