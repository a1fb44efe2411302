"""Prints the runs of this folder as Markdown tables: one row per run, then the median of each variant.
python3 table.py (from this folder)"""
import glob, json, os, re, statistics

def row(path):
    d = json.load(open(path))
    r = {(x["process"], x["phase"]): x for x in d["rows"]}
    node = lambda phase, f: r[("node", phase)][f]
    s = d.get("startup", {})
    return {
        "run": os.path.basename(path)[:-5],
        "variant": re.sub(r"-\d+$", "", os.path.basename(path)[:-5]),
        "load": float(d["load_after"].split()[0]),
        "rss_idle": node("idle", "rss_mib"), "pss_idle": node("idle", "pss_mib"),
        "rss_burst": node("after burst", "rss_mib"), "pss_burst": node("after burst", "pss_mib"),
        "rss_after": node("60 s after", "rss_mib"), "pss_after": node("60 s after", "pss_mib"),
        "ratio": node("60 s after", "rss_mib") / node("idle", "rss_mib"),
        "cpu_idle": node("idle", "cpu_percent"), "cpu_after": node("60 s after", "cpu_percent"),
        "burst_s": d["burst"]["seconds"], "burst_cpu": d["burst"].get("node_cpu_seconds", float("nan")),
        "seed_s": s.get("seed", {}).get("seconds", float("nan")), "seed_cpu": s.get("seed", {}).get("cpu_seconds", float("nan")),
        "node_s": s.get("node", {}).get("seconds", float("nan")), "node_cpu0": d.get("node_cpu_seconds_before_idle", float("nan")),
        "tqs": f'{r[("akka-empty-tqs", "idle")]["rss_mib"]} / {r[("akka-empty-tqs", "idle")]["pss_mib"]}',
        "bare": f'{r[("bare", "idle")]["rss_mib"]} / {r[("bare", "idle")]["pss_mib"]}',
    }

rows = sorted((row(p) for p in glob.glob("*.json")), key=lambda x: x["run"])
head = ("| run | load after | node RSS / PSS MiB idle | after the burst | 60 s after | 60 s after / idle RSS | CPU % idle | 60 s after "
        "| burst s | node CPU s for the burst | seed listening s / CPU s | node CPU s before idle | empty Akka (tqs) RSS / PSS | bare console |")
print(head); print("|---|" + "---:|" * 13)
for x in rows:
    print(f'| `{x["run"]}` | {x["load"]} | {x["rss_idle"]} / {x["pss_idle"]} | {x["rss_burst"]} / {x["pss_burst"]} | {x["rss_after"]} / {x["pss_after"]} '
          f'| {x["ratio"]:.2f} | {x["cpu_idle"]} | {x["cpu_after"]} | {x["burst_s"]} | {x["burst_cpu"]} | {x["seed_s"]} / {x["seed_cpu"]} | {x["node_cpu0"]} | {x["tqs"]} | {x["bare"]} |')
print()
print("| variant (median of n runs) | n | node RSS / PSS MiB idle | after the burst | 60 s after | 60 s after / idle RSS | CPU % idle | 60 s after | burst s | node CPU s for the burst | seed listening s / CPU s | node CPU s before idle |")
print("|---|" + "---:|" * 11)
m = lambda xs, f: round(statistics.median(x[f] for x in xs), 2)
for v in sorted({x["variant"] for x in rows}, key=lambda v: (v != "reference", v)):
    xs = [x for x in rows if x["variant"] == v]
    print(f'| `{v}` | {len(xs)} | {m(xs,"rss_idle")} / {m(xs,"pss_idle")} | {m(xs,"rss_burst")} / {m(xs,"pss_burst")} | {m(xs,"rss_after")} / {m(xs,"pss_after")} '
          f'| {m(xs,"ratio")} | {m(xs,"cpu_idle")} | {m(xs,"cpu_after")} | {m(xs,"burst_s")} | {m(xs,"burst_cpu")} | {m(xs,"seed_s")} / {m(xs,"seed_cpu")} | {m(xs,"node_cpu0")} |')
