"""Network namespaces on an emulated switch: one parent namespace holding a user-space VDE switch
(`vde_switch`), N host namespaces each joined to it through its own `wirefilter`, which gives that host's
link its delay, jitter, loss and bandwidth, changed at run time through the wirefilter's management socket.
A partition is `loss 100` on the cut hosts; healing sets their loss back.

Why not `tc netem`: the kernels this runs on (and CI's) have no sch_netem, so netem's delay and loss never
ran. The switch and the wirefilters are ordinary processes talking over pathname unix sockets (which work
across namespaces); each host sees a TAP device `tb0` with an address in 10.77.0.0/16 and no route out.
Impairment is per host link: a packet from A to B gets A's outbound and B's inbound setting, so a round
trip between two hosts with `delay D` each is 4 D. Measured accuracy and the two conditions kept here
(real-time priority for the emulator processes, a bandwidth cap per host) are in the README.

Every namespace is named PREFIX + run id + suffix, so `cleanup_leftovers` can find them; every emulator
process is started here, its pid kept, and killed by pid.
"""
import ctypes
import errno
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import time

PREFIX = "dtb"
NETNS_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000
SUBNET = "10.77.0.0/16"
OUTSIDE_PROBES = [("192.0.2.1", 80), ("1.1.1.1", 443), ("8.8.8.8", 53)]
PACKAGES = ["vde2", "vde-wirefilter"]
TOOLS = ["vde_switch", "wirefilter"]
FIREWALL_PACKAGES = ["nftables"]  # only the nat scenario needs it
FIREWALL_TOOLS = ["nft"]
FIREWALL_TABLE = "drogtb"
TAP = "tb0"
DGRAM_QLEN = 1024  # unix datagram queue of switch <-> wirefilter; the default (10) drops packets under bursts
EMULATORS = ("vde_switch", "wirefilter")

_libc = ctypes.CDLL(None, use_errno=True)


def ip(*args, check=True, timeout=20):
    r = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {r.stderr.strip()}")
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


def tap_available():
    """True when /dev/net/tun is a character device (the TAP device of each host needs it)."""
    try:
        return stat.S_ISCHR(os.stat("/dev/net/tun").st_mode)
    except OSError:
        return False


