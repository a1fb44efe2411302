using System.Globalization;
using System.Text;
using System.Text.Json;
using Drogulus.Actors.Configuration;

namespace Drogulus.FloodBenchmark;

/// <summary>The printed table of the admission attack (Markdown, so that the README can quote it as printed).</summary>
internal static class AdmissionTable
{
    /// <summary>Row 5 is a spec over the limiter: these, in tests/Drogulus.Core.Tests/Limits/GroupRateLimitTests.cs.</summary>
    public static readonly string[] RotationSpecs =
    [
        "GroupRateLimitTests.TryAcquire_should_admit_no_more_than_the_group_limit_when_100000_requests_rotate_over_every_ipv6_64_of_one_48",
        "GroupRateLimitTests.TryAcquire_should_admit_no_more_new_connections_than_the_group_limit_when_100000_connections_rotate_over_the_64s_of_one_48",
    ];

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static string Line(Dictionary<string, object> r) => string.Create(CultureInfo.InvariantCulture,
        $"row {r["row"]} ({r["attack"]}): handshake p99 {r["handshake_quiet_p99_ms"]} -> {r["handshake_attack_p99_ms"]} ms, get p99 {r["get_quiet_p99_ms"]} -> {r["get_attack_p99_ms"]} ms, " +
        $"failures {JsonSerializer.Serialize(r["failures_attack"], Json)}, RSS {r["rss_quiet_mib"]} / peak {r["rss_peak_mib"]} / after {r["rss_after_mib"]} MiB, " +
        $"attacker {JsonSerializer.Serialize(r["attacker_outcomes"], Json)}, node warnings {JsonSerializer.Serialize(r["node_warnings"], Json)}, connections max {r["node_connections_max"]}, managed heap {r["node_gc_heap_quiet_mib"]} / {r["node_gc_heap_max_during_attack_mib"]} / {r["node_gc_heap_after_mib"]} MiB, load {r["load"]}");

    public static string Render(List<Dictionary<string, object>> rows, bool withRotation, DrogulusSettings settings)
    {
        var text = new StringBuilder();
        text.AppendLine("| row | attack | handshake p50 / p99 ms, quiet → attack (p99 ratio) | get p50 / p99 ms, quiet → attack (p99 ratio) | client failures during attack (and its idle connection: pings kept or closed by the node) | node RSS MiB: quiet / peak / 60 s after (bounds: peak ≤ quiet + max-partial-frame-bytes, after ≤ 1.2× quiet) | what the node did to the attacker | node managed heap MiB: quiet / most during / after | node warnings by kind | node connections, most seen |");
        text.AppendLine("|---:|---|---|---|---|---|---|---|---|---:|");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r["row"]} | {r["attack"]} | {Pair(r, "handshake")} | {Pair(r, "get")} | {Failures(r["failures_attack"])} "
                + $"| {r["rss_quiet_mib"]} / {r["rss_peak_mib"]} / {r["rss_after_mib"]} ({Mark((bool)r["rss_peak_within_bound"])} ≤ {r["rss_peak_bound_mib"]}, {Mark((bool)r["rss_after_within_1_2x"])} ≤ {r["rss_after_bound_mib"]}) "
                + $"| {Attacker(r)} | {r["node_gc_heap_quiet_mib"]} / {r["node_gc_heap_max_during_attack_mib"]} / {r["node_gc_heap_after_mib"]} | {Failures(r["node_warnings"])} | {r["node_connections_max"]} |");
        }

        if (withRotation)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| 5 | {AdmissionAttack.Names[5]} | by spec over the limiter, not live (IPv6 source addresses need a namespace of their own): {string.Join("; ", RotationSpecs)} | | | | | | | |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"max-partial-frame-bytes {AdmissionAttack.Mib(settings.MaxPartialFrameBytes)} MiB; a ratio is the attack's p99 over the quiet p99 of the same row (target ≤ 2); ✓/✗ mark the targets.");
        return text.ToString();
    }

    private static string Pair(Dictionary<string, object> r, string what)
    {
        var quiet99 = (double)r[$"{what}_quiet_p99_ms"];
        var attack99 = (double)r[$"{what}_attack_p99_ms"];
        var within = (bool)r[$"{what}_p99_within_2x"];
        return string.Create(CultureInfo.InvariantCulture,
            $"{r[$"{what}_quiet_p50_ms"]} / {quiet99} → {r[$"{what}_attack_p50_ms"]} / {attack99} ({attack99 / quiet99:0.0}× {Mark(within)}); n = {r[$"{what}s_quiet"]} → {r[$"{what}s_attack"]}");
    }

    private static string Attacker(Dictionary<string, object> r)
    {
        var outcomes = string.Join(", ", ((Dictionary<string, long>)r["attacker_outcomes"]).OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value:N0}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{outcomes}; closed ones lasted p50 {r["attacker_connections_held_p50_s"]} s, max {r["attacker_connections_held_max_s"]} s (in {r["attack_seconds"]:F0} s)");
    }

    private static string Failures(object tally) =>
        ((Dictionary<string, long>)tally) is { Count: > 0 } t ? string.Join(", ", t.OrderByDescending(f => f.Value).Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key} {f.Value:N0}"))) : "none";

    private static string Mark(bool within) => within ? "✓" : "✗";
}
