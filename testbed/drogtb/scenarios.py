"""The scenarios. Each takes the Testbed and returns (figures dict, list of failed checks)."""
import os
import shutil
import subprocess
import threading
import time

from . import bed, flood, nodes


def join(tb):
    a = tb.args
    up = tb.up(a.hosts, a.replicate)
    items, put = tb.put_items(a.items)
    got = tb.get_items(tb.readers_for(items))
    tb.log(f"join: put p50/p99 {put['latency']['p50_ms']}/{put['latency']['p99_ms']} ms ({put['failed']} failed); "
           f"get found {got['found']}/{got['gets']} = {got['found_pct']} %, p50/p99 {got['latency']['p50_ms']}/{got['latency']['p99_ms']} ms")
    checks = []
    if put["failed"]:
        checks.append(f"{put['failed']} puts failed")
    if got["found_pct"] < a.min_found:
        checks.append(f"found {got['found_pct']} % < {a.min_found} %")
    return {"setup": up, "items": len(items), "put": put, "get": got}, checks


def churn(tb):
    """Kill -9 a quarter of the hosts (never the seed); after one replicate interval the items are still found;
    the victims restart without seeds, from their saved routing tables, and serve their items."""
    a = tb.args
    up = tb.up(a.hosts, a.replicate)
    items, put = tb.put_items(a.items)
    before = tb.get_items(tb.readers_for(items))
    tb.log(f"churn: put p50/p99 {put['latency']['p50_ms']}/{put['latency']['p99_ms']} ms ({put['failed']} failed); get found "
           f"{before['found_pct']} %, p50/p99 {before['latency']['p50_ms']}/{before['latency']['p99_ms']} ms")
    victims = tb.rng.sample(tb.nodes[1:], max(1, len(tb.nodes) // 4))
    # The node saves its routing table only on a clean stop (SIGTERM). A node that has never stopped cleanly
    # has no table to rejoin from after kill -9, so each victim is first restarted cleanly, seedless, once.
    for v in victims:
        v.stop()
    saved = sum(os.path.exists(os.path.join(v.data, "routing-table.bin")) for v in victims)
    for v in victims:
        v.start([])
    tb.wait_ready(victims, a.start_timeout)
    warm = [v.status()["contacts"] for v in victims]
    tb.log(f"churn: {len(victims)} victims restarted cleanly once ({saved} saved tables; contacts {min(warm)}..{max(warm)})")
    t0 = time.monotonic()
    for v in victims:
        v.kill9()
    tb.log(f"churn: kill -9 of hosts {sorted(v.index for v in victims)}; waiting one replicate interval ({a.replicate} s + {a.margin} s)")
    tb.deadline.sleep(a.replicate + a.margin)
    alive = [n for n in tb.nodes if n.running()]
    after = tb.get_items(tb.readers_for(items, alive))
    tb.log(f"churn: {after['found']}/{after['gets']} found ({after['found_pct']} %) {time.monotonic() - t0:.0f} s after the kill")
    for v in victims:
        v.start([])  # no --seed: the node joins through the contacts of its saved routing table
    tb.wait_ready(victims, a.start_timeout)
    back = {v.index: v.status() for v in victims}
    held = [it for it in items if any(it["via"] == v.index for v in victims)]
    # Their items (put through them), read through them and through others; then every item through a victim.
    own = tb.get_items([(it, tb.nodes[it["via"]]) for it in held])
    via_victims = tb.get_items([(it, tb.rng.choice(victims)) for it in items])
    tb.log(f"churn: victims back with contacts {sorted(s['contacts'] for s in back.values())}, items held "
           f"{sorted(s['items'] for s in back.values())}; their own items found {own['found']}/{own['gets']}, "
           f"all items read through victims {via_victims['found']}/{via_victims['gets']}")
    checks = []
    if after["found_pct"] < 99.9:
        checks.append(f"after kill -9: found {after['found_pct']} % < 99.9 %")
    if any(s["contacts"] == 0 for s in back.values()):
        checks.append("a restarted victim has no contacts")
    if own["gets"] and own["found_pct"] < 100:
        checks.append(f"victims' own items found {own['found_pct']} %")
    if via_victims["found_pct"] < 99.9:
        checks.append(f"items read through the victims: {via_victims['found_pct']} %")
    return {"setup": up, "items": len(items), "put": put, "before": before, "victims": sorted(v.index for v in victims),
            "saved_tables": saved, "after_kill": after,
            "restarted": {"contacts": sorted(s["contacts"] for s in back.values()), "items_held": sorted(s["items"] for s in back.values()),
                          "own_items": own, "all_items_via_victims": via_victims}}, checks


def partition(tb):
    """Split in two (bridge ports of one half moved to a second bridge), update items on each side, heal."""
    a = tb.args
    up = tb.up(a.hosts, a.replicate)
    items, put = tb.put_items(a.items)
    half = len(tb.nodes) // 2
    near, far = tb.nodes[:half], tb.nodes[half:]  # the seed is on the near side
    tb.network.partition([n.index for n in far])
    cut = not tb.network.can_connect(far[0].ns, near[0].address, nodes.NODE_PORT)
    tb.log(f"partition: hosts 0..{half - 1} | {half}..{len(tb.nodes) - 1} (cross connect fails: {cut}); holding {a.partition_seconds} s")
    t0 = time.monotonic()
    shuffled = list(items)
    tb.rng.shuffle(shuffled)
    per = max(1, min(a.updates, len(items) // 3))
    on_near, on_far, on_both = shuffled[:per], shuffled[per:2 * per], shuffled[2 * per:3 * per]
    updates = []
    for side, chosen, tag in ((near, on_near + on_both, "near"), (far, on_far + on_both, "far")):
        for it in chosen:
            updates.append(dict(it, via=tb.rng.choice(side).index, value=f"{it['name']} v2-{tag}", timestamp=time.time()))
    published = tb.publish(updates)
    for u in sorted((u for u in updates if u["put_ok"]), key=lambda u: u["timestamp"]):  # the newest accepted put wins
        next(it for it in items if it["name"] == u["name"]).update(value=u["value"], timestamp=u["timestamp"])
    tb.log(f"partition: {len(updates) - published['failed']}/{len(updates)} update puts succeeded during the partition "
           f"(p50/p99 {published['latency']['p50_ms']}/{published['latency']['p99_ms']} ms; failures: {published['failures'][:2]})")
    tb.deadline.sleep(max(0.0, a.partition_seconds - (time.monotonic() - t0)))
    tb.network.heal()
    healed_at = time.monotonic()
    healed = tb.network.can_connect(far[0].ns, near[0].address, nodes.NODE_PORT)
    tb.log(f"partition: healed (cross connect works: {healed}); waiting one replicate interval ({a.replicate} s + {a.margin} s)")
    tb.deadline.sleep(a.replicate + a.margin)
    changed = on_near + on_far + on_both
    rounds = []
    for r in range(1 + a.extra_intervals):
        if r:
            tb.log(f"partition: waiting one more replicate interval ({a.replicate} s)")
            tb.deadline.sleep(a.replicate)
        everyone = tb.get_items([(it, n) for it in changed for n in tb.nodes], latest=True)
        plain = tb.get_items([(it, n) for it in changed for n in tb.nodes])
        groups = {g: tb.get_items([(it, n) for it in group for n in tb.nodes], latest=True)["newest_pct"]
                  for g, group in (("near", on_near), ("far", on_far), ("both", on_both))}
        rounds.append({"after_s": round(time.monotonic() - healed_at), "all": everyone, "plain_newest_pct": plain["newest_pct"],
                       "newest_pct_by_update_side": groups})
        tb.log(f"partition: a plain get returned the newest version in {plain['newest_pct']} % of reads")
        tb.log(f"partition: {rounds[-1]['after_s']} s after healing, {everyone['newest']}/{everyone['gets']} gets of updated items "
               f"returned the newest version ({everyone['newest_pct']} %; by side updated {groups}), found {everyone['found_pct']} %")
    everyone = rounds[0]["all"]
    checks = [] if everyone["newest_pct"] >= 100 else [f"newest version from every host after one replicate interval: {everyone['newest_pct']} %"]
    if not cut:
        checks.append("the partition did not cut the two sides")
    return {"setup": up, "items": len(items), "put": put, "updated": {"near": len(on_near), "far": len(on_far), "both": len(on_both)},
            "update_puts": published, "after_heal": everyone, "rounds": rounds, "get_mode": "latest get (newest mode with read repair); plain get reported beside it"}, checks


def abuse(tb):
    """Host 1 floods the others while the rest keep reading: a store flood through its own node (512-byte
    items, each stored on k nodes) and a request flood on the wire (findvalue for random keys over TLS
    connections to every other node, one request in flight per connection)."""
    a = tb.args
    up = tb.up(a.hosts, a.replicate)
    items, put = tb.put_items(a.items)
    abuser = tb.nodes[1]
    others = [n for n in tb.nodes if n is not abuser]
    reads = [tb.rng.choice(items) for _ in range(a.abuse_gets)]
    quiet = tb.get_items(tb.readers_for(reads, others))
    stop = threading.Event()
    counts = {"stores": 0, "store_errors": 0}
    lock = threading.Lock()

    def store_flood(worker):
        i = 0
        while not stop.is_set() and tb.deadline.remaining() > 5:
            i += 1
            try:
                code, _, _ = abuser.put(abuser.publisher, f"flood-{worker}-{i}", "x" * 512, time.time(), timeout=30)
                ok = code == 200
            except Exception:
                ok = False
            with lock:
                counts["stores" if ok else "store_errors"] += 1

    identity = flood.make_identity(tb.dir)
    wire_flood = flood.WireFlood(abuser.ns, [(n.address, nodes.NODE_PORT) for n in others], identity, a.flood_workers)
    threads = [threading.Thread(target=store_flood, args=(w,), daemon=True) for w in range(a.store_flood_workers)]
    t0 = time.monotonic()
    wire_flood.start()
    for t in threads:
        t.start()
    try:
        tb.deadline.sleep(3)  # let the flood build up
        flooded = tb.get_items(tb.readers_for(reads, others))
    finally:
        stop.set()
        wire = wire_flood.finish(timeout=tb.deadline.bound(40))
        for t in threads:
            t.join(timeout=tb.deadline.bound(40))
    seconds = time.monotonic() - t0
    counts.update({"findvalue_replies": wire["replies"], "error_replies": wire["error_replies"], "wire_errors": wire["errors"], "seconds": round(seconds, 1),
                   "findvalue_per_second": round(wire["replies"] / seconds, 1), "stores_per_second": round(counts["stores"] / seconds, 1),
                   "wire_connections": a.flood_workers, "store_workers": a.store_flood_workers, "abuser": abuser.index})
    ratio = (flooded["latency"]["p99_ms"] or 0) / max(quiet["latency"]["p99_ms"] or 1, 1)
    tb.log(f"abuse: others' get p50/p99 quiet {quiet['latency']['p50_ms']}/{quiet['latency']['p99_ms']} ms, flooded "
           f"{flooded['latency']['p50_ms']}/{flooded['latency']['p99_ms']} ms (p99 x{ratio:.2f}); flood {counts}")
    checks = []
    if flooded["found_pct"] < a.min_found:
        checks.append(f"found while flooded {flooded['found_pct']} %")
    if wire["replies"] == 0:
        checks.append("the wire flood got no reply at all (it did not reach the nodes)")
    return {"setup": up, "items": len(items), "put": put, "quiet": quiet, "flooded": flooded, "p99_ratio": round(ratio, 2),
            "flood": counts, "note": "the node has no per-address rate limit yet; the ratio also holds CPU contention (all nodes share the machine)"}, checks


def memory(tb):
    a = tb.args
    up = tb.up(a.hosts, a.replicate)
    items, put = tb.put_items(a.items)
    tb.get_items(tb.readers_for(items))
    mem = [n.memory_kb() for n in tb.nodes]
    ours = _mem_summary(mem)
    window = 20
    before = [nodes.cpu_seconds(n.pid) for n in tb.nodes]
    tb.deadline.sleep(window)
    idle = [round(100.0 * (nodes.cpu_seconds(n.pid) - b) / window, 1) for n, b in zip(tb.nodes, before)]
    ours["idle_cpu_pct_of_a_core"] = {"median": bed.percentile(idle, 50), "max": max(idle), "window_s": window}
    tb.log(f"memory: drogulus-node per process RSS median {ours['rss_kb']['median']} kB, PSS median {ours['pss_kb']['median']} kB "
           f"({len(mem)} processes, {len(items)} items); idle CPU per node median {ours['idle_cpu_pct_of_a_core']['median']} % of a core")
    return {"setup": up, "items": len(items), "drogulus_node": ours, "dhtnode": _dhtnode(tb)}, []


def _mem_summary(pairs):
    def summ(xs):
        return {"median": bed.percentile(xs, 50), "min": min(xs), "max": max(xs), "mean": round(sum(xs) / len(xs))}
    return {"processes": len(pairs), "rss_kb": summ([r for r, _ in pairs]), "pss_kb": summ([p for _, p in pairs])}


def _dhtnode(tb):
    """OpenDHT's dhtnode in the same host namespaces (one per host, all bootstrapping from host 0), if installed."""
    exe = shutil.which("dhtnode")
    if exe is None:
        tb.log("memory: OpenDHT's dhtnode is not installed (apt-get install dhtnode; see /work/shared/bench/peers/setup.sh): skipped")
        return {"skipped": "dhtnode not installed"}
    procs = []
    try:
        for i, n in enumerate(tb.nodes):
            args = ["ip", "netns", "exec", n.ns, exe, "-s", "-n", "7", "-p", "4222"]
            if i:
                args += ["-b", f"{tb.nodes[0].address}:4222"]
            procs.append(subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        tb.deadline.sleep(tb.args.dhtnode_settle)
        mem = [nodes.smaps_rollup(p.pid) for p in procs if p.poll() is None]
        summary = _mem_summary(mem) if mem else {"processes": 0}
        tb.log(f"memory: dhtnode per process PSS median {summary.get('pss_kb', {}).get('median')} kB ({len(mem)} processes)")
        return summary
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)


def small(tb):
    """The CI scenario: join (10 hosts) then churn, in one network, within a few minutes."""
    figures, checks = churn(tb)
    return figures, checks


SCENARIOS = {"join": join, "churn": churn, "partition": partition, "abuse": abuse, "memory": memory, "small": small}
