using BenchmarkDotNet.Attributes;
using Drogulus.Core.Identity;
using Drogulus.Core.Routing;

namespace Drogulus.Benchmarks;

/// <summary>
/// Closest(target, 20) on a k = 20 table offered 5,000 random contacts. Most of them land in full buckets
/// that cannot split and go to replacement caches, so the table holds about 20 × (log2(5000 / 20) + 1),
/// 175 contacts with this seed in 10 buckets (printed by <see cref="Setup"/>); Closest scans only those.
/// </summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private const int Offered = 5_000;
    private RoutingTable _table = null!;
    private Key[] _targets = [];
    private int _next;

    /// <summary>Fills the table from a fixed seed and prepares random targets.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2024);
        var now = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        _table = new RoutingTable(Key.Random(random), 20, 5, now);
        for (var i = 0; i < Offered; i++)
        {
            _table.Add(new Contact(Key.Random(random), "192.0.2.1", 9000, "1.0", now));
        }

        _targets = Enumerable.Range(0, 1024).Select(_ => Key.Random(random)).ToArray();
        Console.WriteLine($"// RoutingTable: {Offered} offered, Count = {_table.Count}, BucketCount = {_table.BucketCount}");
    }

    /// <summary>The 20 contacts closest to a random target.</summary>
    [Benchmark]
    public IReadOnlyList<Contact> Closest20() => _table.Closest(_targets[_next++ & 1023], 20);
}
