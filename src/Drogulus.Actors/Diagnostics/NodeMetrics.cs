using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Drogulus.Actors.Lookup;
using Drogulus.Core.Identity;
using Drogulus.Core.Lookup;
using Drogulus.Core.Routing;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Diagnostics.DrogulusMetrics;

namespace Drogulus.Actors.Diagnostics;

/// <summary>
/// One node's side of <see cref="DrogulusMetrics"/>: its <c>node</c> tag, one-call recorders for its actors, and
/// the values its gauges report. The actors write the gauge values after each message (cheap: no allocation,
/// one uncontended lock for the store's four figures); the collector reads them on its own thread. Counters and
/// histograms check <see cref="Instrument.Enabled"/> first, so that a node nobody watches pays one flag check.
/// </summary>
/// <remarks>
/// One object per node id, shared by the node's actors (<see cref="For"/>). The node actor holds it from its start
/// to its stop (<see cref="Acquire"/>, <see cref="Release"/>); only held nodes are reported by the gauges, so a
/// stopped node disappears from them. Two nodes with one id in one process (a node stopped and started again)
/// share the object.
/// </remarks>
internal sealed class NodeMetrics
{
    private static readonly ConcurrentDictionary<Key, NodeMetrics> Nodes = new();
    private static readonly KeyValuePair<string, object?> Close = new("copy", "close");
    private static readonly KeyValuePair<string, object?> Cached = new("copy", "cached");

    private readonly object _storeGate = new();
    private long _closeItems;
    private long _cachedItems;
    private long _closeBytes;
    private long _cachedBytes;
    private int _connections;
    private int _contacts;
    private int _blacklisted;
    private int _tableGroups;
    private int _neighbourGroups;
    private long _tableChanges = -1; // the routing table's Changes when the two group counts were last computed
    private int _server = -1; // PROTOCOL §10: 1 a server, 0 a client; -1 before the node's first report
    private int _holders;

    private NodeMetrics(Key id) => Tag = new("node", id.ToShortString());

    /// <summary>The gauges <see cref="Observe"/> reports.</summary>
    internal enum Gauge
    {
        Items,
        Bytes,
        Connections,
        Contacts,
        Blacklist,
        Server,
        TableGroups,
        NeighbourGroups,
    }

    /// <summary>The <c>node</c> tag: the first 16 hexadecimal digits of the node id.</summary>
    public KeyValuePair<string, object?> Tag { get; }

    /// <summary>The metrics of node <paramref name="id"/>.</summary>
    public static NodeMetrics For(Key id) => Nodes.GetOrAdd(id, static id => new NodeMetrics(id));

    /// <summary>A node actor starts: its gauges are reported until <see cref="Release"/>.</summary>
    public static NodeMetrics Acquire(Key id)
    {
        lock (Nodes)
        {
            var metrics = For(id);
            metrics._holders++;
            return metrics;
        }
    }

    /// <summary>A node actor stopped.</summary>
    public static void Release(Key id)
    {
        lock (Nodes)
        {
            if (Nodes.TryGetValue(id, out var metrics) && --metrics._holders <= 0)
            {
                Nodes.TryRemove(id, out _);
            }
        }
    }

    /// <summary>A request this node sent ended: <paramref name="outcome"/> is ok, error, timeout or connection_failed.</summary>
    public void RpcSent(string type, string outcome)
    {
        if (RpcsSent.Enabled)
        {
            RpcsSent.Add(1, Tag, new("type", type), new("outcome", outcome));
        }
    }

    /// <summary>A dial of this node completed its TLS handshake (<see cref="DrogulusMetrics.TlsDials"/>).</summary>
    public void DialCompleted(bool redial, bool resumed)
    {
        if (Dials.Enabled)
        {
            Dials.Add(1, Tag, new("redial", redial), new("resumed", resumed));
        }
    }

    /// <summary>This node answered <paramref name="request"/> with <paramref name="reply"/>.</summary>
    public void Answered(Message request, Message reply) => Answered(request, (reply as ErrorMessage)?.Code);

    /// <summary>This node answered <paramref name="request"/>, with the error <paramref name="error"/> or without one.</summary>
    public void Answered(Message request, ErrorCode? error)
    {
        if (RpcsReceived.Enabled)
        {
            RpcsReceived.Add(1, Tag, new("type", request.WireName), new("outcome", error is null ? "ok" : "error"));
        }

        if (Refused.Enabled && error is ErrorCode.Busy or ErrorCode.StorageFull)
        {
            Refused.Add(1, Tag, new("type", request.WireName), new("reason", error is ErrorCode.Busy ? "rate_limited" : "quota"));
        }
    }

    /// <summary>A lookup ended with <paramref name="result"/>.</summary>
    public void LookupFinished(LookupKind kind, LookupActor.Result result)
    {
        if (!LookupSeconds.Enabled && !LookupRoundCount.Enabled && !LookupRpcCount.Enabled)
        {
            return;
        }

        var kindTag = new KeyValuePair<string, object?>("kind", kind == LookupKind.FindNode ? "findnode" : "findvalue");
        var outcome = new KeyValuePair<string, object?>("outcome", Outcome(result));
        LookupSeconds.Record(result.Stats.Duration.TotalSeconds, Tag, kindTag, outcome);
        LookupRoundCount.Record(result.Stats.Rounds, Tag, kindTag, outcome);
        LookupRpcCount.Record(result.Stats.RpcsSent, Tag, kindTag, outcome);
    }

