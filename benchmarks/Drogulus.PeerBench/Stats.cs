namespace Drogulus.PeerBench;

/// <summary>Latency and count summaries in the peer scripts' shape: n, mean, p50, p90, p99, max.</summary>
internal static class Stats
{
    /// <summary>The peers' <c>summary()</c>: percentile p is the sorted value at floor(p/100 × n), rounded to 2 places.</summary>
    public static Dictionary<string, double> Summary(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return new Dictionary<string, double> { ["n"] = 0 };
        }

        var sorted = values.Order().ToArray();
        return new Dictionary<string, double>
        {
            ["n"] = sorted.Length,
            ["mean"] = Math.Round(sorted.Average(), 2),
            ["p50"] = Math.Round(Percentile(sorted, 50), 2),
            ["p90"] = Math.Round(Percentile(sorted, 90), 2),
            ["p99"] = Math.Round(Percentile(sorted, 99), 2),
            ["max"] = Math.Round(sorted[^1], 2),
        };
    }

    /// <summary>The same percentile rule as the peer scripts.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(p / 100 * sorted.Length))];

    /// <summary>The median of a few run results.</summary>
    public static double Median(IReadOnlyCollection<double> values) => Percentile(values.Order().ToArray(), 50);
}
