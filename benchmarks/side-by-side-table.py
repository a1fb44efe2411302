#!/usr/bin/env python3
"""Prints the side-by-side table of one size from the JSON files side-by-side.sh wrote.

usage: side-by-side-table.py OUT_DIR N PEER... ; reads OUT_DIR/<peer>-N.json and OUT_DIR/drogulus-N.json.
The last row divides our figure by the best peer's (lowest time, messages and memory; highest gets/s).
"""
import json
import os
import sys


def get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


# column: (title, lower is better, {system: path into its JSON})
NPM = {
    "get p50 ms": (True, ("immutable_get", "latency_ms", "p50"), ("get", "latency_ms", "p50"), ("get", "wall_ms", "p50")),
    "get p99 ms": (True, ("immutable_get", "latency_ms", "p99"), ("get", "latency_ms", "p99"), ("get", "wall_ms", "p99")),
    "msgs/get": (True, ("immutable_get", "msgs", "mean"), ("get", "msgs", "mean"), None),
    "latest get p50 ms": (True, ("mutable_get_latest", "latency_ms", "p50"), ("get_latest", "latency_ms", "p50"), ("signed_get", "wall_ms", "p50")),
    "put p50 ms": (True, ("immutable_put", "latency_ms", "p50"), ("put", "latency_ms", "p50"), ("put", "wall_ms", "p50")),
    "mutable put p50 ms": (True, ("mutable_put", "latency_ms", "p50"), ("put", "latency_ms", "p50"), ("signed_put", "wall_ms", "p50")),
    "msgs/put": (True, ("mutable_put", "msgs", "mean"), ("put", "msgs", "mean"), None),
    "gets/s (16 in flight)": (False, ("get_throughput", "ops_per_s"), ("get_throughput", "ops_per_s"), ("burst_get", "ops_per_s")),
    "16-in-flight get p50 ms": (True, ("get_throughput", "latency_ms", "p50"), ("get_throughput", "latency_ms", "p50"), None),
    "RSS KB/node": (True, ("memory", "rss_kb_per_node"), ("memory", "rss_kb_per_node"), ("memory_per_dhtnode_process_kb", "pss", "p50")),
    "overwrite read back (plain get)": (False, ("mutable_update", "read_back_seq2"), ("mutable_update", "read_back_seq2"), None),
    "overwrite read back (latest get)": (False, ("mutable_update", "read_back_seq2"), ("mutable_update", "read_back_seq2_latest"), None),
    # Ours only: the median over nodes of the connections a node held open at the end (the peers speak UDP).
    "connections kept/node (p50)": (True, None, ("connections_kept_per_node_median",), None),
}
# bittorrent-dht has no latest get: its plain mutable get is the closest.
BTDHT_LATEST = ("mutable_get", "latency_ms", "p50")


def fmt(v):
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"


def path_for(system, column):
    _, npm, ours, opendht = NPM[column]
    if system == "drogulus":
        return ours
    if system == "opendht":
        return opendht
    if system == "btdht" and column == "latest get p50 ms":
        return BTDHT_LATEST
    return npm


