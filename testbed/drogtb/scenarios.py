"""The scenarios. Each takes the Testbed and returns (figures dict, list of failed checks)."""
import os
import shutil
import subprocess
import threading
import time

from . import bed, flood, nat, net, nodes, tables


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
    # kill -9 and nothing before it: a victim restarts from whatever it saved while it ran.
    t0 = time.monotonic()
    for v in victims:
        v.kill9()
    saved = sum(os.path.exists(os.path.join(v.data, "routing-table.bin")) for v in victims)
    tb.log(f"churn: kill -9 of hosts {sorted(v.index for v in victims)}; waiting one replicate interval ({a.replicate} s + {a.margin} s)")
    tb.deadline.sleep(a.replicate + a.margin)
    alive = [n for n in tb.nodes if n.running()]
    after = tb.get_items(tb.readers_for(items, alive))
    tb.log(f"churn: {after['found']}/{after['gets']} found ({after['found_pct']} %) {time.monotonic() - t0:.0f} s after the kill")
    for v in victims:
        v.start([])  # no --seed: the node joins through the contacts of its saved routing table
    tb.wait_ready(victims, a.start_timeout)
    rejoined = {v.index: v.status()["contacts"] for v in victims}
    tb.log(f"churn: victims restarted without seeds ({saved} of {len(victims)} had a saved routing table at the kill); "
           f"contacts at start {sorted(rejoined.values())}")
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
            "saved_tables": saved, "kill": "kill -9 only", "contacts_at_restart": sorted(rejoined.values()), "after_kill": after,
            "restarted": {"contacts": sorted(s["contacts"] for s in back.values()), "items_held": sorted(s["items"] for s in back.values()),
                          "own_items": own, "all_items_via_victims": via_victims}}, checks


