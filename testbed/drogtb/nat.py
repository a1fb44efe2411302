"""The nat scenario: a quarter of the hosts can dial out but cannot be dialled (PROTOCOL §10, reachability).

On each unreachable host an nftables rule drops inbound TCP SYNs to the node's port and counts them, as a NAT
or a firewall would. The first --nat-seeds hosts run `--reachability server`; every other node runs the
command line's default, auto. Measured: each node's mode over time (its `status`, polled), the dropped SYNs
at classification and at the end, puts and gets made from the unreachable nodes, and `findnode` for each
unreachable node's id sent to every server at the end.
"""
import datetime
import json
import os
import threading
import time
import uuid

from . import bed, flood, net, nodes, wire

FAILED_TEST = "a dial-back failed"  # how ReachabilityState words a failed dial-back in lastReachabilityTest


class ModeWatch:
    """Polls every node's `status` in a thread and records when each (index, start) first ran, became a server,
    saw a failed dial-back, and every change of mode."""

    def __init__(self, tb, poll_seconds):
        self.tb, self.poll = tb, poll_seconds
        self.t0 = time.monotonic()
        self.seen = {}  # (index, start) -> record
        self.rounds = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def finish(self):
        self.stop.set()
        if self.thread.ident is not None:  # not started when the set-up failed before the nodes
            self.thread.join(timeout=60)

    def record(self, n):
        with self.lock:
            return dict(self.seen.get((n.index, n.starts), {}))

    def _run(self):
        while not self.stop.is_set():
            began = time.monotonic()
            for n in list(self.tb.nodes):
                if self.stop.is_set():
                    return
                if not n.running() or n.control_port() is None:
                    continue
                try:
                    st = n.status(timeout=15)
                except Exception:  # a node starting or busy: the next round asks again
                    continue
                self._note(n, st, time.monotonic() - self.t0)
            took = time.monotonic() - began
            with self.lock:
                self.rounds.append(took)
            self.stop.wait(max(0.0, self.poll - took))

    def _note(self, n, st, t):
        with self.lock:
            r = self.seen.setdefault((n.index, n.starts), {"first_status": t, "flips": [], "mode": None})
            mode = st.get("mode")
            if mode != r["mode"]:
                r["flips"].append((round(t, 1), mode))
                r["mode"] = mode
            if st.get("state") == "running" and "running" not in r:
                r["running"] = t
            if mode == "server" and "server" not in r:
                r["server"] = t
            if (st.get("lastReachabilityTest") or "").startswith(FAILED_TEST) and "failed_test" not in r:
                r["failed_test"] = t
            r["last"] = st


JOINED = "Joined the network through"
BECAME_SERVER = "is a server:"
BECAME_CLIENT = "is a client again:"


def _log_events(node):
    """(time, message template) of every event in the node's JSON log (CLEF, data/logs/node-DATE.log), oldest first."""
    events = []
    directory = os.path.join(node.data, "logs")
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    e = json.loads(line)
                    events.append((datetime.datetime.fromisoformat(e["@t"].replace("Z", "+00:00")), e.get("@mt", "")))
                except (ValueError, KeyError):
                    continue
    return sorted(events, key=lambda e: e[0])


def _mode_times(node):
    """From the node's own log: seconds from its (last) join to its first `is a server` after it, from its first
    log event to that, and how many times it logged becoming a server or a client again."""
    events = _log_events(node)
    joins = [t for t, mt in events if mt.startswith(JOINED)]
    servers = [t for t, mt in events if BECAME_SERVER in mt]
    out = {"became_server": len(servers), "became_client_again": sum(1 for _, mt in events if BECAME_CLIENT in mt)}
    if joins:
        after = [t for t in servers if t >= joins[-1] - datetime.timedelta(seconds=5)]
        if after:
            out["server_after_join_s"] = round((after[0] - joins[-1]).total_seconds(), 3)
            if node.starts == 1 and events:
                out["server_after_first_log_s"] = round((after[0] - events[0][0]).total_seconds(), 3)
    return out