def main():
    out, n, peers = sys.argv[1], sys.argv[2], sys.argv[3:]
    data = {}
    for system in peers + ["drogulus"]:
        f = os.path.join(out, f"{system}-{n}.json")
        data[system] = json.load(open(f)) if os.path.exists(f) else None
    cols = list(NPM)
    print(f"\n### {n} nodes, {get(data['drogulus'], 'values') or '?'} values\n")
    print("| system | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    values = {}
    for system in peers + ["drogulus"]:
        row = []
        for c in cols:
            p = path_for(system, c)
            v = get(data[system], *p) if (data[system] and p) else None
            values[(system, c)] = v
            row.append("–" if v is None else (fmt(v) if isinstance(v, (int, float)) else str(v)))
        label = (get(data[system], "peer") or system) if data[system] else f"{system} (no result)"
        print(f"| {label} | " + " | ".join(row) + " |")
    ratios = []
    for c in cols:
        lower = NPM[c][0]
        ours = values[("drogulus", c)]
        peer_values = [values[(s, c)] for s in peers if isinstance(values[(s, c)], (int, float)) and values[(s, c)] > 0]
        if not isinstance(ours, (int, float)) or not peer_values:
            ratios.append("–")
            continue
        best = min(peer_values) if lower else max(peer_values)
        ratios.append(f"**{ours / best:.2f}**")
    print("| ours ÷ best peer | " + " | ".join(ratios) + " |")
    ours = data["drogulus"] or {}
    if ours:
        kept = get(ours, "connections_kept_per_node") or {}
        print(f"\nOur nodes: {ours.get('nodes')} in {ours.get('processes', 1)} process(es), nodes per process "
              f"{ours.get('nodes_per_process', [ours.get('nodes')])}; each process's descriptor limit {ours.get('descriptor_limit')}. "
              f"Operations driven from: {ours.get('driven_from', 'one process')}. "
              f"Connections a node kept at the end: median {kept.get('p50', '?')}, mean {kept.get('mean', get(ours, 'connections_per_node'))}, "
              f"max {kept.get('max', '?')} (max-connections {ours.get('max_connections')}).")
    rt = get(data["drogulus"], "round_trips") or {}
    if rt:
        print(f"\nRound trips/s over one TLS connection: raw SslStream, one write per frame, {rt.get('raw_sslstream_per_s_1_in_flight'):g} (1 in flight), "
              f"{rt.get('raw_sslstream_per_s_16_in_flight'):g} (16); node transport {rt.get('node_transport_per_s_1_in_flight'):g} / "
              f"{rt.get('node_transport_per_s_16_in_flight'):g} = {rt.get('fraction_of_raw_1_in_flight'):.0%} / "
              f"{rt.get('fraction_of_raw_16_in_flight'):.0%} of raw. Raw with whole frames coalesced per write: "
              f"{rt.get('raw_sslstream_coalesced_per_s_1_in_flight'):g} / {rt.get('raw_sslstream_coalesced_per_s_16_in_flight'):g}; node = "
              f"{rt.get('fraction_of_raw_coalesced_1_in_flight'):.0%} / {rt.get('fraction_of_raw_coalesced_16_in_flight'):.0%} of that.")
    put = get(data["drogulus"], "put") or {}
    if put:
        print(f"Drogulus put p50 {get(put, 'latency_ms', 'p50')} ms = lookup p50 {get(put, 'lookup_ms', 'p50')} ms "
              f"(rounds p50 {get(put, 'lookup_rounds', 'p50')}) + stores after the lookup p50 {get(put, 'after_lookup_ms', 'p50')} ms; "
              f"{get(put, 'replicas', 'p50')} replicas; net change in open connections per put {get(put, 'open_connections_change_per_put')} (opened minus closed; the node does not count handshakes); "
              f"max-connections {get(data['drogulus'], 'max_connections')} per node; "
              f"{get(data['drogulus'], 'get', 'answered_locally')} of {get(data['drogulus'], 'get', 'latency_ms', 'n')} plain gets answered from the reader's own store "
              f"(the others, a findvalue lookup: p50 {get(data['drogulus'], 'get', 'remote_latency_ms', 'p50')} ms, p99 {get(data['drogulus'], 'get', 'remote_latency_ms', 'p99')} ms).")
    profile = [(d, get(data["drogulus"], f"put_profile_duplicate_{d}")) for d in (1, 5, 20)]
    if all(p for _, p in profile):
        print("Put profile (50 puts each, storing at d nodes): " + "; ".join(
            f"d={d}: p50 {get(p, 'latency_ms', 'p50')} ms (lookup {get(p, 'lookup_ms', 'p50')} + after {get(p, 'after_lookup_ms', 'p50')})"
            for d, p in profile) + ".")
    mem = get(data["drogulus"], "memory") or {}
    if mem:
        if "rss_mb_per_process" in mem:
            print(f"Drogulus memory per node: managed {mem.get('heap_kb_per_node')} KB; RSS {mem.get('rss_kb_per_node')} KB = the first process's growth "
                  f"plus every other process's whole RSS, / N (every process's growth only: {mem.get('rss_growth_kb_per_node_every_process')} KB); "
                  f"all processes' RSS / N {mem.get('rss_total_kb_per_node')} KB; RSS per process {mem.get('rss_mb_per_process')} MB.")
        else:
            print(f"Drogulus memory per node: managed {mem.get('heap_kb_per_node')} KB, RSS growth {mem.get('rss_kb_per_node')} KB, "
                  f"whole-process RSS / N {mem.get('rss_total_kb_per_node')} KB.")
    print("Peers' msgs = KRPC / dht-rpc requests sent by all nodes during the op; ours = the lookup's RPCs (+ stores, + read-repair stores). "
          "Peers' put = immutable; mutable put = ed25519-signed with seq; ours is always a signed item (RSA, timestamp). "
          "Overwrite read back: peers read with their own get (hyperdht latest: true); ours once with a plain get and once with Get(key, Latest: true). "
          "OpenDHT: wall-clock CLI times, gets/s from a burst, memory = PSS per process.")


if __name__ == "__main__":
    main()