def partition(tb):
    """Cut half the hosts off (loss 100 on each cut host's link: a cut host reaches nobody, not even the other
    cut hosts), update items on each side, heal (their loss back), and read the newest versions."""
    a = tb.args
    up = tb.up(a.hosts, a.replicate)
    items, put = tb.put_items(a.items)
    half = len(tb.nodes) // 2
    near, far = tb.nodes[:half], tb.nodes[half:]  # the seed is on the near side
    tb.network.partition([n.index for n in far])
    cut = not tb.network.can_connect(far[0].ns, near[0].address, nodes.NODE_PORT)
    tb.log(f"partition: hosts {half}..{len(tb.nodes) - 1} cut off by loss 100 (cross connect fails: {cut}); holding {a.partition_seconds} s")
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
    return {"setup": up, "cut": "loss 100 on each far host's link", "items": len(items), "put": put, "updated": {"near": len(on_near), "far": len(on_far), "both": len(on_both)},
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
    """The CI scenario: 10 hosts on impaired links (the default delay, jitter and loss), join then churn."""
    figures, checks = churn(tb)
    return figures, checks


def _workload(tb, name, links=None, extra_config="", after_join=None):
    """Join, --items puts, as many plain gets and as many newest-copy gets; the figures against the round trip.
    `after_join` runs once every node has joined, before the first put."""
    a = tb.args
    up = tb.up(a.hosts, a.replicate, links=links, extra_config=extra_config)
    if after_join:
        after_join()
    cpu = {}
    warm = None
    if a.warmup:
        # Not measured: fresh node processes spend about three times the CPU per request of the same processes after a
        # few hundred requests when .NET's tiered compilation is on (drogulus-node turns it off since issue 24; a --dll built
        # with it on, or DOTNET_TieredCompilation=1, brings it back), and with every host's node on the same two cores that queues everyone.
        (warm_items, warm_put), cpu["warmup_puts"] = _cpu_of(tb, lambda: tb.put_items(a.warmup, prefix="warmup"))
        _, cpu["warmup_plain_gets"] = _cpu_of(tb, lambda: tb.get_items(tb.readers_for(warm_items)))
        _, cpu["warmup_latest_gets"] = _cpu_of(tb, lambda: tb.get_items(tb.readers_for(warm_items), latest=True))
        warm = {"items": len(warm_items), "put": warm_put["latency"], "failed": warm_put["failed"]}
        tb.log(f"{name}: warm-up of {len(warm_items)} puts and {2 * len(warm_items)} gets done (put p50 {warm_put['latency']['p50_ms']} ms), not measured")
    (items, put), cpu["puts"] = _cpu_of(tb, lambda: tb.put_items(a.items))
    plain, cpu["plain_gets"] = _cpu_of(tb, lambda: tb.get_items(tb.readers_for(items)))
    latest, cpu["latest_gets"] = _cpu_of(tb, lambda: tb.get_items(tb.readers_for(items), latest=True))
    both = plain["latency"]["count"] + latest["latency"]["count"]
    gets = _merge_latency(plain, latest)
    tb.log(f"{name}: put p50/p99 {put['latency']['p50_ms']}/{put['latency']['p99_ms']} ms ({put['failed']} failed); "
           f"plain get p50/p99 {plain['latency']['p50_ms']}/{plain['latency']['p99_ms']} ms found {plain['found_pct']} %; "
           f"latest get p50/p99 {latest['latency']['p50_ms']}/{latest['latency']['p99_ms']} ms found {latest['found_pct']} %; "
           f"all {both} gets p50/p99 {gets['p50_ms']}/{gets['p99_ms']} ms")
    tb.log(f"{name}: CPU " + "; ".join(f"{phase} {c['nodes_cpu_s']} s of the nodes' CPU in {c['wall_s']} s "
                                       f"({c['nodes_cores']} cores, {c['nodes_cpu_ms_per_op']} ms per op), machine busy {c['machine_busy_pct']} %"
                                       for phase, c in cpu.items()))
    return {"setup": up, "items": len(items), "put": put, "get_plain": plain, "get_latest": latest, "get_all": gets,
            "cpu": cpu, "warmup": warm, "blacklistings_logged": bed.blacklistings(tb.logs_dir)}


def _machine_busy_ticks():
    """(busy, total) jiffies of all CPUs from /proc/stat: busy is everything but idle and iowait."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def _cpu_of(tb, phase):
    """Runs a workload phase and says what CPU it took: the node processes' CPU time (/proc/PID/stat), the wall
    time, and how busy the machine was (/proc/stat), so a timing can be told apart from CPU queueing on the
    shared cores (every host's node runs on the same machine)."""
    pids = [n.pid for n in tb.nodes if n.running()]

    def nodes_cpu():
        total = 0.0
        for pid in pids:
            try:
                total += nodes.cpu_seconds(pid)
            except OSError:
                pass
        return total

    cpu0, (busy0, total0), t0 = nodes_cpu(), _machine_busy_ticks(), time.monotonic()
    result = phase()
    cpu1, (busy1, total1), t1 = nodes_cpu(), _machine_busy_ticks(), time.monotonic()
    ops = result[1]["latency"]["count"] if isinstance(result, tuple) else result["latency"]["count"]
    wall = t1 - t0
    return result, {"wall_s": round(wall, 1), "nodes_cpu_s": round(cpu1 - cpu0, 1), "nodes_cores": round((cpu1 - cpu0) / wall, 2) if wall else None,
                    "nodes_cpu_ms_per_op": round(1000.0 * (cpu1 - cpu0) / ops, 1) if ops else None, "ops": ops,
                    "machine_busy_pct": round(100.0 * (busy1 - busy0) / (total1 - total0), 1) if total1 > total0 else None,
                    "cores": os.cpu_count()}


def _merge_latency(*results):
    seconds = [s for r in results for s in r["latency_s"]]
    return bed.ms_summary(seconds)


def _rtt_checks(figures, rtt_ms, found_pct=100.0):
    """The latency targets: get p50 <= 4 RTT, get p99 <= 12 RTT, put p50 <= 6 RTT; every get finds its item."""
    checks = []
    g, p = figures["get_all"], figures["put"]["latency"]
    if g["p50_ms"] is None or g["p50_ms"] > 4 * rtt_ms:
        checks.append(f"get p50 {g['p50_ms']} ms > 4 x RTT = {4 * rtt_ms} ms")
    if g["p99_ms"] is None or g["p99_ms"] > 12 * rtt_ms:
        checks.append(f"get p99 {g['p99_ms']} ms > 12 x RTT = {12 * rtt_ms} ms")
    if p["p50_ms"] is None or p["p50_ms"] > 6 * rtt_ms:
        checks.append(f"put p50 {p['p50_ms']} ms > 6 x RTT = {6 * rtt_ms} ms")
    for kind in ("get_plain", "get_latest"):
        if figures[kind]["found_pct"] is None or figures[kind]["found_pct"] < found_pct:
            checks.append(f"{kind}: found {figures[kind]['found_pct']} % < {found_pct} %")
    if figures["put"]["failed"]:
        checks.append(f"{figures['put']['failed']} puts failed")
    return checks


def latency(tb):
    """Every path --delay ± --jitter one way (default 25 ± 5 ms: a 50 ms round trip) with --loss (default 1 %)."""
    rtt = 2 * tb.args.delay
    figures = _workload(tb, "latency")
    figures["rtt_ms"] = rtt
    return figures, _rtt_checks(figures, rtt)


def slow_quarter(tb):
    """As latency, with a quarter of the hosts (never the seed) --slow-delay one way from the others; run with
    the lookup stall state on (the default) and off. Target: get p99 with it on at most 1.5 x latency's."""
    a = tb.args
    rtt = 2 * a.delay
    slow = sorted(tb.rng.sample(range(1, a.hosts), max(1, round(a.slow_fraction * a.hosts))))
    links = tb.default_links(a.hosts)
    for i in slow:
        links[i] = net.Link(a.slow_delay - a.delay / 2.0, a.jitter / 2.0, bed.link_loss(a.loss))
    tb.log(f"slow-quarter: slow hosts {slow} ({a.slow_delay} ms one way to the others)")
    on = _workload(tb, "slow-quarter, stall on", links=links)
    off = _workload(tb, "slow-quarter, stall off", links=links, extra_config="drogulus.lookup-stall.enabled = off")
    base = (getattr(tb, "results", {}) or {}).get("latency", {}).get("get_all", {}).get("p99_ms")
    ratio = lambda f: round(f["get_all"]["p99_ms"] / base, 2) if base and f["get_all"]["p99_ms"] else None
    p99_on, p99_off = on["get_all"]["p99_ms"], off["get_all"]["p99_ms"]
    on_over_off = round(p99_on / p99_off, 2) if p99_on and p99_off else None
    tb.log(f"slow-quarter: get p99 stall on {p99_on} ms, stall off {p99_off} ms (on / off {on_over_off}); "
           f"latency scenario's p99 {base} ms (ratio on {ratio(on)}, off {ratio(off)})")
    checks = [f"stall on: {c}" for c in on["put"]["failed"] and [f"{on['put']['failed']} puts failed"] or []]
    for kind in ("get_plain", "get_latest"):
        if (on[kind]["found_pct"] or 0) < 100:
            checks.append(f"stall on, {kind}: found {on[kind]['found_pct']} %")
    if base is None:
        tb.log("slow-quarter: the latency scenario did not run before it in this invocation: the 1.5 x check is skipped (figures only)")
    elif ratio(on) is None or ratio(on) > 1.5:
        checks.append(f"get p99 with the stall state {on['get_all']['p99_ms']} ms > 1.5 x latency's {base} ms")
    return {"slow_hosts": slow, "rtt_ms": rtt, "stall_on": on, "stall_off": off, "latency_p99_ms": base,
            "p99_ratio_on": ratio(on), "p99_ratio_off": ratio(off), "p99_on_over_off": on_over_off}, checks


# lossy reads the routing tables from the files the nodes save (the control channel gives only counts): saved
# at least this often while contacts change, so a snapshot taken this long plus a margin after the join is current.
LOSSY_SAVE_SECONDS = 5


def lossy(tb):
    """--loss (default 5 %) on every path, with the default delay. Targets: every get finds its item, no node
    blacklists anyone, and no contact is dropped from more than 5 % of the other nodes' routing tables between
    the end of the join and the end of the workload."""
    start = {}

    def after_join():
        for n in tb.nodes:
            n.node_id = n.status()["nodeId"]
        tb.deadline.sleep(3 * LOSSY_SAVE_SECONDS)  # every table saved at least once since the join
        start.update(tables.snapshot(tb.nodes))

    figures = _workload(tb, "lossy", extra_config=f"drogulus.routing-table.save-interval = {LOSSY_SAVE_SECONDS}s",
                        after_join=after_join)
    contacts = [n.status()["contacts"] for n in tb.nodes]
    figures["contacts_after"] = {"min": min(contacts), "median": bed.percentile(contacts, 50), "max": max(contacts)}
    figures["contacts_after_join"] = figures["setup"]["contacts"]
    # A clean stop saves the table as it is (PROTOCOL §8 file); a node that does not stop in time is killed and
    # its file is at most LOSSY_SAVE_SECONDS old.
    clean = tb.stop_all(timeout=60)
    end = tables.snapshot(tb.nodes)
    limit = 5.0
    t = tables.drops(start, end, limit)
    t["nodes_stopped_cleanly"] = clean
    figures["routing_tables"] = t
    tb.log(f"lossy: blacklistings logged {figures['blacklistings_logged']}; contacts after join {figures['setup']['contacts']}, "
           f"after the workload {figures['contacts_after']}")
    tb.log(f"lossy: routing tables read from {t['tables_read_start']} files after the join and {t['tables_read_end']} at the end "
           f"({clean} of {len(tb.nodes)} nodes stopped cleanly); entries kept {t['entries_kept']}, dropped {t['entries_dropped']}, "
           f"added {t['entries_added']}")
    tb.log(f"lossy: worst per-contact drop {t['worst_drop_pct_of_other_tables']} % of the other {t['other_tables']} tables "
           f"({t['worst_drop_pct_of_holding_tables']} % of the tables that held it); contacts dropped from more than "
           f"{limit} %: {t['contacts_over_limit']}; drops per contact {t['dropped_per_contact']}")
    tb.log(f"lossy: blacklisted ids in the saved tables {len(t['blacklisted_ids'])} (on {t['nodes_with_blacklist_entries']} nodes)")
    checks = []
    for kind in ("get_plain", "get_latest"):
        if (figures[kind]["found_pct"] or 0) < 100:
            checks.append(f"{kind}: found {figures[kind]['found_pct']} %")
    if figures["blacklistings_logged"]:
        checks.append(f"{figures['blacklistings_logged']} blacklistings logged")
    if t["blacklisted_ids"]:
        checks.append(f"{len(t['blacklisted_ids'])} ids blacklisted in the saved tables")
    if t["tables_read_start"] < len(tb.nodes) or t["tables_read_end"] < len(tb.nodes):
        checks.append(f"routing table files read: {t['tables_read_start']} after the join, {t['tables_read_end']} at the end, of {len(tb.nodes)}")
    if t["contacts_over_limit"]:
        checks.append(f"{t['contacts_over_limit']} contacts dropped from more than {limit} % of the other routing tables")
    return figures, checks


SCENARIOS = {"join": join, "churn": churn, "partition": partition, "abuse": abuse, "memory": memory, "small": small,
             "latency": latency, "slow-quarter": slow_quarter, "lossy": lossy, **nat.SCENARIOS}