def _findnode_all(tb, servers, targets, identity, from_ns):
    """Sends `findnode` for each target id to every server over one TLS connection each; returns per-server
    replies, contacts returned, and the contacts that were targets (by id or by address)."""
    ids = {t["id"]: t["index"] for t in targets}
    addresses = {t["address"]: t["index"] for t in targets}
    ctx = flood.tls_context(identity[0], identity[1])
    out = {"requests": 0, "nodes_replies": 0, "other_replies": [], "contacts_returned": 0, "unreachable_by_id": 0,
           "unreachable_by_address": 0, "errors": [], "per_server": {}}
    for srv in servers:
        raw = net.socket_in(from_ns)
        raw.settimeout(tb.deadline.bound(60))
        hits = 0
        try:
            raw.connect((srv.address, nodes.NODE_PORT))
            with ctx.wrap_socket(raw) as s:
                buf = b""
                for t in targets:
                    msg = {"message": "findnode", "uuid": str(uuid.uuid4()), "node": identity[2], "reply_port": 0,
                           "version": "1.0", "key": t["id"]}
                    s.sendall(flood.frame(wire.pack(msg)))
                    out["requests"] += 1
                    payload, buf = flood.read_frame(s, buf)
                    reply = wire.unpack(payload)
                    if reply.get("message") != b"nodes":
                        out["other_replies"].append(f"{srv.index}: {str(reply)[:120]}")
                        continue
                    out["nodes_replies"] += 1
                    for c in reply.get("nodes", []):
                        out["contacts_returned"] += 1
                        by_id = bytes(c[0]) in ids
                        by_address = c[1].decode("utf-8", "replace") in addresses
                        out["unreachable_by_id"] += by_id
                        out["unreachable_by_address"] += by_address
                        hits += by_id or by_address
        except (OSError, ValueError, ConnectionError) as e:
            out["errors"].append(f"{srv.index}: {type(e).__name__}: {e}")
        finally:
            raw.close()
        out["per_server"][srv.index] = hits
    return out


def _summary(values):
    values = sorted(values)
    return {"count": len(values), "min": values[0] if values else None, "p50": bed.percentile(values, 50),
            "p90": bed.percentile(values, 90), "max": values[-1] if values else None}


def nat(tb):
    a = tb.args
    hosts = a.hosts
    seeds = max(1, min(a.nat_seeds, hosts - 2))
    count = max(1, round(a.nat_fraction * hosts))
    unreachable = sorted(tb.rng.sample(range(seeds, hosts), count))
    autos = [i for i in range(seeds, hosts) if i not in unreachable]
    tb.log(f"nat: seeds (servers) {list(range(seeds))}; unreachable (auto, inbound SYNs to {nodes.NODE_PORT} dropped) {unreachable}; "
           f"reachable auto {len(autos)}")
    load_start = os.getloadavg()
    watch = ModeWatch(tb, a.nat_poll)

    def before_start(ns_nodes):
        for i in unreachable:
            net.block_inbound(ns_nodes[i].ns, nodes.NODE_PORT)
        watch.start()

    # refresh-interval is also when a client tests again (PROTOCOL §10): long, so that the unreachable nodes'
    # second test falls after the run, and every dropped SYN after the first test is a dial that is not a dial-back.
    try:
        up = tb.up(hosts, a.replicate, seeds=seeds, reachability=lambda i: "server" if i < seeds else None,
                   before_start=before_start, await_join=True, extra_config=f"drogulus.refresh-interval = {a.nat_refresh}")
        return _measure(tb, watch, up, seeds, unreachable, autos, load_start)
    finally:
        watch.finish()