def ensure_packages(log, packages=PACKAGES, tools=TOOLS):
    """Installs Debian `packages` (by default the emulator's) when one of `tools` is missing (CI starts on a
    fresh machine)."""
    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return False
    if shutil.which("apt-get") is None:
        raise RuntimeError(f"{', '.join(missing)} missing and no apt-get to install {' '.join(packages)}")
    log(f"installing {' '.join(packages)} ({', '.join(missing)} missing)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if subprocess.run(install, env=env, capture_output=True, timeout=600).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=600)
        r = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError(f"apt-get install {' '.join(packages)} failed: {r.stderr.strip()[-300:]}")
    still = [t for t in tools if shutil.which(t) is None]
    if still:
        raise RuntimeError(f"{', '.join(still)} still missing after installing {' '.join(packages)}")
    return True


def mgmt(path, *commands, timeout=5.0):
    """Sends management commands to a wirefilter or vde_switch console socket; returns the replies' text.
    Raises when a command is refused (its reply lacks "1000 Success")."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)

        def read_prompt():
            out = b""
            while not out.endswith(b"$ "):
                d = s.recv(65536)
                if not d:
                    break
                out += d
            return out.decode(errors="replace")
        read_prompt()
        replies = []
        for c in commands:
            s.sendall(c.encode() + b"\n")
            r = read_prompt()
            if "1000 Success" not in r:
                raise RuntimeError(f"{os.path.basename(path)} refused {c!r}: {r.strip()[:200]}")
            replies.append(r)
        return "\n".join(replies)
    finally:
        s.close()


def netns_inode(path):
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


class Link:
    """One host's link setting: delay and uniform jitter in ms each way, loss in % each way."""

    def __init__(self, delay_ms=0.0, jitter_ms=0.0, loss_pct=0.0):
        self.delay_ms, self.jitter_ms, self.loss_pct = delay_ms, jitter_ms, loss_pct

    def commands(self, loss_pct=None):
        loss = self.loss_pct if loss_pct is None else loss_pct
        delay = f"{self.delay_ms:g}" + (f"+{self.jitter_ms:g}" if self.jitter_ms else "")
        return [f"delay {delay}", f"loss {loss:g}"]

    def as_dict(self):
        return {"delay_ms": self.delay_ms, "jitter_ms": self.jitter_ms, "loss_pct": self.loss_pct}


class Network:
    """The parent namespace with the switch, the host namespaces with their wirefilters, of one run."""

    def __init__(self, run_id, count, state_dir, bandwidth="10M", rt_priority=20):
        self.run_id = run_id
        self.parent = f"{PREFIX}{run_id}-p"
        self.hosts = [f"{PREFIX}{run_id}-h{i:03d}" for i in range(count)]
        self.addresses = [host_address(i) for i in range(count)]
        self.dir = os.path.join(state_dir, f"vde{run_id}")
        self.switch = os.path.join(self.dir, "sw")
        self.bandwidth, self.rt_priority = bandwidth, rt_priority
        self.links = [Link() for _ in range(count)]
        self.created = []
        self.emulators = {}  # name -> pid of every vde_switch / wirefilter started here
        self.realtime = None

    def _wf_mgmt(self, i):
        return os.path.join(self.dir, f"wf{i}.mgmt")

    def create(self):
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        os.chmod(self.dir, 0o700)
        if len(self.switch + "/ctl") >= 100 or len(self._wf_mgmt(len(self.hosts))) >= 100:
            raise RuntimeError(f"{self.dir} is too long for a unix socket path")
        ip("netns", "add", self.parent)
        self.created.append(self.parent)
        ip("-n", self.parent, "link", "set", "lo", "up")
        self._qlen(self.parent)
        self._daemon("switch", self.parent, ["vde_switch", "-s", self.switch, "-M", os.path.join(self.dir, "sw.mgmt"),
                                             "-n", str(len(self.hosts) + 4), "-d", "-p", os.path.join(self.dir, "sw.pid")],
                     os.path.join(self.dir, "sw.pid"))
        for i, ns in enumerate(self.hosts):
            ip("netns", "add", ns)
            self.created.append(ns)
            ip("-n", ns, "link", "set", "lo", "up")
            self._qlen(ns)
            # One process per host: switch port <-> wirefilter <-> TAP tb0 inside the host namespace.
            # LR = switch -> host (inbound), RL = host -> switch (outbound); a bare setting is both.
            pidfile = os.path.join(self.dir, f"wf{i}.pid")
            args = ["wirefilter", "-v", f"{self.switch}:tap://{TAP}", "-M", self._wf_mgmt(i), "--daemon", "--pidfile", pidfile]
            if self.bandwidth not in (None, "", "0"):
                args += ["-b", self.bandwidth]
            self._daemon(f"wf{i}", ns, args, pidfile)
        for i, ns in enumerate(self.hosts):
            end = time.monotonic() + 20
            while ip("-n", ns, "link", "show", TAP, check=False).returncode != 0:
                if time.monotonic() > end:
                    raise RuntimeError(f"{TAP} did not appear in {ns}")
                time.sleep(0.1)
            ip("-n", ns, "addr", "add", f"{self.addresses[i]}/16", "dev", TAP)
            ip("-n", ns, "link", "set", TAP, "up")
        self._realtime()

    def _qlen(self, ns):
        ip("netns", "exec", ns, "sysctl", "-qw", f"net.unix.max_dgram_qlen={DGRAM_QLEN}")

    def _daemon(self, name, ns, args, pidfile):
        """Starts a self-daemonising emulator in `ns` and records its pid from its pidfile."""
        r = subprocess.run(["ip", "netns", "exec", ns, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
        if r.returncode != 0:
            raise RuntimeError(f"{args[0]} in {ns} failed: {r.stderr.strip()[:200]}")
        end = time.monotonic() + 10
        while True:
            try:
                with open(pidfile, encoding="ascii") as f:
                    pid = int(f.read().strip())
                break
            except (OSError, ValueError):
                if time.monotonic() > end:
                    raise RuntimeError(f"{args[0]} in {ns} wrote no pid file")
                time.sleep(0.05)
        self.emulators[name] = pid

    def _realtime(self):
        """SCHED_FIFO for the emulators: on a busy machine they are otherwise starved, and the TAP queue
        overflows (extra loss) and delays drift (README)."""
        if self.rt_priority <= 0:
            self.realtime = "off"
            return
        failed = 0
        for pid in self.emulators.values():
            if subprocess.run(["chrt", "-f", "-p", str(self.rt_priority), str(pid)], capture_output=True).returncode != 0:
                failed += 1
        self.realtime = f"SCHED_FIFO {self.rt_priority}" if not failed else f"refused for {failed} of {len(self.emulators)} emulator processes"

    # -- impairment -------------------------------------------------------------------------------------------

    def impair(self, i, link):
        """Sets host i's link (both directions) and remembers it for healing."""
        self.links[i] = link
        mgmt(self._wf_mgmt(i), *link.commands())

    def impair_all(self, links):
        for i, link in enumerate(links):
            self.impair(i, link)

    def show(self, i):
        return mgmt(self._wf_mgmt(i), "showinfo")

    def partition(self, cut):
        """`loss 100` on each host in `cut` (indexes): nothing reaches or leaves them."""
        for i in cut:
            mgmt(self._wf_mgmt(i), self.links[i].commands(loss_pct=100)[1])

    def heal(self):
        for i in range(len(self.hosts)):
            mgmt(self._wf_mgmt(i), self.links[i].commands()[1])

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

    # -- isolation ----------------------------------------------------------------------------------------------

    def assert_isolated(self):
        """No route out of any namespace, a connect to an outside address fails from each one probed, every
        emulator process runs in one of this run's namespaces, and the switch has exactly one port per host."""
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
        assert names == ["lo"], f"the switch's namespace has links other than lo: {names}"
        inodes = {netns_inode(os.path.join(NETNS_DIR, ns)): ns for ns in self.created}
        for name, pid in self.emulators.items():
            where = netns_inode(f"/proc/{pid}/ns/net")
            assert where in inodes, f"emulator {name} (pid {pid}) is not in one of this run's namespaces"
            expected = self.parent if name == "switch" else self.hosts[int(name[2:])]
            assert inodes[where] == expected, f"emulator {name} (pid {pid}) runs in {inodes[where]}, not {expected}"
        for i, ns in enumerate(self.hosts):
            other = [l for l in ip("-n", ns, "-o", "link", "show").stdout.splitlines() if f": lo:" not in l and f": {TAP}:" not in l]
            assert not other, f"{ns} has links other than lo and {TAP}: {other[:1]}"
        # Only this run's wirefilters can reach the switch: its socket lies in the run's own directory (mode
        # 0700, root's); and it has exactly one active port per host.
        ports = self.switch_ports()
        assert ports == len(self.hosts), f"the switch has {ports} active ports for {len(self.hosts)} hosts"
        mode = stat.S_IMODE(os.stat(self.dir).st_mode)
        assert mode & 0o077 == 0, f"{self.dir} is open to others (mode {mode:o})"
        report["switch_ports"] = ports
        return report

    def switch_ports(self):
        """Active ports of the switch (one per wirefilter)."""
        out = mgmt(os.path.join(self.dir, "sw.mgmt"), "port/allprint")
        return sum(1 for line in out.splitlines() if line.startswith("Port ") and "ACTIVE" in line)

    # -- tear-down -----------------------------------------------------------------------------------------------

    def pids(self):
        out = []
        for ns in self.created:
            r = ip("netns", "pids", ns, check=False)
            out += [int(p) for p in r.stdout.split()]
        return out

    def stop_emulators(self):
        """TERM, then KILL, every emulator started here, by pid and only if the pid is still an emulator."""
        pids = [p for p in self.emulators.values() if _is_emulator(p)]
        for p in pids:
            _signal(p, signal.SIGTERM)
        end = time.monotonic() + 3
        while time.monotonic() < end and any(_is_emulator(p) for p in pids):
            time.sleep(0.1)
        for p in pids:
            if _is_emulator(p):
                _signal(p, signal.SIGKILL)
        self.emulators = {}

    def destroy(self):
        self.stop_emulators()
        for ns in reversed(self.created):
            ip("netns", "del", ns, check=False)
        self.created = []
        shutil.rmtree(self.dir, ignore_errors=True)


def _is_emulator(pid):
    try:
        with open(f"/proc/{pid}/comm", encoding="ascii") as f:
            return f.read().strip() in EMULATORS
    except OSError:
        return False


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def block_inbound(ns, port):
    """Makes host namespace `ns` undiallable on `port`, as a NAT or a firewall does: inbound TCP SYNs to the
    port are dropped (silently, so a dial hangs until its timeout) and counted in the nftables counter
    `syn_dropped`. The host still dials out: the replies of its own connections reach its ephemeral ports."""
    rules = (f"table inet {FIREWALL_TABLE} {{\n"
             f"  counter syn_dropped {{ }}\n"
             f"  chain input {{\n"
             f"    type filter hook input priority 0; policy accept;\n"
             f"    tcp dport {port} tcp flags & (syn | ack) == syn counter name \"syn_dropped\" drop\n"
             f"  }}\n"
             f"}}\n")
    r = subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=rules, capture_output=True, text=True, timeout=20)
    if r.returncode != 0:
        raise RuntimeError(f"nft in {ns}: {r.stderr.strip()[:300]}")


def dropped_syns(ns):
    """Packets counted by `block_inbound`'s counter in `ns` (each dial attempt, and each SYN retransmission)."""
    r = subprocess.run(["ip", "netns", "exec", ns, "nft", "-j", "list", "counter", "inet", FIREWALL_TABLE, "syn_dropped"],
                       capture_output=True, text=True, timeout=20)
    if r.returncode != 0:
        raise RuntimeError(f"nft list counter in {ns}: {r.stderr.strip()[:300]}")
    for entry in json.loads(r.stdout)["nftables"]:
        if "counter" in entry:
            return int(entry["counter"]["packets"])
    raise RuntimeError(f"no counter syn_dropped in {ns}")


def list_namespaces():
    if not os.path.isdir(NETNS_DIR):
        return []
    return sorted(n for n in os.listdir(NETNS_DIR) if n.startswith(PREFIX))


def run_id_of(ns):
    """'dtb1a2b3c-h001' -> '1a2b3c'; None for other names."""
    rest = ns[len(PREFIX):]
    return rest.split("-", 1)[0] if "-" in rest else None