    /// <summary>A republish pass hands <paramref name="items"/> items to the node's put.</summary>
    public void Republished(int items)
    {
        if (items > 0 && RepublishedItems.Enabled)
        {
            RepublishedItems.Add(items, Tag);
        }
    }

    /// <summary><paramref name="stores"/> stores go to a newcomer.</summary>
    public void HandingOver(int stores)
    {
        if (stores > 0 && HandedOver.Enabled)
        {
            HandedOver.Add(stores, Tag);
        }
    }

    /// <summary>Publishes what <paramref name="store"/> holds, for the gauges (the four figures together, under a lock, when they changed).</summary>
    public void Publish(LocalStore store)
    {
        long cachedItems = store.CachedCount, cachedBytes = store.CachedBytes;
        long closeItems = store.Count - cachedItems, closeBytes = store.TotalBytes - cachedBytes;
        if (closeItems == _closeItems && cachedItems == _cachedItems && closeBytes == _closeBytes && cachedBytes == _cachedBytes)
        {
            return;
        }

        lock (_storeGate)
        {
            (_closeItems, _cachedItems, _closeBytes, _cachedBytes) = (closeItems, cachedItems, closeBytes, cachedBytes);
        }
    }

    /// <summary>Publishes the size of <paramref name="table"/> and of its blacklist, for the gauges.</summary>
    public void Publish(RoutingTable table)
    {
        Volatile.Write(ref _contacts, table.Count);
        Volatile.Write(ref _blacklisted, table.BlacklistedIds.Count);

        // The group counts (PROTOCOL §8, an eclipse's symptom) need the k closest: recomputed only when the
        // buckets' members changed, not after every message the routing actor handles.
        if (table.Changes != _tableChanges)
        {
            _tableChanges = table.Changes;
            var diversity = NeighbourhoodDiversity.Of(table);
            Volatile.Write(ref _tableGroups, diversity.TableGroups);
            Volatile.Write(ref _neighbourGroups, diversity.NeighbourGroups);
        }
    }

    /// <summary>Whether the node is a server (it advertises its port) or a client (PROTOCOL §10), for the gauge.</summary>
    public void PublishReachability(bool isServer) => Volatile.Write(ref _server, isServer ? 1 : 0);

    /// <summary>A TLS connection actor started.</summary>
    public void ConnectionOpened() => Interlocked.Increment(ref _connections);

    /// <summary>A TLS connection actor stopped.</summary>
    public void ConnectionClosed() => Interlocked.Decrement(ref _connections);

    /// <summary>The current values of <paramref name="gauge"/>, one per node held (on the collector's thread).</summary>
    internal static IEnumerable<Measurement<long>> Observe(Gauge gauge)
    {
        foreach (var node in Nodes.Values)
        {
            if (Volatile.Read(ref node._holders) <= 0)
            {
                continue;
            }

            switch (gauge)
            {
                case Gauge.Items or Gauge.Bytes:
                    long close, cached;
                    lock (node._storeGate)
                    {
                        (close, cached) = gauge == Gauge.Items ? (node._closeItems, node._cachedItems) : (node._closeBytes, node._cachedBytes);
                    }

                    yield return new Measurement<long>(close, node.Tag, Close);
                    yield return new Measurement<long>(cached, node.Tag, Cached);
                    break;
                case Gauge.Connections:
                    yield return new Measurement<long>(Volatile.Read(ref node._connections), node.Tag);
                    break;
                case Gauge.Contacts:
                    yield return new Measurement<long>(Volatile.Read(ref node._contacts), node.Tag);
                    break;
                case Gauge.TableGroups:
                    yield return new Measurement<long>(Volatile.Read(ref node._tableGroups), node.Tag);
                    break;
                case Gauge.NeighbourGroups:
                    yield return new Measurement<long>(Volatile.Read(ref node._neighbourGroups), node.Tag);
                    break;
                case Gauge.Server:
                    if (Volatile.Read(ref node._server) is var server and >= 0)
                    {
                        yield return new Measurement<long>(server, node.Tag);
                    }

                    break;
                default:
                    yield return new Measurement<long>(Volatile.Read(ref node._blacklisted), node.Tag);
                    break;
            }
        }
    }

    /// <summary>The <c>outcome</c> tag of a lookup's result.</summary>
    internal static string Outcome(LookupActor.Result result) => result.Succeeded ? "succeeded" : result.Failure switch
    {
        LookupFailure.RoutingTableEmpty => "routing_table_empty",
        LookupFailure.ValueNotFound => "value_not_found",
        LookupFailure.NoPeerAnswered => "no_peer_answered",
        LookupFailure.Timeout => "timeout",
        LookupFailure.Aborted => "aborted",
        _ => "failed",
    };
}
