using System.Net;
using System.Net.Sockets;
using Akka.Event;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// PROTOCOL §5, admission, and the node's own bound on what waits for it (<c>max-pending-admissions</c>): accepted
/// sockets that wait for admission's answer are bounded, and the next one is closed at once, before any TLS work,
/// without admission hearing of it. Admission is a probe here that never answers, as an actor system that has
/// fallen behind a flood of accepts would not.
/// </summary>
public sealed class PendingAdmissionTests : TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60); // a ceiling: each wait ends with its event

    public PendingAdmissionTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Fact]
    public async Task Transport_should_close_at_once_an_accepted_socket_when_max_pending_admissions_wait_for_admission()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var settings = DrogulusConfig.SettingsFrom("drogulus { transport = \"tls\", max-pending-admissions = 2, log-warning-interval = 1h }");
        var admission = CreateTestProbe();
        var node = CreateTestProbe();
        Sys.ActorOf(TlsTransportActor.Props(NodeIdentity.Generate(Sys.Scheduler.Now), settings, node.Ref, CreateTestProbe().Ref, admission.Ref));
        admission.ExpectMsg<AdmissionActor.Join>(Bound);
        admission.Reply(new AdmissionActor.Joined(16));
        var ready = await node.FishForMessageAsync<TransportReady>(_ => true, Bound);

        using var first = new TcpClient();
        await first.ConnectAsync(IPAddress.Loopback, ready.Port);
        admission.ExpectMsg<AdmissionActor.Admit>(Bound);
        using var second = new TcpClient();
        await second.ConnectAsync(IPAddress.Loopback, ready.Port);
        admission.ExpectMsg<AdmissionActor.Admit>(Bound);

        // Two wait for an answer that does not come: the third is closed, and admission is not asked.
        using var third = new TcpClient();
        var resetAtConnect = false;
        try
        {
            await third.ConnectAsync(IPAddress.Loopback, ready.Port);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            resetAtConnect = true; // the abort came back before the connect's completion was read: closed at once too
        }

        var warning = await warnings.FishForMessageAsync<Warning>(w => w.Message.ToString()!.Contains("max-pending-admissions", StringComparison.Ordinal), Bound);
        Assert.Contains("2 connections already wait for admission", warning.Message.ToString(), StringComparison.Ordinal);
        Assert.True(resetAtConnect || await IsClosedAsync(third));
        admission.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    // The server's abort reaches the client as end of stream or a reset.
    private static async Task<bool> IsClosedAsync(TcpClient client)
    {
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            return await client.GetStream().ReadAsync(new byte[1], timeout.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
