using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Diagnostics;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Tests.Diagnostics;

/// <summary>Issue 12: the Drogulus meter counts what real nodes do on the memory network.</summary>
public sealed class DrogulusMetricsTests : TestKit
{
    public DrogulusMetricsTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Fact]
    public void Rpc_counters_should_count_ping_store_and_findvalue_by_type_and_outcome_when_nodes_join_put_and_get()
    {
        var identities = DiagnosticsNetwork.Identities(this, 3);
        using var metrics = new MetricsRecorder(identities.Select(i => i.Id).ToArray());
        var net = DiagnosticsNetwork.Start(this, identities);
        var (seed, holder, putter, getter) = (net.Ids[0], net.Ids[net.Holder], net.Ids[net.Putter], net.Ids[net.Getter]);

        net.Put();
        net.Get();
        net.Status(net.Holder);

        // Each joiner pinged the seed, which answered.
        Assert.True(metrics.Sum(DrogulusMetrics.RpcSent, net.Ids[1], ("type", "ping"), ("outcome", "ok")) >= 1);
        Assert.True(metrics.Sum(DrogulusMetrics.RpcSent, net.Ids[2], ("type", "ping"), ("outcome", "ok")) >= 1);
        Assert.True(metrics.Sum(DrogulusMetrics.RpcReceived, seed, ("type", "ping"), ("outcome", "ok")) >= 2);

        // The put's one store went from the putter to the holder; the get's findvalue from the getter to the holder.
        Assert.Equal(1, metrics.Sum(DrogulusMetrics.RpcSent, putter, ("type", "store"), ("outcome", "ok")));
        Assert.True(metrics.Sum(DrogulusMetrics.RpcReceived, holder, ("type", "store"), ("outcome", "ok")) >= 1);
        Assert.True(metrics.Sum(DrogulusMetrics.RpcSent, getter, ("type", "findvalue"), ("outcome", "ok")) >= 1);
        Assert.Equal(1, metrics.Sum(DrogulusMetrics.RpcReceived, holder, ("type", "findvalue"), ("outcome", "ok")));

        Assert.All(net.Ids, id => Assert.Equal(0, metrics.Count(DrogulusMetrics.RpcSent, id, ("outcome", "timeout"))));
        Assert.All(net.Ids, id => Assert.Equal(0, metrics.Count(DrogulusMetrics.Refusals, id)));
    }

    [Fact]
    public void Lookup_histograms_should_record_one_findvalue_lookup_with_its_rpcs_and_rounds_when_a_get_misses_locally()
    {
        var identities = DiagnosticsNetwork.Identities(this, 3);
        using var metrics = new MetricsRecorder(identities.Select(i => i.Id).ToArray());
        var net = DiagnosticsNetwork.Start(this, identities);
        net.Put();

        var found = net.Get();

        var getter = net.Ids[net.Getter];
        var tags = new[] { ("kind", "findvalue"), ("outcome", "succeeded") };
        Assert.Equal([(double)found.Stats.RpcsSent], metrics.Values(DrogulusMetrics.LookupRpcs, getter, tags));
        Assert.Equal([(double)found.Stats.Rounds], metrics.Values(DrogulusMetrics.LookupRounds, getter, tags));
        Assert.Equal([found.Stats.Duration.TotalSeconds], metrics.Values(DrogulusMetrics.LookupDuration, getter, tags));
        Assert.True(found.Stats.RpcsSent >= 1);
        Assert.True(metrics.Count(DrogulusMetrics.LookupDuration, net.Ids[net.Putter], ("kind", "findnode"), ("outcome", "succeeded")) >= 1);
    }

    [Fact]
    public void Gauges_should_report_items_bytes_and_contacts_of_each_node_until_it_stops()
    {
        var identities = DiagnosticsNetwork.Identities(this, 3);
        using var metrics = new MetricsRecorder(identities.Select(i => i.Id).ToArray());
        var net = DiagnosticsNetwork.Start(this, identities);
        var holder = net.Ids[net.Holder];
        net.Put();
        var status = net.Status(net.Holder);

        metrics.Observe();

        Assert.Equal(1, metrics.Sum(DrogulusMetrics.StoreItems, holder, ("copy", "close")));
        Assert.Equal(0, metrics.Sum(DrogulusMetrics.StoreItems, holder, ("copy", "cached")));
        Assert.Equal(ItemSize.Of(net.Item), metrics.Sum(DrogulusMetrics.StoreBytes, holder, ("copy", "close")));
        Assert.Equal(status.Contacts, metrics.Sum(DrogulusMetrics.Contacts, holder));
        Assert.True(status.Contacts >= 1);
        Assert.Equal(0, metrics.Sum(DrogulusMetrics.Blacklisted, holder));
        Assert.Equal(0, metrics.Sum(DrogulusMetrics.Connections, holder)); // the memory network has no connections

        Watch(net.Nodes[net.Holder]);
        Sys.Stop(net.Nodes[net.Holder]);
        ExpectTerminated(net.Nodes[net.Holder]);
        metrics.Observe();

        Assert.Equal(0, metrics.Count(DrogulusMetrics.StoreItems, holder));
        Assert.Equal(1, metrics.Count(DrogulusMetrics.Contacts, net.Ids[net.Putter]));
    }

    [Fact]
    public async Task Group_gauges_should_report_the_address_groups_of_the_table_and_of_the_neighbourhood_as_the_health_does()
    {
        // Four nodes behind the seed, two in each of two /24 groups: the seed knows four contacts in two groups.
        var identities = DiagnosticsNetwork.Identities(this, 5);
        var groupOf = identities.Select((identity, i) => (identity.Id, i)).ToDictionary(x => x.Id, x => x.i);
        using var metrics = new MetricsRecorder(identities.Select(i => i.Id).ToArray());
        var net = DiagnosticsNetwork.Start(this, identities, addressFor: id => groupOf[id] == 0 ? null : new System.Net.IPAddress([198, 18, (byte)(groupOf[id] % 2), (byte)groupOf[id]]));
        var status = net.Status(0);
        var health = await net.Nodes[0].Ask<NodeHealth>(GetNodeHealth.Instance, TimeSpan.FromSeconds(60));

        metrics.Observe();

        var seed = net.Ids[0];
        Assert.Equal(4, status.Contacts);
        Assert.Equal(2, metrics.Sum(DrogulusMetrics.TableGroups, seed));
        Assert.Equal(2, metrics.Sum(DrogulusMetrics.NeighbourGroups, seed));
        Assert.Equal(health.AddressGroups, metrics.Sum(DrogulusMetrics.TableGroups, seed));
        Assert.Equal(health.NeighbourGroups, metrics.Sum(DrogulusMetrics.NeighbourGroups, seed));
        Assert.All(net.Ids.Skip(1), id => Assert.True(metrics.Sum(DrogulusMetrics.TableGroups, id) >= 2));
    }

    [Fact]
    public void Refusals_should_count_a_quota_refusal_when_a_store_is_past_max_items_per_publisher()
    {
        var identities = DiagnosticsNetwork.Identities(this, 3);
        using var metrics = new MetricsRecorder(identities.Select(i => i.Id).ToArray());
        var net = DiagnosticsNetwork.Start(this, identities, "drogulus { k = 4, max-items-per-publisher = 1 }");
        net.Put();

        net.Nodes[net.Putter].Tell(new Put(net.Another("second-" + Guid.NewGuid().ToString("N")), Duplicate: 3), TestActor);
        var put = ExpectMsg<PutCompleted>();
        net.Status(net.Holder);

        var holder = net.Ids[net.Holder];
        Assert.Contains(put.Outcomes, o => o.NodeId == holder && o.ErrorCode == (int)ErrorCode.StorageFull);
        Assert.Equal(1, metrics.Sum(DrogulusMetrics.Refusals, holder, ("type", "store"), ("reason", "quota")));
        Assert.Equal(1, metrics.Sum(DrogulusMetrics.RpcReceived, holder, ("type", "store"), ("outcome", "error")));
        Assert.True(metrics.Sum(DrogulusMetrics.RpcSent, net.Ids[net.Putter], ("type", "store"), ("outcome", "error")) >= 1);
    }

    [Fact]
    public void Refusals_should_count_a_rate_limited_request_when_an_address_is_over_its_rate()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { rate-limit { requests-per-second = 1, burst = 1 }\n rate-limit-exempt = [] }");
        var own = Key.Random(new Random(12));
        using var metrics = new MetricsRecorder(own);
        var table = new RoutingTable(own, settings.K, settings.AllowedRpcFails, Sys.Scheduler.Now);
        var routing = Sys.ActorOf(RoutingTableActor.Props(table, settings, CreateTestProbe().Ref, new Random(1)));
        var connection = CreateTestProbe();
        var from = new PeerInfo(Key.Random(new Random(13)), "10.0.0.9", 4000, ProtocolVersion.Current);

        routing.Tell(new InboundRequest(from, new PingMessage("first", from.Id, 4000, ProtocolVersion.Current), connection.Ref));
        routing.Tell(new InboundRequest(from, new PingMessage("second", from.Id, 4000, ProtocolVersion.Current), connection.Ref));

        Assert.IsType<PongMessage>(connection.ExpectMsg<SendReply>().Body);
        Assert.Equal(ErrorCode.Busy, Assert.IsType<ErrorMessage>(connection.ExpectMsg<SendReply>().Body).Code);
        routing.Tell(RoutingTableActor.GetRoutingStatus.Instance); // the actor counts the refusal after its answer went out
        ExpectMsg<RoutingTableActor.RoutingStatus>();
        Assert.Equal(1, metrics.Sum(DrogulusMetrics.Refusals, own, ("type", "ping"), ("reason", "rate_limited")));
        Assert.Equal(1, metrics.Sum(DrogulusMetrics.RpcReceived, own, ("type", "ping"), ("outcome", "ok")));
        Assert.Equal(1, metrics.Sum(DrogulusMetrics.RpcReceived, own, ("type", "ping"), ("outcome", "error")));
    }
}
