using Akka.Event;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Wire;

using static Drogulus.Actors.Tests.Network.Tls.TlsTestServer;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>PROTOCOL §5: the bytes of half-sent frames are bounded for the whole node (<c>max-partial-frame-bytes</c>).</summary>
public sealed partial class TlsAttackTests
{
    [Fact]
    public async Task Transport_should_close_the_connection_with_the_largest_unfinished_frame_when_half_sent_frames_pass_the_nodes_bound()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));

        // Frames of 128 KiB held in 8 KiB pieces: 100 KiB of one frame holds 104 KiB, 60 KiB holds 64, 50 KiB holds 56.
        // Two of them (168 KiB) fit in 200 KiB; the third passes it, and whatever order their bytes arrive in, the
        // 100 KiB frame is the largest when it does (more than 200 - 64 - 56 = 80 KiB).
        var server = await StartAsync(Settings("max-frame-size = 128 KiB\nmax-partial-frame-bytes = 200 KiB\nlog-warning-interval = 1h"));
        await using var largest = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await using var middle = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await using var smallest = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());

        await largest.SendRawAsync([.. "131072:"u8, .. new byte[100 * 1024]]);
        await middle.SendRawAsync([.. "131072:"u8, .. new byte[60 * 1024]]);
        await smallest.SendRawAsync([.. "131072:"u8, .. new byte[50 * 1024]]);

        Assert.True(await largest.WaitClosedAsync());
        var warning = (await warnings.ExpectMsgAsync<Warning>(Bound)).ToString();
        Assert.Contains("max-partial-frame-bytes", warning, StringComparison.Ordinal);
        Assert.Contains(largest.Identity.Id.ToShortString(), warning, StringComparison.Ordinal);
        await AssertStillAnswersAsync(server);
    }

    [Fact]
    public async Task Transport_should_hand_an_unfinished_frame_to_the_next_connection_when_its_connection_closes()
    {
        // Issue 21 item 4: a closed connection's half-sent frame is not left as garbage; its 8 KiB pieces serve the next
        // connection's frame.
        var pool = new FrameSegmentPool(ConnectionActor.ReadBufferSize, maxIdleBytes: 1024 * 1024);
        var server = await TlsTestServer.StartAsync(this, Settings("max-frame-size = 128 KiB\nlog-warning-interval = 1h"), Bound, pool);
        await using var staying = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        var leaving = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await staying.SendRawAsync([.. "131072:"u8, .. new byte[64 * 1024]]);
        await leaving.SendRawAsync([.. "131072:"u8, .. new byte[64 * 1024]]);
        await AwaitAssertAsync(() => Assert.Equal(128 * 1024, pool.LentBytes), Bound);

        await leaving.DisposeAsync();

        await AwaitAssertAsync(() => Assert.Equal((64 * 1024, 64 * 1024), (pool.LentBytes, pool.IdleBytes)), Bound);
        await using var next = await RawTlsClient.ConnectAsync(server.Port, NewIdentity());
        await next.SendRawAsync([.. "131072:"u8, .. new byte[64 * 1024]]);
        await AwaitAssertAsync(() => Assert.Equal((128 * 1024, 0L), (pool.LentBytes, pool.IdleBytes)), Bound);
        await AssertStillAnswersAsync(server);
    }
}
