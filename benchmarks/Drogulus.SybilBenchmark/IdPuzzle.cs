using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Drogulus.Core.Identity;

namespace Drogulus.SybilBenchmark;

/// <summary>
/// What an id puzzle would buy against Sybils that each have their own address group (the case the group rules
/// cannot bound): S/Kademlia's static puzzle (Baumgart and Mies 2007, section 4.2) accepts a node id only when
/// SHA-512 of the id begins with c zero bits, so every valid id costs 2^c key pairs on average, to an honest
/// node once at its first start and to an attacker for every Sybil. The protocol has no such rule (PROTOCOL §2:
/// an id is SHA-512 of the certificate's key); this is an experiment, measured in CPU time so that a busy
/// machine does not change it: the cost of one try (a P-256 key pair, its SubjectPublicKeyInfo, two SHA-512),
/// an honest start solved for real, and the attacker's cost from a model that an actual grind checks.
/// </summary>
internal static class IdPuzzle
{
    /// <summary>One try as a node would make it: a new key, its id (PROTOCOL §2) and the puzzle's hash of the id.</summary>
    public static (Key Id, int Zeros) Try()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var id = Key.Hash(key.ExportSubjectPublicKeyInfo());
        Span<byte> puzzle = stackalloc byte[Key.Length];
        SHA512.HashData(id.ToArray(), puzzle);
        return (id, LeadingZeroBits(puzzle));
    }

    /// <summary>The number of zero bits at the start of <paramref name="bytes"/>.</summary>
    public static int LeadingZeroBits(ReadOnlySpan<byte> bytes)
    {
        var zeros = 0;
        foreach (var b in bytes)
        {
            if (b != 0)
            {
                return zeros + System.Numerics.BitOperations.LeadingZeroCount((uint)b) - 24;
            }

            zeros += 8;
        }

        return zeros;
    }

    /// <summary>
    /// Valid ids an attacker needs so that <paramref name="sybils"/> of the k closest to one key are its own, in a
    /// network of <paramref name="nodes"/> honest nodes with random ids: each Sybil must fall closer to the key than
    /// the (k − s + 1)-th closest honest node, a share of about (k − s + 1) / N of the id space.
    /// </summary>
    public static double ValidIdsForSybils(int nodes, int k, int sybils) => (double)sybils * nodes / (k - sybils + 1);

    /// <summary>Runs the experiment for each puzzle size and prints (and returns) the table.</summary>
    public static PuzzleResult Run(int[] bits, int nodes, int k, int seed)
    {
        var random = new Random(seed);

        // The cost of one try, over enough tries that the JIT and the first allocations do not count.
        for (var i = 0; i < 200; i++)
        {
            Try();
        }

        const int rateTries = 20_000;
        var cpu = Cpu();
        for (var i = 0; i < rateTries; i++)
        {
            Try();
        }

        var triesPerCpuSecond = rateTries / (Cpu() - cpu).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one try (P-256 key pair, SPKI, two SHA-512): {triesPerCpuSecond:F0} tries per CPU-second ({1000 / triesPerCpuSecond:F3} ms)"));

        // The model's check: an actual grind for one id among the k closest to a random key, against N random
        // honest ids, with a small puzzle (tries counted, not timed).
        var check = new List<ModelCheck>();
        foreach (var c in new[] { 0, 4 })
        {
            var counts = new List<long>();
            for (var rep = 0; rep < 20; rep++)
            {
                counts.Add(GrindOneAmongClosest(nodes, k, c, random));
            }

            var expected = ValidIdsForSybils(nodes, k, 1) * Math.Pow(2, c);
            check.Add(new ModelCheck(c, counts.Average(), expected));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model check, c={c}, N={nodes}: one Sybil among the k closest took {counts.Average():F0} tries (mean of 20 grinds), model {expected:F0}"));
        }

        var sizes = new[] { nodes, 100_000, 1_000_000 }.Distinct().ToArray();
        var rows = new List<PuzzleRow>();
        foreach (var c in bits)
        {
            var tries = Math.Pow(2, c);
            var predicted = tries / triesPerCpuSecond;

            // An honest start solved for real where it takes seconds, five times; larger puzzles from the rate.
            var measured = new List<double>();
            if (c <= 16)
            {
                for (var rep = 0; rep < 5; rep++)
                {
                    var start = Cpu();
                    while (Try().Zeros < c)
                    {
                    }

                    measured.Add((Cpu() - start).TotalSeconds);
                }
            }

            measured.Sort();
            var attack = sizes.Select(n => new AttackCost(
                n,
                ValidIdsForSybils(n, k, k) * tries / triesPerCpuSecond,
                ValidIdsForSybils(n, k, k / 2) * tries / triesPerCpuSecond)).ToArray();
            rows.Add(new PuzzleRow(c, predicted, measured.Count > 0 ? measured[measured.Count / 2] : null, measured.ToArray(), attack));
        }

        Console.WriteLine();
        Console.WriteLine($"| puzzle bits c | honest start (expected CPU) | honest start measured p50 (5) | {string.Join(" | ", sizes.Select(n => $"attacker, one key, all k, N={n:N0} | k/2, N={n:N0}"))} |");
        Console.WriteLine($"|---|---|---|{string.Concat(sizes.Select(_ => "---|---|"))}");
        foreach (var r in rows)
        {
            Console.WriteLine($"| {r.Bits} | {Span(r.HonestStartSeconds)} | {(r.HonestStartMeasuredP50 is { } m ? Span(m) : "not run")} | {string.Join(" | ", r.Attack.Select(a => $"{Span(a.AllKSeconds)} | {Span(a.HalfKSeconds)}"))} |");
        }

        return new PuzzleResult(triesPerCpuSecond, nodes, k, check.ToArray(), rows.ToArray());
    }

    // Tries until one valid id (puzzle of c bits) falls among the k closest to a random key, honest ids random.
    private static long GrindOneAmongClosest(int nodes, int k, int c, Random random)
    {
        var target = RandomKey(random);
        var honest = Enumerable.Range(0, nodes).Select(_ => RandomKey(random)).OrderBy(h => h, Comparer<Key>.Create(target.CompareDistance)).ToArray();
        var kth = honest[k - 1];
        for (long tries = 1; ; tries++)
        {
            var (id, zeros) = Try();
            if (zeros >= c && target.CompareDistance(id, kth) < 0)
            {
                return tries;
            }
        }
    }

    private static Key RandomKey(Random random)
    {
        var bytes = new byte[Key.Length];
        random.NextBytes(bytes);
        return new Key(bytes);
    }

    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    private static string Span(double seconds) => seconds switch
    {
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:F1} ms"),
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{seconds:F1} s"),
        < 7200 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:F1} min"),
        < 2 * 86400 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:F1} h"),
        < 2 * 365 * 86400 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 86400:F1} days"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / (365 * 86400):F1} years"),
    };
}

/// <summary>The puzzle experiment's figures (CPU-seconds of one core).</summary>
internal sealed record PuzzleResult(double TriesPerCpuSecond, int Nodes, int K, ModelCheck[] ModelChecks, PuzzleRow[] Rows);

/// <summary>Tries an actual grind took for one Sybil among the k closest, against the model.</summary>
internal sealed record ModelCheck(int Bits, double MeanTries, double ModelTries);

/// <summary>One puzzle size: an honest node's start (expected and measured) and the attacker's cost per key.</summary>
internal sealed record PuzzleRow(int Bits, double HonestStartSeconds, double? HonestStartMeasuredP50, double[] HonestStartMeasured, AttackCost[] Attack);

/// <summary>CPU-seconds for all k, and for k/2, of the closest ids to one key in a network of N honest nodes.</summary>
internal sealed record AttackCost(int Nodes, double AllKSeconds, double HalfKSeconds);
