using System.Diagnostics.Metrics;

namespace Drogulus.Actors.Diagnostics;

/// <summary>
/// The node's metrics: one <see cref="Meter"/> named <see cref="MeterName"/> ("Drogulus"), with the instruments
/// whose names are the constants below (their units and tags are in the README's table). Subscribe with
/// OpenTelemetry (<c>AddMeter(DrogulusMetrics.MeterName)</c>), <c>dotnet-counters monitor --counters Drogulus</c>
/// or a <see cref="MeterListener"/>.
/// </summary>
/// <remarks>
/// Every measurement carries a <c>node</c> tag, the node id's first 16 hexadecimal digits, because one process
/// may run many nodes (tests, benchmarks, simulations); a process with one node (the command-line node) has
/// one value. Sum over <c>node</c> for a process-wide figure, or keep only the tags you want with an
/// OpenTelemetry view. Counters and histograms are recorded by the node's actors with one call each and cost one
/// flag check when nobody listens; the gauges (items, bytes, connections, contacts, blacklist) are read on the
/// collector's thread from values the actors publish after each message, never from the actors' own state.
/// </remarks>
public static class DrogulusMetrics
{
    /// <summary>Name of the meter (and of the <see cref="DrogulusActivity.SourceName">activity source</see>).</summary>
    public const string MeterName = "Drogulus";

    /// <summary>Requests this node sent, counted when each ends; tags <c>type</c>, <c>outcome</c> (ok, error, timeout, connection_failed).</summary>
    public const string RpcSent = "drogulus.rpc.sent";

    /// <summary>Requests from peers this node answered; tags <c>type</c>, <c>outcome</c> (ok, error).</summary>
    public const string RpcReceived = "drogulus.rpc.received";

    /// <summary>Requests from peers refused with error 10 (rate limit) or 11 (quota); tags <c>type</c>, <c>reason</c> (rate_limited, quota).</summary>
    public const string Refusals = "drogulus.refusals";

    /// <summary>Duration of each lookup in seconds (scheduler time); tags <c>kind</c> (findnode, findvalue), <c>outcome</c>.</summary>
    public const string LookupDuration = "drogulus.lookup.duration";

    /// <summary>Rounds (hop depth) of each lookup; tags as <see cref="LookupDuration"/>.</summary>
    public const string LookupRounds = "drogulus.lookup.rounds";

    /// <summary>RPCs sent by each lookup; tags as <see cref="LookupDuration"/>.</summary>
    public const string LookupRpcs = "drogulus.lookup.rpcs";

    /// <summary>Items held; tag <c>copy</c>: close (among the k closest, or not yet classified) or cached.</summary>
    public const string StoreItems = "drogulus.store.items";

    /// <summary>Bytes held (items counted as msgpack, as the quotas count them); tag <c>copy</c>.</summary>
    public const string StoreBytes = "drogulus.store.bytes";

    /// <summary>TLS connections alive, from dial or accept until the socket is released.</summary>
    public const string Connections = "drogulus.connections";

    /// <summary>Contacts in the routing table.</summary>
    public const string Contacts = "drogulus.routing.contacts";

    /// <summary>Node ids on the blacklist.</summary>
    public const string Blacklisted = "drogulus.blacklist.size";

    /// <summary>Distinct address groups (PROTOCOL §1; exempt addresses not counted) among the routing table's contacts.</summary>
    public const string TableGroups = "drogulus.routing.groups";

    /// <summary>Distinct address groups among the k contacts closest to the node's own id: few of them is an eclipse's symptom (PROTOCOL §8).</summary>
    public const string NeighbourGroups = "drogulus.routing.neighbour_groups";

    /// <summary>1 while the node is a server, 0 while it is a client, not reachable from outside (PROTOCOL §10).</summary>
    public const string Server = "drogulus.reachability.server";

    /// <summary>Items a republish pass stored again at their k closest nodes.</summary>
    public const string RepublishItems = "drogulus.republish.items";

    /// <summary>Stores sent to newcomers that became one of the k closest to an item held here.</summary>
    public const string HandOverStores = "drogulus.handover.stores";

    /// <summary>
    /// Dials whose TLS handshake completed, by <c>redial</c> (the node had completed a dial to that peer before) and
    /// <c>resumed</c> (the session was resumed: no certificate signature or chain work on either end).
    /// </summary>
    public const string TlsDials = "drogulus.tls.dials";

