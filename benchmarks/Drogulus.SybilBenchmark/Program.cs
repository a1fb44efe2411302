using System.Globalization;
using System.Text.Json;
using Drogulus.Core.Items;

namespace Drogulus.SybilBenchmark;

/// <summary>
/// The eclipse-attack benchmark (issue 20, item 3; PROTOCOL §8, §9): for Sybil fractions of 10–40 % of N, Sybils in
/// 4 address groups or each in its own, and the defences on (the defaults) or off (no group limits, no reply
/// filter, one path), how often honest gets return the newest value and honest puts reach k/2 honest holders,
/// and what a get and a put cost. Two cases without Sybils measure what the defences cost.
/// Usage: <c>--nodes 500 --seed 1 --json out.json [--items 100] [--reads 100] [--fractions 0.1,0.2,0.3,0.4] [--groups 4,0] [--defences on,off] [--baseline on|off]</c>: the options
/// select the cases (groups 0: each Sybil in its own group; the baseline: the case without Sybils, per defences setting).
/// <c>--fractions none</c> runs only the baseline. <c>--puzzle 0,8,16,20,24</c> runs the id-puzzle experiment (<see cref="IdPuzzle"/>) instead of the attack.
/// </summary>
public static class Program
{
    /// <summary>Runs every case and prints a table.</summary>
    public static async Task<int> Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: --nodes 5000 [--seed 1] [--json out.json] [--items 100] [--reads 100] [--fractions 0.1,0.2,0.3,0.4] [--groups 4,0] [--defences on,off] [--baseline on|off] | --puzzle 0,8,16 [--nodes N] [--json out.json]");
            return 2;
        }

        if (options.PuzzleBits is { } bits)
        {
            var puzzle = IdPuzzle.Run(bits, options.Nodes, k: 20, options.Seed);
            if (options.JsonPath is { } puzzlePath)
            {
                await File.WriteAllTextAsync(puzzlePath, JsonSerializer.Serialize(puzzle, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
                Console.WriteLine($"wrote {puzzlePath}");
            }

            return 0;
        }

        // Five publishers, one target key each ("target" under each publisher key); items are versions under them.
        var publishers = Enumerable.Range(0, options.Targets).Select(_ => PublisherKey.Generate()).ToArray();
        var cases = new List<Case>();
        foreach (var defences in options.Defences)
        {
            if (options.Baseline)
            {
                cases.Add(new Case(0, 0, defences));
            }

            foreach (var fraction in options.Fractions)
            {
                foreach (var groups in options.Groups)
                {
                    cases.Add(new Case(fraction, groups, defences));
                }
            }
        }

        var results = new List<CaseResult>();
        foreach (var c in cases)
        {
            var result = await Attack.Run(c, options, publishers);
            results.Add(result);
            Console.WriteLine($"{Describe(result)}  ({result.Seconds:F0} s)");
        }

        Console.WriteLine();
        Console.WriteLine("| Sybils | groups | defences | gets newest | plain | latest | after republish | puts honest | holders honest / Sybil p50 | RPCs/get p50 | RPCs/put p50 | eclipse suspected near / elsewhere |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.SybilFraction:P0} ({r.Sybils}) | {r.SybilGroups} | {r.Defenses} | {r.GetsNewestRate:F3} | {r.PlainGetsNewestRate:F3} | {r.LatestGetsNewestRate:F3} | {r.GetsNewestRateAfterRepublish:F3} | {r.PutsHonestRate:F3} | {r.HonestHoldersP50} / {r.SybilHoldersP50} | {r.RpcsPerGetP50} | {r.RpcsPerPutP50} | {r.EclipseSuspectedNearTargets}/{r.HonestNearTargets} / {r.EclipseSuspectedElsewhere}/{r.HonestElsewhere} |"));
        }

        if (options.JsonPath is { } path)
        {
            var json = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new { nodes = options.Nodes, seed = options.Seed, items = options.Items, reads = options.Reads, cases = results }, json));
            Console.WriteLine($"wrote {path}");
        }

        foreach (var key in publishers)
        {
            key.Dispose();
        }

        return 0;
    }

    private static string Describe(CaseResult r) => string.Create(CultureInfo.InvariantCulture,
        $"N={r.HonestNodes + r.Sybils} sybils={r.SybilFraction:P0} groups={r.SybilGroups} defences={r.Defenses}: gets newest {r.GetsNewestRate:F3} (after republish {r.GetsNewestRateAfterRepublish:F3}), puts honest {r.PutsHonestRate:F3} (holders p50 {r.HonestHoldersP50} honest, {r.SybilHoldersP50} Sybil; {r.HonestStoresNotStored} honest stores not stored; {r.JoinFailures} joins failed), RPCs/get {r.RpcsPerGetP50}, RPCs/put {r.RpcsPerPutP50}");
}

/// <summary>Command-line options.</summary>
internal sealed record Options(int Nodes, int Seed, string? JsonPath, int Items, int Reads, int Targets, double[] Fractions, int[] Groups, bool[] Defences, bool Baseline = true, int[]? PuzzleBits = null)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(5000, 1, null, 100, 100, 5, [0.1, 0.2, 0.3, 0.4], [4, 0], [true, false]);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--nodes" => o with { Nodes = Positive(value) },
                "--seed" => o with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                "--json" => o with { JsonPath = value },
                "--items" => o with { Items = Positive(value) },
                "--reads" => o with { Reads = Positive(value) },
                "--targets" => o with { Targets = Positive(value) },
                "--fractions" => o with { Fractions = value == "none" ? [] : value.Split(',').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray() },
                "--groups" => o with { Groups = value.Split(',').Select(g => int.Parse(g, CultureInfo.InvariantCulture)).ToArray() },
                "--defences" => o with { Defences = value.Split(',').Select(d => d == "on").ToArray() },
                "--baseline" => o with { Baseline = value == "on" },
                "--puzzle" => o with { PuzzleBits = value.Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray() },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            i++;
        }

        return o;
    }

    private static int Positive(string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{value} is not a positive number");
}
