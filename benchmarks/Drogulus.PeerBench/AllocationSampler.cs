using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Drogulus.PeerBench;

/// <summary>
/// Which types a phase allocates (issue 13 profiling, <c>--alloc-types</c>): the runtime's GC allocation ticks, one
/// event per ~100 KB allocated, counted by the type of the object that crossed the tick. A sample, not an exact count:
/// the share of ticks estimates a type's share of the bytes.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _ticks = new();
    private volatile bool _counting;

    /// <summary>Starts counting (the events flow from creation; only counted ones matter).</summary>
    public void Start()
    {
        _ticks.Clear();
        _counting = true;
    }

    /// <summary>Stops counting and returns the types by share of ticks, largest first.</summary>
    public IReadOnlyList<(string Type, double Share)> Stop()
    {
        _counting = false;
        var total = Math.Max(1, _ticks.Values.Sum());
        return _ticks.OrderByDescending(p => p.Value).Select(p => (p.Key, p.Value / (double)total)).ToList();
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_counting || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
        {
            return;
        }

        var index = eventData.PayloadNames.IndexOf("TypeName");
        var type = index >= 0 ? eventData.Payload?[index] as string ?? "?" : "?";
        _ticks.AddOrUpdate(type, 1, (_, n) => n + 1);
    }
}