    internal static readonly Meter Meter = new(MeterName, typeof(DrogulusMetrics).Assembly.GetName().Version?.ToString(3));

    internal static readonly Counter<long> RpcsSent =
        Meter.CreateCounter<long>(RpcSent, "{rpc}", "Requests this node sent, counted when each ends, by type and outcome.");

    internal static readonly Counter<long> RpcsReceived =
        Meter.CreateCounter<long>(RpcReceived, "{rpc}", "Requests from peers this node answered, by type and outcome.");

    internal static readonly Counter<long> Refused =
        Meter.CreateCounter<long>(Refusals, "{rpc}", "Requests from peers refused with error 10 (rate_limited) or 11 (quota).");

    internal static readonly Histogram<double> LookupSeconds = Meter.CreateHistogram(
        LookupDuration, "s", "Duration of each lookup.", tags: null, new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        });

    internal static readonly Histogram<int> LookupRoundCount = Meter.CreateHistogram(
        LookupRounds, "{round}", "Rounds (hop depth) of each lookup.", tags: null, new InstrumentAdvice<int>
        {
            HistogramBucketBoundaries = [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20],
        });

    internal static readonly Histogram<int> LookupRpcCount = Meter.CreateHistogram(
        LookupRpcs, "{rpc}", "RPCs sent by each lookup.", tags: null, new InstrumentAdvice<int>
        {
            HistogramBucketBoundaries = [0, 1, 2, 3, 4, 6, 8, 12, 16, 20, 30, 40, 60, 100],
        });

    internal static readonly Counter<long> RepublishedItems =
        Meter.CreateCounter<long>(RepublishItems, "{item}", "Items a republish pass stored again at their k closest nodes.");

    internal static readonly Counter<long> Dials =
        Meter.CreateCounter<long>(TlsDials, "{handshake}", "Dials whose TLS handshake completed, by whether the peer was dialled before (redial) and whether the session was resumed.");

    internal static readonly Counter<long> HandedOver =
        Meter.CreateCounter<long>(HandOverStores, "{store}", "Stores sent to newcomers among the k closest to an item held here.");

    // Read on the collector's thread from the snapshots the nodes publish (see NodeMetrics).
    private static readonly ObservableGauge<long> Items =
        Meter.CreateObservableGauge(StoreItems, () => NodeMetrics.Observe(NodeMetrics.Gauge.Items), "{item}", "Items held, close or cached.");

    private static readonly ObservableGauge<long> Bytes =
        Meter.CreateObservableGauge(StoreBytes, () => NodeMetrics.Observe(NodeMetrics.Gauge.Bytes), "By", "Bytes held, close or cached.");

    private static readonly ObservableGauge<long> Open =
        Meter.CreateObservableGauge(Connections, () => NodeMetrics.Observe(NodeMetrics.Gauge.Connections), "{connection}", "TLS connections alive.");

    private static readonly ObservableGauge<long> Known =
        Meter.CreateObservableGauge(Contacts, () => NodeMetrics.Observe(NodeMetrics.Gauge.Contacts), "{contact}", "Contacts in the routing table.");

    private static readonly ObservableGauge<long> Banned =
        Meter.CreateObservableGauge(Blacklisted, () => NodeMetrics.Observe(NodeMetrics.Gauge.Blacklist), "{node}", "Node ids on the blacklist.");

    private static readonly ObservableGauge<long> Groups =
        Meter.CreateObservableGauge(TableGroups, () => NodeMetrics.Observe(NodeMetrics.Gauge.TableGroups), "{group}", "Address groups among the routing table's contacts (exempt addresses not counted).");

    private static readonly ObservableGauge<long> Neighbours =
        Meter.CreateObservableGauge(NeighbourGroups, () => NodeMetrics.Observe(NodeMetrics.Gauge.NeighbourGroups), "{group}", "Address groups among the k contacts closest to the node's own id (exempt addresses not counted).");

    /// <summary>The observable gauges, so that they are created with the meter (their fields are otherwise unused).</summary>
    private static readonly ObservableGauge<long> Reachable =
        Meter.CreateObservableGauge(Server, () => NodeMetrics.Observe(NodeMetrics.Gauge.Server), "{node}", "1 while the node is a server, 0 while it is a client (not reachable from outside).");

    internal static IReadOnlyList<Instrument> Gauges { get; } = [Items, Bytes, Open, Known, Banned, Reachable, Groups, Neighbours];

}