def _measure(tb, watch, up, seeds, unreachable, autos, load_start):
    a = tb.args
    un = [tb.nodes[i] for i in unreachable]
    reach = [n for n in tb.nodes if n.index not in unreachable]
    checks = []
    settings = {n.index: n.status().get("reachability") for n in tb.nodes}
    wrong = sorted(i for i, s in settings.items() if s != ("server" if i < seeds else "auto"))
    if wrong:
        checks.append(f"hosts {wrong} run another reachability setting than planned: {[settings[i] for i in wrong]}")
    blocked = not tb.network.can_connect(tb.nodes[0].ns, un[0].address, nodes.NODE_PORT, timeout=3.0)
    open_ = tb.network.can_connect(tb.nodes[0].ns, tb.nodes[autos[0]].address, nodes.NODE_PORT, timeout=10.0) if autos else True
    tb.log(f"nat: firewall check from host 0: connect to unreachable host {un[0].index} fails {blocked}, to reachable auto host "
           f"{autos[0] if autos else '-'} works {open_}")
    if not blocked or not open_:
        checks.append("the firewall does not separate reachable from unreachable hosts")

    # Classification: every reachable auto node a server, every unreachable one with a failed dial-back.
    def classified():
        return all("server" in watch.record(tb.nodes[i]) for i in autos) and \
            all("failed_test" in watch.record(tb.nodes[i]) for i in unreachable)
    try:
        tb.deadline.wait_until(classified, a.nat_classify_seconds, "every auto node to be classified", poll=1.0)
    except TimeoutError as e:
        checks.append(str(e))
    classified_at = time.monotonic() - watch.t0
    # The dial-backs of the first test still in flight are done within connect-timeout + request-timeout.
    tb.deadline.sleep(a.nat_drain)
    syn_at_classification = {n.index: net.dropped_syns(n.ns) for n in un}
    # When each became a server, from its own log (the status polls can see a node first after that happened).
    times = {i: _mode_times(tb.nodes[i]) for i in autos}
    to_server = {i: t["server_after_join_s"] for i, t in times.items() if "server_after_join_s" in t}
    from_start = {i: t["server_after_first_log_s"] for i, t in times.items() if "server_after_first_log_s" in t}
    never = [i for i in autos if i not in to_server]
    slow = sorted(i for i, s in to_server.items() if s > a.nat_server_within)
    poll_round = _summary([round(r, 2) for r in watch.rounds])
    tb.log(f"nat: reachable auto -> server, seconds from its join line to its `is a server` line (node logs): "
           f"{sorted(to_server.values())}; summary {_summary(list(to_server.values()))}; never {never}")
    tb.log(f"nat: the same from each node's first log line (process start, join included): summary {_summary(list(from_start.values()))}; "
           f"status polled every {a.nat_poll:g} s (a round took p50 {poll_round['p50']} s, max {poll_round['max']} s)")
    tb.log(f"nat: SYNs dropped by the unreachable hosts' firewalls by classification (+{a.nat_drain} s): {syn_at_classification} "
           f"(total {sum(syn_at_classification.values())}: the dial-backs of their first test)")
    if never:
        checks.append(f"reachable auto hosts {never} never became servers")
    if slow:
        checks.append(f"reachable auto hosts {slow} became servers later than {a.nat_server_within} s after their join")

    # The workload: puts and gets from the unreachable nodes, and from the others.
    items_u, put_u = tb.put_items(a.items, prefix="from-unreachable", writers=un)
    items_r, put_r = tb.put_items(a.items, prefix="from-reachable", writers=reach)
    every = items_u + items_r
    reads_u = [(it, tb.rng.choice([n for n in un if n.index != it["via"]] or un)) for it in every]
    reads_r = [(it, tb.rng.choice([n for n in reach if n.index != it["via"]])) for it in every]
    get_u = tb.get_items(reads_u)
    get_r = tb.get_items(reads_r)
    tb.log(f"nat: puts from unreachable nodes {len(items_u) - put_u['failed']}/{len(items_u)} ok (stored on min/median "
           f"{put_u['stored_min']}/{put_u['stored_median']}), gets from them found {get_u['found']}/{get_u['gets']}; puts from the "
           f"others {len(items_r) - put_r['failed']}/{len(items_r)} ok, their gets found {get_r['found']}/{get_r['gets']}")
    if put_u["failed"] or put_u["stored_min"] is None or put_u["stored_min"] < 1:
        checks.append(f"puts from unreachable nodes: {put_u['failed']} failed, stored_min {put_u['stored_min']}")
    if get_u["found_pct"] != 100.0:
        checks.append(f"gets from unreachable nodes found {get_u['found_pct']} %")
    if put_r["failed"] or get_r["found_pct"] != 100.0:
        checks.append(f"the others: {put_r['failed']} puts failed, gets found {get_r['found_pct']} %")

    # findnode for each unreachable node's id, to every server.
    statuses = {n.index: n.status() for n in tb.nodes}
    servers = [n for n in tb.nodes if statuses[n.index].get("mode") == "server"]
    targets = [{"index": n.index, "id": bytes.fromhex(statuses[n.index]["nodeId"]), "address": n.address} for n in un]
    probe = _findnode_all(tb, servers, targets, flood.make_identity(tb.dir), tb.nodes[0].ns)
    tb.log(f"nat: findnode for the {len(targets)} unreachable ids to {len(servers)} servers: {probe['nodes_replies']}/{probe['requests']} "
           f"nodes replies, {probe['contacts_returned']} contacts, unreachable among them by id {probe['unreachable_by_id']}, "
           f"by address {probe['unreachable_by_address']}; errors {probe['errors'][:3]}")
    if probe["unreachable_by_id"] or probe["unreachable_by_address"]:
        checks.append(f"unreachable nodes appeared in nodes replies: {probe['per_server']}")
    if probe["nodes_replies"] != len(servers) * len(targets):
        checks.append(f"only {probe['nodes_replies']} of {len(servers) * len(targets)} findnode requests got a nodes reply")

    syn_end = {n.index: net.dropped_syns(n.ns) for n in un}
    after = {i: syn_end[i] - syn_at_classification[i] for i in syn_end}
    tb.log(f"nat: SYNs dropped after classification, by the end: {after} (total {sum(after.values())})")
    if any(after.values()):
        checks.append(f"{sum(after.values())} SYNs to unreachable nodes after classification")

    # Modes at the end, and every change of mode seen by the polls.
    modes_end = {i: statuses[i].get("mode") for i in statuses}
    un_server = [i for i in unreachable if modes_end[i] != "client" or "server" in watch.record(tb.nodes[i])
                 or _mode_times(tb.nodes[i])["became_server"]]
    auto_flaps = {i: t for i in autos for t in [_mode_times(tb.nodes[i])] if t["became_server"] != 1 or t["became_client_again"]}
    auto_back = [i for i in autos if modes_end[i] != "server"]
    flips = {i: watch.record(tb.nodes[i])["flips"] for i in range(len(tb.nodes)) if len(watch.record(tb.nodes[i]).get("flips", [])) > 1}
    tb.log(f"nat: at the end unreachable nodes' modes {[modes_end[i] for i in unreachable]}, reachable auto not server {auto_back}; "
           f"nodes whose mode changed (time s, mode) {flips}")
    if un_server:
        checks.append(f"unreachable hosts {un_server} were servers at some point")
    if auto_back:
        checks.append(f"reachable auto hosts {auto_back} are not servers at the end")
    if auto_flaps:
        checks.append(f"reachable auto hosts changed mode more than once (node logs): {auto_flaps}")
    last_tests = sorted({(statuses[i].get("lastReachabilityTest") or "")[:140] for i in unreachable})
    return {"setup": up, "seeds": list(range(seeds)), "unreachable": unreachable, "reachable_auto": autos,
            "firewall": f"nftables in each unreachable host: inbound TCP SYN to port {nodes.NODE_PORT} counted and dropped",
            "refresh_interval": a.nat_refresh, "load_average_start": load_start, "load_average_end": os.getloadavg(),
            "classified_s_after_start": round(classified_at, 1), "poll_round_s": poll_round,
            "server_after_join_s": dict(sorted(to_server.items())), "server_after_join_summary": _summary(list(to_server.values())),
            "server_after_first_log_summary": _summary(list(from_start.values())), "mode_times_from_logs": times,
            "never_server": never, "later_than_target": slow, "target_s": a.nat_server_within,
            "syn_dropped_at_classification": syn_at_classification, "syn_dropped_end": syn_end, "syn_dropped_after_classification": after,
            "put_from_unreachable": put_u, "get_from_unreachable": get_u, "put_from_others": put_r, "get_from_others": get_r,
            "findnode_probe": probe, "modes_end": modes_end, "mode_changes": flips,
            "mode_history": {i: watch.record(tb.nodes[i]).get("flips") for i in range(len(tb.nodes))},
            "unreachable_last_test": last_tests}, checks


SCENARIOS = {"nat": nat}
