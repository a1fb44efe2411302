namespace Drogulus.LocalNetwork;

/// <summary>What one run measured; printed as a table and optionally written as JSON.</summary>
internal sealed record Report(
    int Nodes,
    int Items,
    string Transport,
    double JoinSeconds,
    int ItemsStored,
    int ItemsFound,
    int FoundLocally,
    double SuccessRate,
    Percentiles RpcsPerGet,
    Percentiles RpcsPerPut,
    Percentiles GetLatencyMs,
    Percentiles PutLatencyMs,
    double MemoryPerNodeKiB,
    UpdateReport? Update);

/// <summary>Median and 99th percentile of a sample.</summary>
internal sealed record Percentiles(double P50, double P99)
{
    public static Percentiles Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return new Percentiles(0, 0);
        }

        var sorted = values.Order().ToArray();
        return new Percentiles(At(sorted, 0.50), At(sorted, 0.99));
    }

    // Nearest-rank percentile: no interpolation, so every figure is an observed value.
    private static double At(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
