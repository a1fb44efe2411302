using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Drogulus.FloodBenchmark;

/// <summary>The victim's resident memory (VmRSS) twice a second, kept per window of the admission attack.</summary>
internal sealed class MemorySampler(CliNode victim)
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> _samples = new(StringComparer.Ordinal);

    /// <summary>The window the next samples are kept under.</summary>
    public string Window { get; set; } = "setup";

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            do
            {
                _samples.GetOrAdd(Window, _ => new ConcurrentQueue<long>()).Enqueue(victim.Rss());
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public long Median(string window) => Of(window) is { Count: > 0 } s ? s.Order().ElementAt(s.Count / 2) : 0;

    public long Max(string window) => Of(window) is { Count: > 0 } s ? s.Max() : 0;

    public long Last(string window) => Of(window) is { Count: > 0 } s ? s[^1] : 0;

    private List<long> Of(string window) => _samples.TryGetValue(window, out var samples) ? [.. samples] : [];
}

/// <summary>
/// What the node wrote about its peers while a row ran: its warnings (at most one of a kind per log-warning-interval,
/// the rest counted in a later line), summed by kind. A written line counts one; "(N more KIND warnings ...)" adds N.
/// The kind of a written line is read from its words (the console line does not name it).
/// </summary>
internal static partial class NodeWarnings
{
    public static Dictionary<string, long> Tally(IEnumerable<(DateTimeOffset At, string Line)> lines, DateTimeOffset from, DateTimeOffset to)
    {
        var tally = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (_, line) in lines.Where(l => l.At >= from && l.At <= to))
        {
            if (Report().Match(line) is { Success: true } report)
            {
                Add(report.Groups[2].Value, long.Parse(report.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                continue;
            }

            var kind = KindOf(line);
            Add(kind, 1);
            if (Suppressed().Match(line) is { Success: true } more)
            {
                Add(more.Groups[2].Value, long.Parse(more.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return tally;

        void Add(string kind, long n) => tally[kind] = tally.GetValueOrDefault(kind) + n;
    }

    // The kinds of ConnectionActor.Warnings, from the words of each warning the transport writes.
    private static string KindOf(string line) => line switch
    {
        _ when line.Contains("refused a connection", StringComparison.Ordinal) => "connection-budget",
        _ when line.Contains("hello-timeout", StringComparison.Ordinal) || line.Contains("handshake", StringComparison.OrdinalIgnoreCase) => "handshake",
        _ when line.Contains("frame-timeout", StringComparison.Ordinal) || line.Contains("max-partial-frame-bytes", StringComparison.Ordinal) => "slow-peer",
        _ when line.Contains("rejected", StringComparison.Ordinal) => "rejected-input",
        _ => "other",
    };

    [GeneratedRegex(@"\((\d+) more ([\w-]+) warnings were not written\)")]
    private static partial Regex Suppressed();

    [GeneratedRegex(@": (\d+) more ([\w-]+) warnings in the last")]
    private static partial Regex Report();
}
