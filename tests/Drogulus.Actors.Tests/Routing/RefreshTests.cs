using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Testing;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Routing;

/// <summary>PROTOCOL §10 refresh: every <c>refresh-interval</c>, a findnode lookup for a random id in each stale bucket.</summary>
public sealed class RefreshTests : TestKit
{
    private static readonly TimeSpan OneTick = TimeSpan.FromMilliseconds(1);

    private readonly MemoryNetwork _network = new();
    private readonly RawPeer _peer;

    public RefreshTests()
        : base(VirtualTime.Config)
    {
        _peer = new RawPeer(this, _network, Key.Random(new Random(21)));
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void Refresh_should_send_a_findnode_at_exactly_refresh_interval_when_the_bucket_is_stale()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { refresh-interval = 10m, refresh-timeout = 10m }");
        var node = TestNode.Start(this, _network, settings);
        _peer.Introduce(node.Transport);

        Scheduler.Advance(settings.RefreshInterval - OneTick);
        _peer.Probe.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(OneTick);

        var (find, _) = _peer.ExpectRequest<FindNodeMessage>();
        Assert.Equal(node.Id, find.Node);
        Assert.NotEqual(node.Id, find.Target);
    }

    [Fact]
    public void Refresh_should_leave_a_bucket_alone_until_it_has_gone_untouched_for_refresh_timeout()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { refresh-interval = 10m, refresh-timeout = 30m }");
        var node = TestNode.Start(this, _network, settings);
        _peer.Introduce(node.Transport);

        Scheduler.Advance(settings.RefreshInterval);
        Scheduler.Advance(settings.RefreshInterval);
        _peer.Probe.ExpectNoMsg(VirtualTime.Quiet);
        Scheduler.Advance(settings.RefreshInterval);

        _peer.ExpectRequest<FindNodeMessage>();
    }

    [Fact]
    public void Refresh_should_send_nothing_when_the_routing_table_is_empty()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { refresh-interval = 10m, refresh-timeout = 10m }");
        var node = TestNode.Start(this, _network, settings);

        Scheduler.Advance(settings.RefreshInterval);

        Assert.Equal(0, node.Status().Contacts);
        _peer.Probe.ExpectNoMsg(VirtualTime.Quiet);
    }
}
