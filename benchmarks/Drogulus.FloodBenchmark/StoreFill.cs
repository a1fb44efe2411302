using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Items;
using Drogulus.Core.Storage;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// <c>--attack store-fill</c>: the attack rows of PROTOCOL §6 (fair shares by address group) and §3 rule 3 (items
/// age out), over TLS against a live command-line node (the victim) that knows one neighbour the attackers never
/// contact. Phase by phase, 1, 8 and 64 attacking addresses, each 127.0.G.1 in a /24 group of its own, store fresh
/// 64,000-byte items as fast as the node's rate limit and this machine allow, while an honest client in its own group
/// (127.0.200.1) stores and reads back; after each phase a quiet window with the honest client alone. Then the run
/// waits for max-item-age past the last junk and two republish passes, and counts the junk left on the victim and on
/// the neighbour and the junk stores the victim still sends. The victim runs reference.conf except the overrides it
/// prints: the times shortened to fit a run, diversity-exempt-private off (so that 127.x addresses are grouped by /24
/// like public ones) and rate-limit-exempt [] (so that loopback peers are rate limited like strangers).
/// </summary>
internal static class StoreFill
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(60);

    /// <summary>Unix seconds with milliseconds, the timestamp of a fresh item.</summary>
    public static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    public static async Task<int> Run(string[] args)
    {
        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Int(string name, int fallback) => Option(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

        var seconds = Int("--seconds", 120);
        var quietSeconds = Int("--quiet-seconds", 20);
        var inFlight = Int("--in-flight", 8);
        var phases = (Option("--addresses") ?? "1,8,64").Split(',').Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        var jsonPath = Option("--json");
        if (phases.Any(p => p is < 1 or > 199))
        {
            Console.Error.WriteLine("--addresses takes counts from 1 to 199 (127.0.200.1 is the honest client's)");
            return 2;
        }

        // The shortened times, on both nodes; the neighbour keeps the rest of reference.conf (loopback exempt from
        // rate limits and group limits) so that it takes whatever the victim pushes to it.
        var times = new List<(string Name, string Value)>
        {
            ("max-item-age", Option("--max-item-age") ?? "7m"),
            ("max-clock-skew", Option("--max-clock-skew") ?? "1m"),
            ("keep-alive-interval", Option("--keep-alive-interval") ?? "4m"),
            ("replicate-interval", Option("--replicate-interval") ?? "60s"),
        };
        var victimOverrides = times.Concat([(Name: "diversity-exempt-private", Value: "off"), (Name: "rate-limit-exempt", Value: "[]")]).ToList();
        static string Hocon(IEnumerable<(string Name, string Value)> settings) =>
            "drogulus {\n" + string.Concat(settings.Select(s => $"  {s.Name} = {s.Value}\n")) + "}\n";
        var settings = DrogulusConfig.SettingsFrom(Hocon(victimOverrides));

        var directory = Directory.CreateTempSubdirectory("drogulus-store-fill-").FullName;
        var victimConf = Path.Combine(directory, "victim.conf");
        var neighbourConf = Path.Combine(directory, "neighbour.conf");
        await File.WriteAllTextAsync(victimConf, Hocon(victimOverrides));
        await File.WriteAllTextAsync(neighbourConf, Hocon(times));

        var started = DateTimeOffset.UtcNow;
        var loads = new List<string> { $"{started:HH:mm:ss} {Load()}" };
        Console.WriteLine($"store-fill attack, {started:yyyy-MM-dd HH:mm} UTC, load {Load()}, {Environment.ProcessorCount} processors");
        Console.WriteLine($"victim: drogulus-node start --listen 127.0.0.1:0 --reachability server --config victim.conf, reference.conf except: {string.Join(", ", victimOverrides.Select(o => $"{o.Name} = {o.Value}"))}");
        Console.WriteLine($"neighbour: drogulus-node start --listen 127.0.0.2:0 --reachability server --config neighbour.conf, reference.conf except: {string.Join(", ", times.Select(o => $"{o.Name} = {o.Value}"))}");
        Console.WriteLine($"phases: {string.Join(", ", phases)} attacking addresses (127.0.G.1, one /24 each), {seconds} s each with {inFlight} stores in flight per address, then {quietSeconds} s quiet; honest client 127.0.200.1");

        await using var neighbour = await CliNode.Start(Path.Combine(directory, "neighbour"), neighbourConf, "127.0.0.2", seed: null);
        await using var victim = await CliNode.Start(Path.Combine(directory, "victim"), victimConf, "127.0.0.1", $"{neighbour.Id}@{neighbour.Host}:{neighbour.Port}");
        var target = new PeerAddress(victim.Host, victim.Port, victim.Id);

        using var system = ActorSystem.Create("store-fill", "akka.loglevel = ERROR\nakka.log-dead-letters = off");
        var observer = new JunkObserver(settings.MaxItemAge, id => id == victim.Id ? "victim" : id == neighbour.Id ? "neighbour" : "other");
        IActorRef Transport(string host)
        {
            var client = DrogulusConfig.SettingsFrom($"drogulus {{ transport = tls, listen.host = \"{host}\", request-timeout = 30s }}");
            return system.ActorOf(new TlsTransport().Props(NodeIdentity.Generate(DateTimeOffset.UtcNow), client,
                system.ActorOf(Responder.Props(observer.Observe)), system.ActorOf(Responder.Props(observer.Observe))));
        }

        Console.WriteLine("generating publisher keys...");
        var groups = phases.Max();
        var sources = Enumerable.Range(1, groups).AsParallel().AsOrdered().Select(g => new JunkSource(g, PublisherKey.Generate())).ToArray();
        using var honestKey = PublisherKey.Generate();
        var junkRow = ItemSize.Of(SignedItem.Create(honestKey, $"junk {groups} {phases.Length} 1000000", new string('x', JunkSource.ValueBytes - 3), Now(), 0));

        var honest = new HonestClient(Transport("127.0.200.1"), target, honestKey);
        using var stopHonest = new CancellationTokenSource();
        var honestRun = honest.Run(stopHonest.Token);

        var samples = new List<Dictionary<string, object>>();
        var clock = Stopwatch.StartNew();
        Dictionary<string, object> Census(string label, int attackerGroups)
        {
            var shares = StoreCensus.Groups(victim.ItemsDb);
            var attackers = shares.Where(s => IsAttacker(s.Group)).ToArray();
            var fair = FairShare(settings.MaxStoreBytes, attackerGroups, shares.Where(s => !IsAttacker(s.Group)).Select(s => s.Bytes).ToArray());
            var largest = attackers.MaxBy(s => s.Bytes);
            var total = shares.Sum(s => s.Bytes);
            var sample = new Dictionary<string, object>
            {
                ["at"] = label,
                ["t_seconds"] = Math.Round(clock.Elapsed.TotalSeconds),
                ["store_bytes"] = total,
                ["store_mib"] = Mib(total),
                ["junk_mib"] = Mib(attackers.Sum(s => s.Bytes)),
                ["junk_items"] = attackers.Sum(s => s.Items),
                ["groups_holding_junk"] = attackers.Length,
                ["largest_attacker_group"] = largest?.Group ?? "",
                ["largest_attacker_group_bytes"] = largest?.Bytes ?? 0,
                ["largest_attacker_group_items"] = largest?.Items ?? 0,
                ["largest_attacker_group_mib"] = Mib(largest?.Bytes ?? 0),
                ["fair_share_bytes"] = fair,
                ["fair_share_mib"] = Mib(fair),
                // The largest group's bytes past its fair share, in junk items (negative: below it).
                ["excess_items"] = Math.Round(((largest?.Bytes ?? 0) - fair) / (double)junkRow, 2),
                // While another junk item fits, nobody is refused room, so no group holds more than it may: the
                // fair share binds only a full store (PROTOCOL §6, eviction), within one item of rounding.
                ["store_full"] = total + junkRow > settings.MaxStoreBytes,
                ["within_fair_share"] = (largest?.Bytes ?? 0) <= fair + junkRow || total + junkRow <= settings.MaxStoreBytes,
                ["groups"] = shares.ToDictionary(s => s.Group, s => (object)new { items = s.Items, bytes = s.Bytes, cached = s.Cached }),
                ["neighbour_junk_items"] = StoreCensus.Junk(neighbour.ItemsDb, DateTimeOffset.MaxValue).Held,
            };
            samples.Add(sample);
            return sample;
        }

        var rows = new List<Dictionary<string, object>>();
        var lastJunk = DateTimeOffset.UtcNow;
        for (var p = 0; p < phases.Length; p++)
        {
            var count = phases[p];
            var groupsSoFar = phases.Take(p + 1).Max();
            honest.Window = $"{count} during";
            var transports = Enumerable.Range(1, count).Select(g => Transport($"127.0.{g}.1")).ToArray();
            var floods = Enumerable.Range(1, count).Select(g => system.ActorOf(FloodClient.Props(transports[g - 1], target, inFlight, sources[g - 1].For(p + 1)))).ToArray();
            var refusalsBefore = await victim.Metrics("drogulus_refusals_total");
            var phaseClock = Stopwatch.StartNew();
            foreach (var flood in floods)
            {
                flood.Tell(new FloodClient.Start());
            }

            var worst = (Dictionary<string, object>?)null;
            while (phaseClock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, seconds - phaseClock.Elapsed.TotalSeconds)));
                var sample = Census($"{count} during", groupsSoFar);
                if (worst is null || Ratio(sample) > Ratio(worst))
                {
                    worst = sample;
                }
            }

            var counts = await Task.WhenAll(floods.Select(f => f.Ask<FloodClient.Counts>(new FloodClient.Stop(), Ceiling)));
            var elapsed = phaseClock.Elapsed.TotalSeconds;
            lastJunk = DateTimeOffset.UtcNow;
            var end = Census($"{count} end", groupsSoFar);
            var refusals = Delta(refusalsBefore, await victim.Metrics("drogulus_refusals_total"));
            foreach (var actor in floods.Concat(transports))
            {
                system.Stop(actor);
            }

            honest.Window = $"{count} after";
            await Task.Delay(TimeSpan.FromSeconds(quietSeconds));
            var after = Census($"{count} after", groupsSoFar);
            loads.Add($"{DateTimeOffset.UtcNow:HH:mm:ss} {Load()}");
            var outcomes = counts.SelectMany(c => c.Outcomes).GroupBy(o => o.Key).ToDictionary(g => g.Key, g => g.Sum(o => o.Value));
            var byGroup = counts.Select((c, i) => (Group: $"127.0.{i + 1}.0/24", c.Outcomes)).ToDictionary(c => c.Group, c => c.Outcomes);
            var row = new Dictionary<string, object>
            {
                ["attacking_addresses"] = count,
                ["attacker_groups_so_far"] = groupsSoFar,
                ["seconds"] = Math.Round(elapsed, 1),
                ["junk_stores_sent"] = counts.Sum(c => c.Sent),
                ["junk_outcomes"] = outcomes,
                ["junk_outcomes_by_group"] = byGroup,
                ["junk_stored_per_second"] = Math.Round(outcomes.GetValueOrDefault("pong") / elapsed, 1),
                ["publisher_keys_so_far"] = sources.Sum(s => s.Keys),
                ["victim_refusals_in_phase"] = refusals,
                ["census_end"] = end,
                ["census_after_quiet"] = after,
                ["census_worst_during"] = worst ?? end,
                ["honest_during"] = honest.Tally($"{count} during"),
                ["honest_after"] = honest.Tally($"{count} after"),
                ["load"] = Load(),
            };
            rows.Add(row);
            Console.WriteLine($"phase {count,2} addresses: {JsonSerializer.Serialize(outcomes)} in {elapsed:F0} s; store {end["store_mib"]} MiB, junk {end["junk_mib"]} MiB, largest group {end["largest_attacker_group_mib"]} MiB (fair {end["fair_share_mib"]}); honest {JsonSerializer.Serialize(row["honest_during"])} / after {JsonSerializer.Serialize(row["honest_after"])}; load {Load()}");
        }

        // Max-item-age past the last junk, then two republish passes: the first drops what aged out, the second shows
        // that nothing aged out is pushed to anyone.
        honest.Window = "expiry";
        var cutoff = lastJunk + settings.MaxItemAge;
        observer.SetCutoff(cutoff);
        Console.WriteLine($"waiting for max-item-age past the last junk ({cutoff:HH:mm:ss} UTC) and two republish passes...");
        while (DateTimeOffset.UtcNow < cutoff)
        {
            await Task.Delay(Min(cutoff - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30)));
            Census("expiry wait", groups);
        }

        var neighbourStoresAtCutoff = await neighbour.Metrics("drogulus_rpc_received_total");
        var republishedAtCutoff = await victim.Metrics("drogulus_republish_items_total");
        var junkAtCutoff = StoreCensus.Junk(victim.ItemsDb, DateTimeOffset.MaxValue).Held;
        var end2 = cutoff + settings.ReplicateInterval + settings.ReplicateInterval + TimeSpan.FromSeconds(15);
        DateTimeOffset? junkGoneAt = null;
        while (DateTimeOffset.UtcNow < end2)
        {
            await Task.Delay(Min(end2 - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10)));
            if (junkGoneAt is null && StoreCensus.Junk(victim.ItemsDb, DateTimeOffset.MaxValue).Held == 0)
            {
                junkGoneAt = DateTimeOffset.UtcNow;
            }
        }

        var final = Census("final", groups);
        var neighbourJunk = StoreCensus.Junk(neighbour.ItemsDb, cutoff);
        var neighbourStores = Delta(neighbourStoresAtCutoff, await neighbour.Metrics("drogulus_rpc_received_total"));
        var expiry = new Dictionary<string, object>
        {
            ["cutoff_utc"] = cutoff.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
            ["victim_junk_items_at_cutoff"] = junkAtCutoff,
            ["victim_junk_items_final"] = StoreCensus.Junk(victim.ItemsDb, DateTimeOffset.MaxValue).Held,
            ["victim_junk_gone_seconds_after_cutoff"] = junkGoneAt is { } gone ? Math.Round((gone - cutoff).TotalSeconds) : -1,
            ["neighbour_junk_items_final"] = neighbourJunk.Held,
            ["neighbour_junk_items_stored_after_cutoff"] = neighbourJunk.StoredAfter,
            ["neighbour_junk_items_max_seen"] = samples.Max(s => (long)s["neighbour_junk_items"]),
            ["neighbour_store_requests_after_cutoff"] = neighbourStores.Where(k => k.Key.Contains("type=\"store\"", StringComparison.Ordinal)).ToDictionary(),
            ["victim_republished_items_after_cutoff"] = Delta(republishedAtCutoff, await victim.Metrics("drogulus_republish_items_total")).Values.Sum(),
            ["junk_stores_to_benchmark_transports_by_sender"] = observer.BySender(),
            ["census"] = final,
        };
        await stopHonest.CancelAsync();
        await honestRun;
        expiry["honest_during_expiry_wait"] = honest.Tally("expiry");
        loads.Add($"{DateTimeOffset.UtcNow:HH:mm:ss} {Load()}");

        Console.WriteLine();
        Console.WriteLine(Table(rows, expiry, settings.MaxStoreBytes));
        if (jsonPath is not null)
        {
            var document = new Dictionary<string, object>
            {
                ["command"] = "dotnet run -c Release --project benchmarks/Drogulus.FloodBenchmark -- " + string.Join(' ', args),
                ["started_utc"] = started.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                ["loads"] = loads,
                ["processors"] = Environment.ProcessorCount,
                ["victim_overrides"] = victimOverrides.ToDictionary(o => o.Name, o => o.Value),
                ["neighbour_overrides"] = times.ToDictionary(o => o.Name, o => o.Value),
                ["victim_flags"] = "--listen 127.0.0.1:0 --reachability server --metrics 127.0.0.1:PORT --seed NEIGHBOUR",
                ["max_store_mib"] = Mib(settings.MaxStoreBytes),
                ["junk_item_row_bytes"] = junkRow,
                ["seconds_per_phase"] = seconds,
                ["quiet_seconds"] = quietSeconds,
                ["in_flight_per_address"] = inFlight,
                ["phases"] = rows,
                ["expiry"] = expiry,
                ["samples"] = samples,
            };
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {jsonPath}");
        }

        await system.Terminate();
        foreach (var source in sources)
        {
            source.Dispose();
        }

        return 0;

        static bool IsAttacker(string group) => group.StartsWith("127.0.", StringComparison.Ordinal) && group.EndsWith(".0/24", StringComparison.Ordinal)
            && int.TryParse(group["127.0.".Length..^".0/24".Length], CultureInfo.InvariantCulture, out var g) && g is >= 1 and <= 199;
        static double Ratio(Dictionary<string, object> s) => (bool)s["store_full"] && (double)s["fair_share_mib"] > 0 ? (double)s["largest_attacker_group_mib"] / (double)s["fair_share_mib"] : 0;
    }

    internal static double Mib(long bytes) => Math.Round(bytes / 1048576.0, 1);

    /// <summary>
    /// The max-min fair share of one attacking group in a store of <paramref name="capacity"/> bytes: the attacking
    /// groups want without bound; any other group (the honest client, the node's own puts, a neighbour republishing
    /// to it) wants what it holds, unless that is above the share, and then it wants without bound too.
    /// </summary>
    internal static long FairShare(long capacity, int attackerGroups, long[] others)
    {
        var unbounded = attackerGroups;
        var small = others.ToList();
        while (unbounded > 0)
        {
            var level = (capacity - small.Sum()) / unbounded;
            var above = small.Where(b => b > level).ToArray();
            if (above.Length == 0)
            {
                return level;
            }

            unbounded += above.Length;
            small.RemoveAll(b => b > level);
        }

        return 0;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? (a > TimeSpan.Zero ? a : TimeSpan.Zero) : b;

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static Dictionary<string, double> Delta(Dictionary<string, double> before, Dictionary<string, double> after) =>
        after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key));

    private static string Table(List<Dictionary<string, object>> rows, Dictionary<string, object> expiry, long maxStoreBytes) =>
        StoreFillTable.Render(rows, expiry, maxStoreBytes);
}
