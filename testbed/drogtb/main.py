"""Command line: testbed/run.sh SCENARIO [options]; SCENARIO is join, churn, partition, abuse, memory, latency,
slow-quarter, lossy, nat, small, impaired (latency, slow-quarter, lossy, partition and churn, one after another),
slow-pair (latency, then slow-quarter, so that slow-quarter compares its p99 with latency's),
all (every scenario but small) or cleanup (remove leftovers of earlier runs). Every host's link goes through
an emulated switch with the delay, jitter and loss of --delay, --jitter and --loss (figures of a path between
two hosts)."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

from . import bed, net, scenarios, wire

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DLL = os.path.join(ROOT, "samples", "Drogulus.Node", "bin", "Release", "net10.0", "drogulus-node.dll")
SKIP = 77  # exit code of a run that could not start for lack of root or `ip netns`

# Per-scenario defaults that differ from the common ones (hosts, items, overall deadline in seconds).
DEFAULTS = {
    "join": {"hosts": 30, "items": 500, "max_seconds": 900},
    "churn": {"hosts": 30, "items": 500, "max_seconds": 900},
    "partition": {"hosts": 30, "items": 150, "max_seconds": 900},
    "abuse": {"hosts": 30, "items": 150, "max_seconds": 900},
    "memory": {"hosts": 30, "items": 200, "max_seconds": 900},
    "latency": {"hosts": 30, "items": 300, "max_seconds": 900},
    "slow-quarter": {"hosts": 30, "items": 300, "max_seconds": 1500},
    "lossy": {"hosts": 30, "items": 300, "max_seconds": 900},
    "small": {"hosts": 10, "items": 40, "max_seconds": 300, "replicate": 20},
    "nat": {"hosts": 30, "items": 30, "max_seconds": 1200},
}
GROUPS = {"all": ["join", "churn", "partition", "abuse", "memory", "latency", "slow-quarter", "lossy"],
          "impaired": ["latency", "slow-quarter", "lossy", "partition", "churn"],
          "slow-pair": ["latency", "slow-quarter"]}


class Stop(BaseException):
    """Raised in the main thread by SIGINT, SIGTERM or the overall deadline (SIGALRM)."""


def parse(argv):
    p = argparse.ArgumentParser(prog="testbed/run.sh", description=__doc__)
    p.add_argument("scenario", choices=sorted(list(scenarios.SCENARIOS) + list(GROUPS) + ["cleanup"]))
    p.add_argument("--hosts", type=int, help="host namespaces, one node each (default per scenario: 30, small 10)")
    p.add_argument("--items", type=int, help="items put (default per scenario)")
    p.add_argument("--delay", type=float, default=25.0, help="one-way delay in ms of a path between two hosts (default 25: a 50 ms round trip)")
    p.add_argument("--jitter", type=float, default=5.0, help="± uniform jitter in ms of that path (default 5)")
    p.add_argument("--loss", type=float, help="loss in %% of that path, each direction (default 1; lossy: 5)")
    p.add_argument("--slow-delay", type=float, default=150.0, help="slow-quarter: one-way delay in ms between a slow host and a normal one (default 150)")
    p.add_argument("--slow-fraction", type=float, default=0.25, help="slow-quarter: share of slow hosts, never the seed (default 0.25)")
    p.add_argument("--bandwidth", default="10M", help="wirefilter bandwidth cap of every host link in bytes/s (default 10M; 0 = none)")
    p.add_argument("--rt-priority", type=int, default=20, help="SCHED_FIFO priority of the emulator processes (default 20; 0 = off)")
    p.add_argument("--k", type=int, default=8, help="drogulus.k of the nodes (default 8: 30 hosts with k = 20 would put every item on two thirds of them)")
    p.add_argument("--replicate", type=int, help="drogulus.replicate-interval in seconds (default 30; small: 20)")
    p.add_argument("--margin", type=int, default=10, help="seconds added to each replicate-interval wait (default 10)")
    p.add_argument("--parallel", type=int, default=4, help="concurrent puts or gets of the workload (default 4)")
    p.add_argument("--partition-seconds", type=int, default=60, help="how long the partition holds (default 60)")
    p.add_argument("--extra-intervals", type=int, default=1, help="partition: further replicate intervals measured after the first (figures only; default 1)")
    p.add_argument("--updates", type=int, default=10, help="partition: items updated on each side, and on both (default 10)")
    p.add_argument("--flood-workers", type=int, default=29, help="abuse: TLS connections of the wire flood, spread over the other nodes (default 29)")
    p.add_argument("--store-flood-workers", type=int, default=4, help="abuse: concurrent puts of the store flood through the abuser's node (default 4)")
    p.add_argument("--abuse-gets", type=int, default=300, help="abuse: gets by the other hosts in each phase, quiet and flooded (default 300)")
    p.add_argument("--dhtnode-settle", type=int, default=20, help="memory: seconds the dhtnode processes run before measuring")
    p.add_argument("--nat-seeds", type=int, default=5, help="nat: hosts 0.. that run --reachability server (default 5: an auto node needs more than 3 servers of distinct groups to dial it back)")
    p.add_argument("--nat-fraction", type=float, default=0.25, help="nat: share of the other hosts that cannot be dialled (default 0.25 of all hosts)")
    p.add_argument("--nat-poll", type=float, default=1.0, help="nat: seconds between rounds of status polls of every node (default 1)")
    p.add_argument("--nat-classify-seconds", type=int, default=240, help="nat: longest wait for every auto node to be classified (default 240)")
    p.add_argument("--nat-drain", type=int, default=25, help="nat: seconds after classification before the SYN counters' baseline (default 25 > connect-timeout + request-timeout)")
    p.add_argument("--nat-server-within", type=float, default=60.0, help="nat: target seconds from join to server of a reachable auto node (default 60)")
    p.add_argument("--nat-refresh", default="30m", help="nat: drogulus.refresh-interval, also when a client tests again (default 30m: after the run)")
    p.add_argument("--warmup", type=int, default=0, help="latency, slow-quarter, lossy: items put and read (plain and latest) after the join and before the measured workload, "
                   "so that the figures are of nodes that have served some requests (default 0: fresh processes, as the targets were set)")
    p.add_argument("--hocon", action="append", help="a HOCON line added to every node's configuration, e.g. 'drogulus.alpha = 9' (repeatable)")
    p.add_argument("--min-found", type=float, default=100.0, help="join/abuse: least %% of gets that must find the item")
    p.add_argument("--start-timeout", type=int, default=240, help="seconds for started nodes to open their control channel")
    p.add_argument("--max-seconds", type=int, help="overall deadline of the run (default per scenario; all: their sum)")
    p.add_argument("--seed", type=int, default=14, help="random seed of the workload")
    p.add_argument("--json", help="write the figures to this file")
    p.add_argument("--keep", action="store_true", help="keep the run directory (logs, data) instead of removing it")
    p.add_argument("--dll", default=DLL, help="drogulus-node.dll (default: the Release build of samples/Drogulus.Node)")
    return p.parse_args(argv)


def _without_samples(doc):
    """The figures without the raw latency samples (kept in memory only to merge percentiles)."""
    if isinstance(doc, dict):
        return {k: _without_samples(v) for k, v in doc.items() if k != "latency_s"}
    if isinstance(doc, list):
        return [_without_samples(v) for v in doc]
    return doc


def log(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def preflight(args):
    """Exit SKIP when the testbed cannot run here at all; fail loudly for everything else that is missing."""
    if os.geteuid() != 0:
        log("SKIP: network namespaces are not available: the testbed needs root to create them")
        sys.exit(SKIP)
    if shutil.which("ip") is None or subprocess.run(["ip", "netns", "list"], capture_output=True).returncode != 0:
        log("SKIP: network namespaces are not available: `ip netns` (iproute2) is missing or fails")
        sys.exit(SKIP)
    if not net.tap_available():
        log("SKIP: the TAP device /dev/net/tun is missing (each host joins the emulated switch through a TAP)")
        sys.exit(SKIP)
    net.ensure_packages(log)  # vde2 and vde-wirefilter from Debian; a failure to install fails the run
    if args.scenario == "nat":
        net.ensure_packages(log, net.FIREWALL_PACKAGES, net.FIREWALL_TOOLS)  # nft, for the unreachable hosts' firewall
    for tool in ("openssl", "dotnet"):
        if shutil.which(tool) is None:
            raise SystemExit(f"testbed: `{tool}` is required and missing")
    if not os.path.exists(args.dll):
        raise SystemExit(f"testbed: {args.dll} is missing; build it: dotnet build -c Release samples/Drogulus.Node")
    wire.self_test(os.path.join(ROOT, "docs", "vectors", "signed-item.json"))


def main(argv):
    args = parse(argv)
    if args.scenario == "cleanup":
        if os.geteuid() != 0:
            raise SystemExit("testbed: cleanup needs root")
        bed.cleanup_leftovers(log)
        return 0
    preflight(args)
    names = GROUPS.get(args.scenario, [args.scenario])
    budget = args.max_seconds or sum(DEFAULTS[n]["max_seconds"] for n in names)
    deadline = bed.Deadline(budget)

    def stop(signum, _frame):
        raise Stop(signal.Signals(signum).name)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
        signal.signal(s, stop)
    signal.alarm(budget + 30)  # a hard stop should a wait somewhere not honour the deadline
    tb = bed.Testbed(args, deadline, log)
    results, failed = {}, []
    status = 1
    try:
        for name in names:
            run = argparse.Namespace(**vars(args))
            run.hosts = args.hosts or DEFAULTS[name]["hosts"]
            run.items = args.items or DEFAULTS[name]["items"]
            run.replicate = args.replicate or DEFAULTS[name].get("replicate", 30)
            run.loss = args.loss if args.loss is not None else (5.0 if name == "lossy" else 1.0)
            tb.args = run
            log(f"== {name}: {run.hosts} hosts, {run.items} items (overall deadline in {deadline.remaining():.0f} s)")
            t0 = time.monotonic()
            tb.results = results  # slow-quarter compares its tail with latency's when both ran
            try:
                figures, checks = scenarios.SCENARIOS[name](tb)
            except Exception as e:  # this scenario is over; the next one gets a fresh network
                log(f"{name}: {type(e).__name__}: {e}")
                figures, checks = {"error": f"{type(e).__name__}: {e}"}, [f"{type(e).__name__}: {e}"]
            figures["seconds"] = round(time.monotonic() - t0, 1)
            figures["checks_failed"] = checks
            results[name] = figures
            failed += [f"{name}: {c}" for c in checks]
            log(f"== {name}: {'PASS' if not checks else 'FAIL: ' + '; '.join(checks)} ({figures['seconds']} s)")
            tb.down()
        status = 1 if failed else 0
    except Stop as e:
        log(f"stopped by {e}; cleaning up")
        failed.append(f"stopped by {e}")
        status = 130
    except Exception as e:
        log(f"FAILED: {type(e).__name__}: {e}")
        failed.append(f"{type(e).__name__}: {e}")
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
            signal.signal(s, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the cleanup
        signal.alarm(0)
        tb.close()
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump({"scenario": args.scenario, "failed": failed, "results": _without_samples(results),
                           "load_average": os.getloadavg(), "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                           "options": {k: v for k, v in vars(args).items() if k != "dll"}}, f, indent=2, default=str)
            log(f"figures written to {args.json}")
    log("PASS" if status == 0 else f"FAIL ({'; '.join(failed)})")
    return status
