using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;

namespace Drogulus.PeerBench;

/// <summary>
/// What one benchmark phase cost the process besides wall time (issue 13 profiling): TLS handshakes begun
/// (counted from the runtime's <c>System.Net.Security</c> event source, client and server side), CPU time of the
/// whole process, thread-pool work items, managed bytes allocated, lock contentions and GCs. Take a
/// <see cref="Snapshot"/> before and after a phase; <see cref="Per"/> divides the difference by the operations.
/// Dials to peers dialled before, and how many of them resumed their TLS session, come from the nodes' own
/// <c>drogulus.tls.dials</c> counter (issue 21: at least 95 % of reconnections to known peers should resume).
/// </summary>
internal sealed class PhaseProbe : EventListener
{
    private readonly MeterListener _meters = new();
    private long _clientHandshakes;
    private long _serverHandshakes;
    private long _failedHandshakes;
    private long _redials;
    private long _redialsResumed;

    public PhaseProbe()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "drogulus.tls.dials")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var (redial, resumed) = (false, false);
            foreach (var tag in tags)
            {
                redial |= tag is { Key: "redial", Value: true };
                resumed |= tag is { Key: "resumed", Value: true };
            }

            if (redial)
            {
                Interlocked.Add(ref _redials, value);
                if (resumed)
                {
                    Interlocked.Add(ref _redialsResumed, value);
                }
            }
        });
        _meters.Start();
    }

    /// <summary>Handshakes begun by dialling sides so far.</summary>
    public long ClientHandshakes => Interlocked.Read(ref _clientHandshakes);

    /// <summary>One reading of every counter.</summary>
    public Reading Snapshot()
    {
        using var process = Process.GetCurrentProcess();
        return new Reading(
            Interlocked.Read(ref _clientHandshakes),
            Interlocked.Read(ref _serverHandshakes),
            Interlocked.Read(ref _failedHandshakes),
            Interlocked.Read(ref _redials),
            Interlocked.Read(ref _redialsResumed),
            process.TotalProcessorTime.TotalMilliseconds,
            ThreadPool.CompletedWorkItemCount,
            GC.GetTotalAllocatedBytes(precise: false),
            Monitor.LockContentionCount,
            GC.CollectionCount(0),
            GC.CollectionCount(2),
            Stopwatch.GetTimestamp());
    }

    /// <summary>The cost of the phase between two readings, per operation (handshakes and GCs in total as well).</summary>
    public static Dictionary<string, object> Per(Reading before, Reading after, int operations)
    {
        var ops = Math.Max(1, operations);
        var wall = Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp).TotalMilliseconds;
        var cpu = after.CpuMs - before.CpuMs;
        return new Dictionary<string, object>
        {
            ["ops"] = operations,
            ["tls_handshakes"] = after.ClientHandshakes - before.ClientHandshakes,
            ["tls_handshakes_per_op"] = Math.Round((after.ClientHandshakes - before.ClientHandshakes) / (double)ops, 3),
            ["tls_handshakes_failed"] = after.FailedHandshakes - before.FailedHandshakes,
            ["tls_redials"] = after.Redials - before.Redials,
            ["tls_redials_resumed_share"] = after.Redials > before.Redials
                ? Math.Round((after.RedialsResumed - before.RedialsResumed) / (double)(after.Redials - before.Redials), 4)
                : 0,
            ["cpu_ms_per_op"] = Math.Round(cpu / ops, 3),
            ["cpu_cores_busy"] = Math.Round(wall > 0 ? cpu / wall : 0, 2),
            ["threadpool_items_per_op"] = Math.Round((after.WorkItems - before.WorkItems) / (double)ops, 1),
            ["allocated_kb_per_op"] = Math.Round((after.Allocated - before.Allocated) / 1024.0 / ops, 1),
            ["lock_contentions_per_op"] = Math.Round((after.LockContentions - before.LockContentions) / (double)ops, 2),
            ["gen0_gcs"] = after.Gen0 - before.Gen0,
            ["gen2_gcs"] = after.Gen2 - before.Gen2,
        };
    }

    public override void Dispose()
    {
        _meters.Dispose();
        base.Dispose();
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "System.Net.Security")
        {
            EnableEvents(eventSource, EventLevel.Informational);
        }
    }

    // NetSecurityTelemetry: HandshakeStart(bool isServer, string targetHost) = 1, HandshakeStop = 2, HandshakeFailed = 3.
    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        switch (eventData.EventName)
        {
            case "HandshakeStart" when eventData.Payload is { Count: > 0 } payload && payload[0] is true:
                Interlocked.Increment(ref _serverHandshakes);
                break;
            case "HandshakeStart":
                Interlocked.Increment(ref _clientHandshakes);
                break;
            case "HandshakeFailed":
                Interlocked.Increment(ref _failedHandshakes);
                break;
        }
    }

    /// <summary>Counters at one moment.</summary>
    internal sealed record Reading(long ClientHandshakes, long ServerHandshakes, long FailedHandshakes, long Redials, long RedialsResumed, double CpuMs, long WorkItems, long Allocated, long LockContentions, int Gen0, int Gen2, long Timestamp)
    {
        /// <summary>This reading and another process's summed (<c>--processes</c>), at this reading's time.</summary>
        public Reading Plus(Reading other) => new(
            ClientHandshakes + other.ClientHandshakes, ServerHandshakes + other.ServerHandshakes, FailedHandshakes + other.FailedHandshakes,
            Redials + other.Redials, RedialsResumed + other.RedialsResumed,
            CpuMs + other.CpuMs, WorkItems + other.WorkItems, Allocated + other.Allocated, LockContentions + other.LockContentions,
            Gen0 + other.Gen0, Gen2 + other.Gen2, Timestamp);
    }
}
