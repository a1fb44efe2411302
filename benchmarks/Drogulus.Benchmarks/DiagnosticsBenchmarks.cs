using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Drogulus.Actors.Diagnostics;
using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;

namespace Drogulus.Benchmarks;

/// <summary>
/// Issue 12: what the actors' one-line metric and trace calls cost, with nobody listening (the default) and with
/// a <see cref="MeterListener"/> and an <see cref="ActivityListener"/> that take everything.
/// </summary>
[MemoryDiagnoser]
public class DiagnosticsBenchmarks
{
    private readonly PingMessage _ping = new("uuid", default, 0, "1.0");
    private readonly PongMessage _pong = new("uuid", default, 0, "1.0");
    private NodeMetrics _metrics = null!;
    private LocalStore _store = null!;
    private RoutingTable _table = null!;
    private MeterListener? _meterListener;
    private ActivityListener? _activityListener;
    private long _sink;

    /// <summary>Whether a meter listener and an activity listener are subscribed.</summary>
    [Params(false, true)]
    public bool Listening { get; set; }

    /// <summary>A node's metrics, a store of 100 items' worth of index and a table of 100 contacts.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(12);
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var id = Key.Random(random);
        _metrics = NodeMetrics.For(id);
        _store = new LocalStore(new InMemoryItemStore());
        _table = new RoutingTable(id, 20, 5, now);
        for (var i = 0; i < 100; i++)
        {
            _table.Add(new Contact(Key.Random(random), "192.0.2.1", 9000, "1.0", now));
        }

        if (Listening)
        {
            _meterListener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == DrogulusMetrics.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meterListener.SetMeasurementEventCallback<long>((_, value, _, _) => _sink += value);
            _meterListener.Start();
            _activityListener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == DrogulusActivity.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_activityListener);
        }
    }

    /// <summary>Unsubscribes the listeners.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _meterListener?.Dispose();
        _activityListener?.Dispose();
    }

    /// <summary>A request ended (PendingRequests, once per RPC sent).</summary>
    [Benchmark]
    public void RpcSent() => _metrics.RpcSent("findnode", "ok");

    /// <summary>An inbound request answered (routing table or data store, once per RPC received).</summary>
    [Benchmark]
    public void Answered() => _metrics.Answered(_ping, _pong);

    /// <summary>The data store's gauges after each of its messages.</summary>
    [Benchmark]
    public void PublishStore() => _metrics.Publish(_store);

    /// <summary>The routing table's gauges after each of its messages.</summary>
    [Benchmark]
    public void PublishTable() => _metrics.Publish(_table);

    /// <summary>An activity started and stopped (each get, put, lookup and inbound request).</summary>
    [Benchmark]
    public void Activity()
    {
        var activity = DrogulusActivity.Start(DrogulusActivity.Inbound, ActivityKind.Server, _metrics);
        DrogulusActivity.Stop(ref activity, "ok");
    }

    /// <summary>The per-node object looked up by id (each per-request actor does it once).</summary>
    [Benchmark]
    public object Lookup() => NodeMetrics.For(default);
}
