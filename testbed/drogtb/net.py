"""Network namespaces: one parent holding a bridge, N hosts on veth pairs, netem, partitions, isolation checks.

Every namespace this module makes is named PREFIX + run id + suffix, so `cleanup_leftovers` can find them.
The parent namespace has no address, no route and no link to the root namespace; a host namespace has `lo`
and one veth whose peer is a port of the parent's bridge, an address in 10.77.0.0/16 and no default route.
"""
import ctypes
import errno
import os
import socket
import subprocess

PREFIX = "dtb"
NETNS_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000
SUBNET = "10.77.0.0/16"
OUTSIDE_PROBES = [("192.0.2.1", 80), ("1.1.1.1", 443), ("8.8.8.8", 53)]

_libc = ctypes.CDLL(None, use_errno=True)


def ip(*args, check=True, timeout=20):
    r = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {r.stderr.strip()}")
    return r


def tc(*args, check=True, timeout=20):
    r = subprocess.run(["tc", *args], capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"tc {' '.join(args)}: {r.stderr.strip()}")
    return r


def host_address(i):
    """Host i (0-based) gets 10.77.a.b with b in 1..250."""
    return f"10.77.{i // 250}.{i % 250 + 1}"


def socket_in(ns, family=socket.AF_INET, kind=socket.SOCK_STREAM):
    """A socket created inside namespace `ns` (a socket keeps the namespace it was made in)."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(os.path.join(NETNS_DIR, ns), os.O_RDONLY)
    try:
        if _libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns}")
        try:
            return socket.socket(family, kind)
        finally:
            if _libc.setns(own, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")
    finally:
        os.close(target)
        os.close(own)


def netem_available():
    """True when the kernel has sch_netem (tried on lo of a throwaway namespace)."""
    probe = f"{PREFIX}probe{os.getpid()}"
    ip("netns", "add", probe)
    try:
        ip("-n", probe, "link", "set", "lo", "up")
        return tc("-n", probe, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms", check=False).returncode == 0
    finally:
        ip("netns", "del", probe, check=False)


class Network:
    """The parent namespace, its bridges and the host namespaces of one run."""

    def __init__(self, run_id, count):
        self.run_id = run_id
        self.parent = f"{PREFIX}{run_id}-p"
        self.hosts = [f"{PREFIX}{run_id}-h{i:03d}" for i in range(count)]
        self.addresses = [host_address(i) for i in range(count)]
        self.created = []

    def create(self):
        ip("netns", "add", self.parent)
        self.created.append(self.parent)
        ip("-n", self.parent, "link", "set", "lo", "up")
        for bridge in ("br0", "br1"):  # br1 holds the far side of a partition
            ip("-n", self.parent, "link", "add", bridge, "type", "bridge")
            ip("-n", self.parent, "link", "set", bridge, "up")
        for i, ns in enumerate(self.hosts):
            ip("netns", "add", ns)
            self.created.append(ns)
            port = self._port(i)
            ip("-n", self.parent, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
            ip("-n", self.parent, "link", "set", port, "master", "br0")
            ip("-n", self.parent, "link", "set", port, "up")
            ip("-n", ns, "link", "set", "lo", "up")
            ip("-n", ns, "addr", "add", f"{self.addresses[i]}/16", "dev", "eth0")
            ip("-n", ns, "link", "set", "eth0", "up")

    @staticmethod
    def _port(i):
        return f"vh{i:03d}"

    def apply_netem(self, delay_ms, jitter_ms, loss_pct):
        """Egress of every host: delay ± jitter and loss (so a round trip between two hosts is twice the delay)."""
        for ns in self.hosts:
            tc("-n", ns, "qdisc", "replace", "dev", "eth0", "root", "netem",
               "delay", f"{delay_ms}ms", f"{jitter_ms}ms", "distribution", "normal", "loss", f"{loss_pct}%")

    def partition(self, far_side):
        """Moves the bridge ports of the hosts in `far_side` (indexes) to br1: the two sides no longer meet."""
        for i in far_side:
            ip("-n", self.parent, "link", "set", self._port(i), "master", "br1")

    def heal(self):
        for i in range(len(self.hosts)):
            ip("-n", self.parent, "link", "set", self._port(i), "master", "br0")

    def can_connect(self, ns, address, port, timeout=2.0):
        s = socket_in(ns)
        s.settimeout(timeout)
        try:
            s.connect((address, port))
            return True
        except OSError:
            return False
        finally:
            s.close()

    def assert_isolated(self):
        """No route out of any namespace, and a connect to an outside address fails from each of them."""
        report = {}
        for ns in [self.parent] + self.hosts[:3]:
            routes = ip("-n", ns, "route", "show").stdout.strip().splitlines()
            bad = [r for r in routes if not r.startswith("10.77.")]
            assert not bad, f"{ns} has a route out: {bad}"
            for address, port in OUTSIDE_PROBES:
                s = socket_in(ns)
                s.settimeout(2.0)
                try:
                    s.connect((address, port))
                    raise AssertionError(f"{ns} reached {address}:{port}")
                except OSError as e:
                    report[f"{ns} -> {address}:{port}"] = errno.errorcode.get(e.errno, str(e)) if e.errno else "timeout"
                finally:
                    s.close()
        links = ip("-n", self.parent, "-o", "link", "show").stdout
        names = sorted({line.split(":")[1].strip().split("@")[0] for line in links.splitlines()})
        stray = [n for n in names if not (n == "lo" or n.startswith("br") or n.startswith("vh"))]
        assert not stray, f"the parent namespace has links other than its bridges and host ports: {stray}"
        for line in links.splitlines():  # each host port's peer is the eth0 of one of this run's host namespaces
            if ": vh" in line:
                peer = line.split("link-netns ")[1].split()[0] if "link-netns " in line else None
                assert peer in self.hosts, f"a bridge port of the parent leads outside the testbed: {line[:120]}"
        return report

    def pids(self):
        out = []
        for ns in self.created:
            r = ip("netns", "pids", ns, check=False)
            out += [int(p) for p in r.stdout.split()]
        return out

    def destroy(self):
        for ns in reversed(self.created):
            ip("netns", "del", ns, check=False)
        self.created = []


def list_namespaces():
    if not os.path.isdir(NETNS_DIR):
        return []
    return sorted(n for n in os.listdir(NETNS_DIR) if n.startswith(PREFIX))


def run_id_of(ns):
    """'dtb1a2b3c-h001' -> '1a2b3c'; None for other names."""
    rest = ns[len(PREFIX):]
    return rest.split("-", 1)[0] if "-" in rest else None
