using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

using static Drogulus.Actors.Tests.Network.Tls.TlsTestServer;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// The budget shared by the nodes of one process (process-max-connections), running out of file descriptors, and
/// reaching a peer again after closing its connection to stay in budget (PROTOCOL §5, issue 9).
/// </summary>
public sealed class TlsBudgetTests : TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60); // a ceiling: each wait ends with its event

    public TlsBudgetTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Fact]
    public async Task Transport_should_close_its_connection_idle_longest_when_the_process_budget_is_full()
    {
        var server = await StartAsync(Settings("process-max-connections = 2"));
        await using var first = await ConnectAndPingAsync(server, "first");
        await using var second = await ConnectAndPingAsync(server, "second");

        await using var third = await ConnectAndPingAsync(server, "third");

        Assert.True(await first.WaitClosedAsync());
        await AwaitConditionAsync(async () => (await AdmissionAsync()).Count == 2, Bound);
    }

    [Fact]
    public async Task Transport_below_its_fair_share_should_accept_when_the_process_budget_is_full_and_the_node_holding_most_should_close_its_idlest()
    {
        var big = await StartAsync(Settings("process-max-connections = 2"));
        var small = await StartAsync(Settings()); // two nodes in the process: each one's share is 1 of the 2
        await using var first = await ConnectAndPingAsync(big, "first");
        await using var second = await ConnectAndPingAsync(big, "second");

        await using var newcomer = await ConnectAndPingAsync(small, "newcomer");

        Assert.True(await first.WaitClosedAsync());
        await AwaitConditionAsync(async () => (await AdmissionAsync()).Count == 2, Bound);
        Assert.Equal(1, await big.Transport.Ask<int>(GetConnectionCount.Instance, Bound));
    }

    [Fact]
    public async Task Transport_should_refuse_an_accept_and_fail_a_dial_when_the_process_budget_is_full_of_busy_connections()
    {
        var server = await StartAsync(Settings("process-max-connections = 2"));
        await server.AssertFullOfBusyConnectionsAsync(this, 2, "process-max-connections", Bound);

        await using var welcome = await ConnectAndPingAsync(server, "welcome");
    }

    [Fact]
    public async Task Node_should_reach_a_peer_again_when_it_closed_the_connection_to_it_to_stay_in_budget()
    {
        // Honest peers that are only slow when the machine is busy (its first ping ran past the 5 s default once).
        var a = await StartAsync(Settings("max-connections = 1\nrequest-timeout = 30s"));
        var b = await StartAsync(Settings("request-timeout = 30s"));
        var requester = CreateTestProbe();
        var toB = new PeerAddress("127.0.0.1", b.Port, b.Identity.Id);
        a.Transport.Tell(new SendRequest(toB, new PingMessage("", Key.Zero, 0, ""), requester.Ref));
        Pong(await b.Node.FishForMessageAsync<InboundRequest>(_ => true, Bound));
        await requester.ExpectMsgAsync<RpcReplied>(Bound);

        // A stranger takes a's only place: a closes its connection to b, idle longest.
        await using var stranger = await ConnectAndPingAsync(a, "stranger");
        await AwaitConditionAsync(async () => await b.Transport.Ask<int>(GetConnectionCount.Instance, Bound) == 0, Bound);

        a.Transport.Tell(new SendRequest(toB, new PingMessage("", Key.Zero, 0, ""), requester.Ref));
        Pong(await b.Node.FishForMessageAsync<InboundRequest>(_ => true, Bound));

        Assert.Equal(b.Identity.Id, (await requester.ExpectMsgAsync<RpcReplied>(Bound)).Peer.Id);
        Assert.True(await stranger.WaitClosedAsync());
    }

    [Fact]
    public async Task Transport_should_close_idle_connections_keep_busy_ones_and_refuse_accepts_when_the_process_runs_out_of_descriptors()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var server = await StartAsync(Settings("rebind.max-backoff = 1h"));
        await using var idle = await ConnectAndPingAsync(server, "idle");
        await using var busy = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await busy.SendAsync(new PingMessage("busy", busy.Identity.Id, 0, "1.0"));
        var pending = await server.Node.FishForMessageAsync<InboundRequest>(r => r.Request.Uuid == "busy", Bound);

        // Akka.IO's listener warns once per failed accept, every 10 ms: the first warning is acted on, the rest are not.
        server.Transport.Tell(ListenerAlarm.OutOfDescriptors.Instance);
        server.Transport.Tell(ListenerAlarm.OutOfDescriptors.Instance);

        Assert.True(await idle.WaitClosedAsync());
        var warning = await warnings.FishForMessageAsync<Warning>(w => w.Message.ToString()!.Contains("out of file descriptors", StringComparison.Ordinal), Bound);
        Assert.Contains("closed 1 idle connections", warning.Message.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, (await AdmissionAsync()).Limit);
        Pong(pending);
        Assert.Equal("busy", Assert.IsType<PongMessage>(await busy.ReceiveAsync()).Uuid);

        // The budget is now what is open and the process is short of descriptors: a newcomer is refused at once rather
        // than taking the place of the connection idle longest (each accept would spend a freed descriptor).
        await Assert.ThrowsAnyAsync<Exception>(async () => await ConnectAndPingAsync(server, "newcomer"));
        await busy.SendAsync(new PingMessage("still", busy.Identity.Id, 0, "1.0"));
        Pong(await server.Node.FishForMessageAsync<InboundRequest>(r => r.Request.Uuid == "still", Bound));
        Assert.Equal("still", Assert.IsType<PongMessage>(await busy.ReceiveAsync()).Uuid);
        var later = warnings.ReceiveWhile(TimeSpan.FromMilliseconds(300), m => (Warning)m);
        Assert.DoesNotContain(later, w => w.Message.ToString()!.Contains("out of file descriptors", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Transport_should_stop_accepting_and_accept_again_when_the_process_runs_out_of_descriptors_and_no_connection_is_idle()
    {
        var server = await StartAsync(Settings("rebind.min-backoff = 1h\nrebind.max-backoff = 1h"));
        await using var busy = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await busy.SendAsync(new PingMessage("busy", busy.Identity.Id, 0, "1.0"));
        await server.Node.FishForMessageAsync<InboundRequest>(r => r.Request.Uuid == "busy", Bound);

        server.Transport.Tell(ListenerAlarm.OutOfDescriptors.Instance);
        await AwaitConditionAsync(() => RefusedAsync(server.Port), Bound, TimeSpan.FromMilliseconds(50));

        // The pause's timer (rebind.min-backoff, an hour here) fires now.
        server.Transport.Tell(TlsTransportActor.ResumeAccepting.Instance);
        await AwaitConditionAsync(async () => !await RefusedAsync(server.Port), Bound, TimeSpan.FromMilliseconds(50)); // bound again
        await using var after = await ConnectAndPingAsync(server, "after");
    }

    [Fact]
    public async Task Connection_should_fail_at_once_the_requests_beyond_max_requests_in_flight_that_wait_for_it_to_open()
    {
        // A listener that accepts and never handshakes: the connection stays opening.
        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var transport = (await StartAsync(Settings("max-requests-in-flight = 2\nhandshake-timeout = 1h\nrequest-timeout = 1h"))).Transport;
            var requester = CreateTestProbe();
            var to = new PeerAddress("127.0.0.1", ((System.Net.IPEndPoint)silent.LocalEndpoint).Port, Key.Random(new Random(5)));

            for (var i = 0; i < 3; i++)
            {
                transport.Tell(new SendRequest(to, new PingMessage("", Key.Zero, 0, ""), requester.Ref));
            }

            var failed = await requester.ExpectMsgAsync<RpcFailed>(Bound);
            Assert.Contains("max-requests-in-flight", failed.Reason, StringComparison.Ordinal);
            await requester.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public void ListenerAlarm_should_tell_the_owner_only_when_akka_io_listener_warns_it_is_out_of_descriptors()
    {
        var listener = CreateTestProbe();
        var transport = CreateTestProbe();
        var listenerClass = typeof(Tcp).Assembly.GetType("Akka.IO.TcpListener", throwOnError: true)!;
        var alarm = ListenerAlarm.Get(Sys);
        alarm.Register(listener.Ref, transport.Ref);

        Sys.EventStream.Publish(new Warning(listener.Ref.Path.ToString(), listenerClass, "Retriable socket error in TcpListener: ConnectionAborted - retrying accept operation in 10ms"));
        Sys.EventStream.Publish(new Warning(CreateTestProbe().Ref.Path.ToString(), listenerClass, "Retriable socket error in TcpListener: TooManyOpenSockets - retrying accept operation in 10ms"));
        Sys.EventStream.Publish(new Warning(listener.Ref.Path.ToString(), typeof(TlsBudgetTests), "TooManyOpenSockets"));
        Sys.EventStream.Publish(new Warning(listener.Ref.Path.ToString(), listenerClass, "Retriable socket error in TcpListener: TooManyOpenSockets - retrying accept operation in 10ms"));

        transport.ExpectMsg<ListenerAlarm.OutOfDescriptors>();
        transport.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    private static async Task<bool> RefusedAsync(int port)
    {
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port);
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private async Task<RawTlsClient> ConnectAndPingAsync(TlsTestServer server, string uuid)
    {
        var client = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await client.SendAsync(new PingMessage(uuid, client.Identity.Id, 0, "1.0"));
        Pong(await server.Node.FishForMessageAsync<InboundRequest>(r => r.Request.Uuid == uuid, Bound));
        Assert.Equal(uuid, Assert.IsType<PongMessage>(await client.ReceiveAsync()).Uuid);
        return client;
    }

    private static void Pong(InboundRequest inbound) =>
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, new PongMessage("", Key.Zero, 0, "")));

    private Task<AdmissionActor.State> AdmissionAsync() =>
        AdmissionExtension.Get(Sys).Ask<AdmissionActor.State>(AdmissionActor.GetState.Instance, Bound);

    private Task<TlsTestServer> StartAsync(DrogulusSettings settings) => TlsTestServer.StartAsync(this, settings, Bound);
}
