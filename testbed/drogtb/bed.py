"""One testbed: a run directory, the namespaces, the node processes, the deadline; and the put/get workload."""
import concurrent.futures as cf
import os
import random
import shutil
import subprocess
import tempfile
import time

from . import net, nodes

TEMP_PREFIX = "drogulus-testbed-"


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def remaining(self):
        return self.end - time.monotonic()

    def bound(self, seconds):
        left = self.remaining()
        if left <= 0:
            raise TimeoutError("the run's overall deadline has passed")
        return min(seconds, left)

    def wait_until(self, predicate, seconds, what, poll=0.25):
        """Polls `predicate` until it is true; TimeoutError after `seconds` (or the overall deadline)."""
        end = time.monotonic() + self.bound(seconds)
        while True:
            if predicate():
                return
            if time.monotonic() >= end:
                raise TimeoutError(f"gave up waiting {seconds:.0f} s for {what}")
            time.sleep(poll)

    def sleep(self, seconds):
        time.sleep(self.bound(seconds))


def percentile(values, p):
    """Nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))]


def ms_summary(seconds):
    return {"count": len(seconds), "p50_ms": _ms(percentile(seconds, 50)), "p99_ms": _ms(percentile(seconds, 99)),
            "max_ms": _ms(max(seconds) if seconds else None)}


def _ms(s):
    return None if s is None else round(s * 1000.0, 1)


class Testbed:
    def __init__(self, args, deadline, log):
        self.args, self.deadline, self.log = args, deadline, log
        self.run_id = os.urandom(3).hex()
        self.dir = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{self.run_id}-")
        with open(os.path.join(self.dir, "driver.pid"), "w", encoding="ascii") as f:
            f.write(str(os.getpid()))
        self.keys_dir = os.path.join(self.dir, "keys")
        self.network = None
        self.nodes = []
        self.rng = random.Random(args.seed)
        self.impairment = None
        self.results = {}  # figures of the scenarios run so far in this invocation
        self.logs_dir = None
        self.scenario_count = 0
        self.publishers = {}  # host index -> wire.Publisher, decrypted once per run

    # -- set-up and tear-down -------------------------------------------------------------------------------

    def config_file(self, replicate_seconds, k, extra=""):
        base = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testbed.conf")
        with open(base, encoding="utf-8") as f:
            text = f.read()
        # --hocon lines come last but one: a scenario's own setting (slow-quarter's stall off) still wins.
        hocon = "\n".join(getattr(self.args, "hocon", None) or [])
        text += f"\n# added by the driver for this run\ndrogulus.k = {k}\ndrogulus.replicate-interval = {replicate_seconds}s\n{hocon}\n{extra}\n"
        path = os.path.join(self.dir, "node.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def keygen(self, count):
        """Identities and publisher keys for `count` hosts, made once per run and copied for each scenario."""
        have = [i for i in range(count) if os.path.exists(os.path.join(self.keys_dir, f"h{i:03d}", "publisher-key.pem"))]
        todo = [i for i in range(count) if i not in have]
        if not todo:
            return
        t0 = time.monotonic()
        stub = lambda i: nodes.Node(i, None, None, os.path.join(self.keys_dir, f"h{i:03d}"), self.args.dll, None, None)
        with cf.ThreadPoolExecutor(max_workers=2) as pool:
            for f in [pool.submit(stub(i).keygen, self.deadline.bound(120)) for i in todo]:
                f.result(timeout=self.deadline.bound(300))
        self.log(f"keygen: {len(todo)} data directories in {time.monotonic() - t0:.1f} s")

    def load_publishers(self, count):
        todo = [i for i in range(count) if i not in self.publishers]
        stub = lambda i: nodes.Node(i, None, None, os.path.join(self.keys_dir, f"h{i:03d}"), self.args.dll, None, None)
        with cf.ThreadPoolExecutor(max_workers=2) as pool:
            for i, pub in zip(todo, pool.map(lambda i: stub(i).load_publisher(), todo, timeout=self.deadline.bound(300))):
                self.publishers[i] = pub

    def default_links(self, count):
        """Every host's link from --delay, --jitter and --loss, which are figures of a path between two hosts:
        a path crosses two host links (the sender's outbound and the receiver's inbound), so each link gets
        half the delay and jitter and the loss l with 1 - (1 - l)^2 = the asked path loss."""
        a = self.args
        return [net.Link(a.delay / 2.0, a.jitter / 2.0, link_loss(a.loss)) for _ in range(count)]

    def up(self, count, replicate_seconds, k=None, links=None, extra_config="", seeds=1, reachability=None,
           before_start=None, await_join=False):
        """Namespaces on the emulated switch, each host's link impaired (`links`, default: default_links),
        isolation check, keys; then the seed (host 0), the other `seeds` (hosts 1.., joining through host 0),
        and every other node at once, joining through all the seeds. `reachability(index)` gives a node's
        --reachability (default: server; None: the command line's default); `before_start(nodes)` runs once
        the nodes exist and before any starts; with `await_join`, a node still joining when its control
        channel opens is waited for instead of counted as a failed join."""
        self.down()
        self.scenario_count += 1
        self.keygen(count)
        self.load_publishers(count)
        self.network = net.Network(f"{self.run_id}{self.scenario_count}", count, self.dir, self.args.bandwidth, self.args.rt_priority)
        t0 = time.monotonic()
        self.network.create()
        links = links or self.default_links(count)
        self.network.impair_all(links)
        shapes = sorted({(l.delay_ms, l.jitter_ms, l.loss_pct) for l in links})
        self.impairment = {"per_host_link": [dict(zip(("delay_ms", "jitter_ms", "loss_pct"), s), hosts=sum(
            1 for l in links if (l.delay_ms, l.jitter_ms, l.loss_pct) == s)) for s in shapes],
            "bandwidth": self.args.bandwidth, "emulator_priority": self.network.realtime,
            "how": "vde_switch + one wirefilter per host; a path gets the sender's outbound plus the receiver's inbound setting"}
        isolation = self.network.assert_isolated()
        self.log(f"network: {count} hosts on the emulated switch in {time.monotonic() - t0:.1f} s; links {self.impairment['per_host_link']}; "
                 f"emulators {self.network.realtime}")
        self.log(f"isolation: no route out; outside connects fail ({', '.join(sorted(set(str(v) for v in isolation.values())))})")
        config = self.config_file(replicate_seconds, k or self.args.k, extra_config)
        logs = self.logs_dir = os.path.join(self.dir, f"scenario{self.scenario_count}", "logs")
        os.makedirs(logs, exist_ok=True)
        self.nodes = []
        for i in range(count):
            data = os.path.join(self.dir, f"scenario{self.scenario_count}", f"h{i:03d}")
            nodes.copy_keys(os.path.join(self.keys_dir, f"h{i:03d}"), data)
            n = nodes.Node(i, self.network.hosts[i], self.network.addresses[i], data, self.args.dll, config, logs)
            n.publisher = self.publishers[i]
            self.nodes.append(n)
        mode = reachability or (lambda i: "server")
        if before_start:
            before_start(self.nodes)
        t0 = time.monotonic()
        self.nodes[0].start([], mode(0))
        self.wait_ready([self.nodes[0]], 120)
        if seeds > 1:
            for n in self.nodes[1:seeds]:
                n.start([self.nodes[0].endpoint], mode(n.index))
            self.wait_joined(self.nodes[1:seeds], self.args.start_timeout)
            lost = self.failed_joins(self.nodes[1:seeds])
            if lost:
                raise RuntimeError(f"seeds {[n.index for n in lost]} could not join through host 0")
        seed_s = time.monotonic() - t0
        through = [n.endpoint for n in self.nodes[:seeds]]
        t1 = time.monotonic()
        for n in self.nodes[seeds:]:
            n.start(through, mode(n.index))
        (self.wait_joined if await_join else self.wait_ready)(self.nodes[seeds:], self.args.start_timeout)
        join_s = time.monotonic() - t1
        first = self.failed_joins(self.nodes[seeds:])
        reasons = sorted({o for n in first for o in n.join_outcomes()})
        if first:
            # The node never retries a failed join (it runs on with no contacts): restart those nodes once.
            self.log(f"{len(first)} of {count - seeds} joins failed at once ({'; '.join(reasons)[:200]}); restarting those nodes once")
            for n in first:
                n.stop()
                n.start(through, mode(n.index))
            (self.wait_joined if await_join else self.wait_ready)(first, self.args.start_timeout)
        still = self.failed_joins(first)
        contacts = [n.status()["contacts"] for n in self.nodes]
        self.log(f"{count} nodes up: {seeds} seed(s) in {seed_s:.1f} s, the other {count - seeds} at once in {join_s:.1f} s "
                 f"({len(first)} failed joins restarted, {len(still)} still failed); "
                 f"contacts min/median/max {min(contacts)}/{sorted(contacts)[len(contacts) // 2]}/{max(contacts)}")
        if still:
            raise RuntimeError(f"the join failed twice on hosts {[n.index for n in still]}")
        return {"hosts": count, "seeds": seeds, "seed_start_s": round(seed_s, 1), "join_all_s": round(join_s, 1),
                "joins_failed_at_once": len(first), "join_failure_reasons": reasons,
                "contacts": {"min": min(contacts), "median": sorted(contacts)[len(contacts) // 2], "max": max(contacts)},
                "isolation": isolation, "impairment": self.impairment}

    @staticmethod
    def failed_joins(which):
        """Nodes whose latest start logged a join reply other than Joined."""
        return [n for n in which if not (n.join_outcomes() or ["none"])[-1].startswith("Joined")]

    def wait_ready(self, which, seconds):
        self.deadline.wait_until(lambda: all(n.ready() for n in which), seconds, f"{len(which)} node(s) to open their control channel and log the outcome of their join")

    def stop_all(self, timeout):
        """SIGTERM to every running node at once (each saves its routing table as it stops), then waits; a node
        still running after `timeout` seconds is killed. Returns how many exited on their own."""
        running = [n for n in self.nodes if n.running()]
        for n in running:
            n.terminate()
        end = time.monotonic() + self.deadline.bound(timeout)
        clean = 0
        for n in running:
            if n.wait_exit(max(0.1, end - time.monotonic())):
                clean += 1
            else:
                n.kill9()
        return clean

    def wait_joined(self, which, seconds):
        """Waits for the control channels, then for each node's join line (the channel opens before the join)."""
        self.wait_ready(which, seconds)
        self.deadline.wait_until(lambda: all(n.join_outcomes() for n in which), seconds, f"{len(which)} node(s) to log their join")

    def down(self):
        """Stops every node (SIGKILL: the scenario is over) and removes the namespaces."""
        for n in self.nodes:
            try:
                n.kill9()
            except Exception as e:  # keep cleaning
                self.log(f"cleanup: node {n.index}: {e}")
        self.nodes = []
        if self.network:
            for pid in self.network.pids():  # anything else started inside our namespaces
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
            self.network.destroy()
            self.network = None

    def close(self):
        self.down()
        if self.args.keep:
            self.log(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- workload ---------------------------------------------------------------------------------------------

    def put_items(self, count, prefix="item", writers=None):
        """Puts `count` new items, each signed by and put through a random host; returns the items and timings."""
        writers = writers if writers is not None else [n for n in self.nodes if n.running()]
        items = []
        for i in range(count):
            w = self.rng.choice(writers)
            name = f"{prefix}-{i}"
            items.append({"name": name, "publisher": w.index, "via": w.index, "key": w.publisher.item_key(name),
                          "value": f"{name} v1", "timestamp": time.time()})
        return items, self.publish(items)

    def publish(self, items):
        """Puts every item through node `via`, signed by node `publisher`; returns put latencies and failures."""
        def one(it):
            node = self.nodes[it["via"]]
            code, doc, s = node.put(self.nodes[it["publisher"]].publisher, it["name"], it["value"], it["timestamp"],
                                    timeout=self.deadline.bound(120))
            return code, doc, s
        times, failures, stored = [], [], []
        for it, (code, doc, s) in zip(items, self.parallel(one, items)):
            it["put_ok"] = code == 200
            if code == 200:
                times.append(s)
                stored.append(doc.get("stored", 0))
            else:
                failures.append(f"{it['name']}: {code} {str(doc)[:120]}")
        return {"latency": ms_summary(times), "failed": len(failures), "failures": failures[:5],
                "stored_min": min(stored) if stored else None, "stored_median": percentile(stored, 50)}

    def get_items(self, pairs, latest=False):
        """Gets (item, reader node) pairs; found = a value came back, newest = it is the item's current value.
        With latest, each get asks for the newest copy among the k closest (and repairs stale holders)."""
        def one(pair):
            it, reader = pair
            code, doc, s = reader.get(it["key"], timeout=self.deadline.bound(120), latest=latest)
            return code, doc, s
        times, found, newest, misses = [], 0, 0, []
        for (it, reader), (code, doc, s) in zip(pairs, self.parallel(one, pairs)):
            times.append(s)
            if code == 200:
                found += 1
                if doc.get("value") == it["value"]:
                    newest += 1
            elif len(misses) < 5:
                misses.append(f"{it['name']} from node {reader.index}: {code} {str(doc)[:120]}")
        n = len(pairs)
        return {"gets": n, "found": found, "found_pct": round(100.0 * found / n, 2) if n else None,
                "newest": newest, "newest_pct": round(100.0 * newest / n, 2) if n else None,
                "latency": ms_summary(times), "misses": misses, "latency_s": times}

    def readers_for(self, items, candidates=None):
        """Each item with a random running reader other than the node it was put through."""
        candidates = candidates or [n for n in self.nodes if n.running()]
        return [(it, self.rng.choice([c for c in candidates if c.index != it["via"]] or candidates)) for it in items]

    def parallel(self, fn, work):
        """Runs fn over work with --parallel workers; results in order. Each call is bounded by its own timeout."""
        results = [None] * len(work)
        pool = cf.ThreadPoolExecutor(max_workers=self.args.parallel)
        try:
            futures = {pool.submit(fn, w): i for i, w in enumerate(work)}
            for f in cf.as_completed(futures, timeout=self.deadline.bound(3600)):
                i = futures[f]
                try:
                    results[i] = f.result()
                except Exception as e:
                    results[i] = (0, {"error": f"{type(e).__name__}: {e}"}, 0.0)
        finally:
            # On Ctrl-C or the deadline, do not wait for requests in flight: the clean-up kills their nodes.
            pool.shutdown(wait=False, cancel_futures=True)
        return results


def link_loss(path_loss_pct):
    """The per-link loss (%) that gives `path_loss_pct` over a path of two links."""
    return round(100.0 * (1.0 - (1.0 - path_loss_pct / 100.0) ** 0.5), 3)


def blacklistings(log_dir):
    """Lines in the node logs of a scenario where a node blacklisted a peer."""
    count = 0
    for name in os.listdir(log_dir):
        with open(os.path.join(log_dir, name), encoding="utf-8", errors="replace") as f:
            count += sum(1 for line in f if "blacklisting" in line or "Blacklisted" in line)
    return count


def cleanup_leftovers(log):
    """Removes namespaces, their processes and temp dirs of testbed runs whose driver is no longer running."""
    live = set()
    tmp = tempfile.gettempdir()
    dirs = [d for d in os.listdir(tmp) if d.startswith(TEMP_PREFIX)]
    for d in dirs:
        try:
            with open(os.path.join(tmp, d, "driver.pid"), encoding="ascii") as f:
                pid = int(f.read().strip())
            os.kill(pid, 0)
            live.add(d[len(TEMP_PREFIX):].split("-", 1)[0])
        except (OSError, ValueError):
            pass
    removed = 0
    for ns in net.list_namespaces():
        rid = net.run_id_of(ns)
        if rid is not None and any(rid.startswith(l) for l in live):
            continue
        for pid in subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split():
            try:
                os.kill(int(pid), 9)
                log(f"killed pid {pid} in {ns}")
            except ProcessLookupError:
                pass
        net.ip("netns", "del", ns, check=False)
        removed += 1
    # The emulators of a run live in its namespaces (killed above); their sockets live in its run directory.
    for d in dirs:
        if d[len(TEMP_PREFIX):].split("-", 1)[0] not in live:
            shutil.rmtree(os.path.join(tmp, d), ignore_errors=True)
            log(f"removed {os.path.join(tmp, d)}")
    log(f"removed {removed} namespace(s); {len(live)} live run(s) left alone")
