using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Drogulus.Actors.Diagnostics;
using Drogulus.Core.Identity;

namespace Drogulus.Actors.Tests.Diagnostics;

/// <summary>
/// Listens to the Drogulus meter and keeps the measurements of the nodes it is told about (other specs run their
/// own nodes in parallel in this process; their measurements are ignored by node tag).
/// </summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly HashSet<string> _nodes;
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string> Tags)> _measurements = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string> Tags)> _gauges = new();

    public MetricsRecorder(params Key[] nodes)
    {
        _nodes = nodes.Select(Tag).ToHashSet(StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DrogulusMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The node tag of <paramref name="id"/>.</summary>
    public static string Tag(Key id) => id.ToShortString();

    /// <summary>Sum of the measurements of <paramref name="instrument"/> for <paramref name="node"/> whose tags include <paramref name="tags"/>.</summary>
    public double Sum(string instrument, Key node, params (string Key, string Value)[] tags) =>
        Matching(instrument, node, tags).Sum(m => m.Value);

    /// <summary>How many measurements of <paramref name="instrument"/> for <paramref name="node"/> match <paramref name="tags"/>.</summary>
    public int Count(string instrument, Key node, params (string Key, string Value)[] tags) =>
        Matching(instrument, node, tags).Count();

    /// <summary>Every value of <paramref name="instrument"/> for <paramref name="node"/> matching <paramref name="tags"/>.</summary>
    public IReadOnlyList<double> Values(string instrument, Key node, params (string Key, string Value)[] tags) =>
        Matching(instrument, node, tags).Select(m => m.Value).ToArray();

    /// <summary>Reads the observable gauges once; their values replace those of the previous reading.</summary>
    public void Observe()
    {
        _gauges.Clear();
        _listener.RecordObservableInstruments();
    }

    public void Dispose() => _listener.Dispose();

    private IEnumerable<(string Instrument, double Value, Dictionary<string, string> Tags)> Matching(string instrument, Key node, (string Key, string Value)[] tags) =>
        _measurements.Concat(_gauges).Where(m => m.Instrument == instrument
            && m.Tags.TryGetValue("node", out var n) && n == Tag(node)
            && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value));

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // Other specs' nodes measure too, while this listener lives: drop theirs before copying anything.
        var ours = false;
        foreach (var tag in tags)
        {
            ours |= tag.Key == "node" && tag.Value is string node && _nodes.Contains(node);
        }

        if (!ours)
        {
            return;
        }

        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString() ?? "";
        }

        (instrument.IsObservable ? _gauges : _measurements).Enqueue((instrument.Name, value, copy));
    }
}
