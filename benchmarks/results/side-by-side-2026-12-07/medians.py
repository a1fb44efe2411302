#!/usr/bin/env python3
"""Medians over runs of ours ÷ best peer, per column, from side-by-side.sh output folders (issue 24 item 2).

usage: medians.py N RUN_DIR... ; each RUN_DIR holds <peer>-N.json and drogulus-N.json (btdht and hyperdht).
"""
import importlib.util
import json
import os
import statistics
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("table", os.path.join(here, "..", "..", "side-by-side-table.py"))
table = importlib.util.module_from_spec(spec)
spec.loader.exec_module(table)
PEERS = ["btdht", "hyperdht"]


def ratios(folder, n):
    data = {}
    for system in PEERS + ["drogulus"]:
        f = os.path.join(folder, f"{system}-{n}.json")
        data[system] = json.load(open(f)) if os.path.exists(f) else None
    if not data["drogulus"]:
        return None
    out = {}
    for c in table.NPM:
        lower = table.NPM[c][0]
        ours = table.get(data["drogulus"], *table.path_for("drogulus", c)) if table.path_for("drogulus", c) else None
        peers = []
        for s in PEERS:
            p = table.path_for(s, c)
            v = table.get(data[s], *p) if (data[s] and p) else None
            if isinstance(v, (int, float)) and v > 0:
                peers.append(v)
        if isinstance(ours, (int, float)) and peers:
            out[c] = ours / (min(peers) if lower else max(peers))
    return out


n, folders = sys.argv[1], sys.argv[2:]
runs = [r for r in (ratios(f, n) for f in folders) if r]
cols = [c for c in table.NPM if any(c in r for r in runs)]
print(f"| {n} nodes, ours ÷ best peer ({len(runs)} runs) | " + " | ".join(cols) + " |")
print("|---" * (len(cols) + 1) + "|")
for i, r in enumerate(runs):
    print(f"| run {i + 1} | " + " | ".join(f"{r[c]:.2f}" if c in r else "–" for c in cols) + " |")
print("| **median** | " + " | ".join(f"**{statistics.median([r[c] for r in runs if c in r]):.2f}**" for c in cols) + " |")
