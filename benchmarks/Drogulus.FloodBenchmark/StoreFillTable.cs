using System.Globalization;
using System.Text;

namespace Drogulus.FloodBenchmark;

/// <summary>The printed table of the store-fill attack (Markdown, so that the README can quote it as printed).</summary>
internal static class StoreFillTable
{
    public static string Render(List<Dictionary<string, object>> rows, Dictionary<string, object> expiry, long maxStoreBytes)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| attacking addresses (groups) | s | junk stores sent | stored | error 10 | error 11 | other | stored/s | store MiB (of {StoreFill.Mib(maxStoreBytes)}) at end | junk MiB | largest attacker group MiB / its fair share MiB (excess in junk items) at end | worst while full | honest during: stored, error 11, other errors, read back | honest in the {"quiet"} after | junk items on the neighbour |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|");
        foreach (var row in rows)
        {
            var outcomes = (Dictionary<string, long>)row["junk_outcomes"];
            var end = (Dictionary<string, object>)row["census_end"];
            var worst = (Dictionary<string, object>)row["census_worst_during"];
            var other = outcomes.Where(o => o.Key is not ("pong" or "error 10" or "error 11")).Sum(o => o.Value);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row["attacking_addresses"]} | {row["seconds"]:F0} | {row["junk_stores_sent"]:N0} | {outcomes.GetValueOrDefault("pong"):N0} | {outcomes.GetValueOrDefault("error 10"):N0} | {outcomes.GetValueOrDefault("error 11"):N0} | {other:N0} "
                + $"| {row["junk_stored_per_second"]} | {end["store_mib"]} | {end["junk_mib"]} | {Share(end)} | {Share(worst)} "
                + $"| {Honest((IReadOnlyDictionary<string, long>)row["honest_during"])} | {Honest((IReadOnlyDictionary<string, long>)row["honest_after"])} | {end["neighbour_junk_items"]:N0} |");
        }

        text.AppendLine();
        text.AppendLine("| after max-item-age past the last junk and two republish passes | |");
        text.AppendLine("|---|---:|");
        Line("junk items on the victim at the cutoff", expiry["victim_junk_items_at_cutoff"]);
        Line("junk items on the victim at the end", expiry["victim_junk_items_final"]);
        Line("seconds after the cutoff when the victim held no junk (-1: never)", expiry["victim_junk_gone_seconds_after_cutoff"]);
        Line("junk items on the neighbour, most seen in a sample", expiry["neighbour_junk_items_max_seen"]);
        Line("junk items on the neighbour at the end", expiry["neighbour_junk_items_final"]);
        Line("junk items the neighbour stored after the cutoff", expiry["neighbour_junk_items_stored_after_cutoff"]);
        var neighbourStores = (Dictionary<string, double>)expiry["neighbour_store_requests_after_cutoff"];
        Line("store requests the neighbour answered with an error after the cutoff", neighbourStores.Where(s => s.Key.Contains("outcome=\"error\"", StringComparison.Ordinal)).Sum(s => s.Value));
        foreach (var (sender, tally) in (Dictionary<string, JunkObserver.Tally>)expiry["junk_stores_to_benchmark_transports_by_sender"])
        {
            Line($"junk stores from the {sender} to the benchmark's transports: all run / after the cutoff / aged out on arrival (latest by s)",
                string.Create(CultureInfo.InvariantCulture, $"{tally.Received} / {tally.AfterCutoff} / {tally.AgedOutOnArrival} ({tally.MostSecondsLate})"));
        }

        Line("honest client while waiting: stored, error 11, other errors, read back", Honest((IReadOnlyDictionary<string, long>)expiry["honest_during_expiry_wait"]));
        return text.ToString();

        void Line(string what, object value) => text.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {value} |");
    }

    private static string Share(Dictionary<string, object> census) =>
        string.Create(CultureInfo.InvariantCulture, $"{census["largest_attacker_group_mib"]} / {census["fair_share_mib"]} ({census["excess_items"]:+0.0;-0.0} items){((bool)census["store_full"] ? "" : " not full")}");

    private static string Honest(IReadOnlyDictionary<string, long> tally)
    {
        var other = tally.Where(t => t.Key is not ("put pong" or "put error 11" or "read back")).Sum(t => t.Value);
        return string.Create(CultureInfo.InvariantCulture, $"{tally.GetValueOrDefault("put pong")}, {tally.GetValueOrDefault("put error 11")}, {other}, {tally.GetValueOrDefault("read back")}");
    }
}
