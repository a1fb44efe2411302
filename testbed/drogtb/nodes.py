"""drogulus-node processes, one per host namespace, and a client for their control channels.

A node's control channel listens on 127.0.0.1 inside its own namespace; the client opens its socket in that
namespace (net.socket_in) and speaks HTTP to it directly, so put/get timings are the node's, not the
~100+ ms start-up of a `drogulus-node put` process.
"""
import http.client
import json
import os
import shutil
import signal
import subprocess
import time

from . import net, wire

PASSPHRASE = "drogulus testbed passphrase"
NODE_PORT = 4000


class NodeError(Exception):
    pass


class _NsConnection(http.client.HTTPConnection):
    def __init__(self, ns, port, timeout):
        super().__init__("127.0.0.1", port, timeout=timeout)
        self._ns = ns

    def connect(self):
        self.sock = net.socket_in(self._ns)
        self.sock.settimeout(self.timeout)
        self.sock.connect((self.host, self.port))


class Node:
    def __init__(self, index, ns, address, data, dll, config, log_dir):
        self.index, self.ns, self.address, self.data = index, ns, address, data
        self.dll, self.config, self.log_dir = dll, config, log_dir
        self.proc = None
        self.log = None
        self.publisher = None
        self.starts = 0
        self.node_id = None  # hex, from /status, when a scenario asked for it

    @property
    def endpoint(self):
        return f"{self.address}:{NODE_PORT}"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def keygen(self, timeout):
        os.makedirs(self.data, exist_ok=True)
        r = subprocess.run(["dotnet", self.dll, "keygen", "--data", self.data], env=_env(), capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise NodeError(f"keygen {self.data}: {r.stderr.strip()}")

    def load_publisher(self):
        key = wire.RsaKey.from_encrypted_file(os.path.join(self.data, "publisher-key.pem"), PASSPHRASE)
        with open(os.path.join(self.data, "publisher-public-key.pem"), encoding="ascii") as f:
            self.publisher = wire.Publisher(key, f.read())
        return self.publisher

    def start(self, seeds, reachability="server"):
        """Starts `drogulus-node start` inside the host namespace (ip netns exec execs, so the pid is dotnet's).
        `reachability` is the --reachability option; None leaves it out (the command line's default, auto)."""
        if self.running():
            raise NodeError(f"node {self.index} is already running")
        control = os.path.join(self.data, "control.json")
        if os.path.exists(control):
            os.remove(control)  # left by a kill -9; readiness is its reappearance
        self.starts += 1
        self.log = open(os.path.join(self.log_dir, f"node{self.index:03d}-{self.starts}.log"), "wb")
        # Every testbed host can be dialled, so its node is a server from the start (PROTOCOL §10). The command
        # line's default, auto, starts as a client, and a network whose first node is a client cannot form. (The
        # nat scenario runs its seeds as servers and the rest with the default.)
        args = ["ip", "netns", "exec", self.ns, "dotnet", self.dll, "start", "--data", self.data,
                "--listen", self.endpoint, "--config", self.config]
        if reachability is not None:
            args += ["--reachability", reachability]
        for s in seeds:
            args += ["--seed", s]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=_env(), start_new_session=True)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def control_port(self):
        try:
            with open(os.path.join(self.data, "control.json"), encoding="utf-8") as f:
                c = json.load(f)
        except (OSError, ValueError):
            return None
        return c["Port"] if c.get("ProcessId") == self.pid else None

    def ready(self):
        """The control channel answers and this start's one join attempt is over. The CLI opens the control channel
        before it joins (so that `status` says "joining" during a long join), so the channel alone does not say
        the join is done: its outcome line (or the alone line of a node with nothing to join through) does."""
        if not self.running():
            if self._current_log_has(self.JOIN_MARKERS[2:]):
                return True  # a join through --seed failed and the process ended: up() restarts it once
            raise NodeError(f"node {self.index} exited with {self.proc.returncode if self.proc else '?'}; log {self._current_log()}")
        return self.control_port() is not None and self._current_log_has(self.JOIN_MARKERS + self.ALONE_MARKERS)

    def _current_log(self):
        return os.path.join(self.log_dir, f"node{self.index:03d}-{self.starts}.log")

    def _current_log_has(self, markers):
        try:
            with open(self._current_log(), encoding="utf-8", errors="replace") as f:
                return any(m in line for line in f for m in markers)
        except OSError:
            return False

    def kill9(self):
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._close_log()

    def stop(self, timeout=20):
        """SIGTERM (the node saves its routing table), then SIGKILL after `timeout`."""
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._close_log()

    def terminate(self):
        """SIGTERM without waiting (see wait_exit)."""
        if self.running():
            self.proc.send_signal(signal.SIGTERM)

    def wait_exit(self, timeout):
        """True when the process exited within `timeout` seconds (its log is then closed)."""
        if self.proc is None:
            return True
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        self._close_log()
        return True

    def _close_log(self):
        if self.log:
            self.log.close()
            self.log = None

    def request(self, method, path, body=None, timeout=90.0):
        """(status, json, seconds) of one control-channel request; seconds covers connect to last byte."""
        port = self.control_port()
        if port is None:
            raise NodeError(f"node {self.index} has no control channel")
        conn = _NsConnection(self.ns, port, timeout)
        headers = {"Content-Type": "application/x-msgpack"} if body is not None else {}
        t0 = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read()
            elapsed = time.perf_counter() - t0
        finally:
            conn.close()
        try:
            doc = json.loads(text) if text else {}
        except ValueError:
            doc = {"error": text[:200].decode("utf-8", "replace")}
        return resp.status, doc, elapsed

    def status(self, timeout=30.0):
        code, doc, _ = self.request("GET", "/status", timeout=timeout)
        if code != 200:
            raise NodeError(f"status of node {self.index}: {code} {doc}")
        return doc

    def put(self, publisher, name, value, timestamp, timeout=90.0):
        return self.request("POST", "/items", publisher.store_message(name, value, timestamp), timeout=timeout)

    def get(self, key, timeout=90.0, latest=False):
        return self.request("GET", "/items/" + key.hex() + ("?latest=true" if latest else ""), timeout=timeout)

    # What the CLI writes about its one join attempt: "Joined the network through N seeds: M contacts",
    # "Could not join through the saved contacts: ..." (a log line) or "cannot join through --seed ..." (the
    # one-line error of a failed start).
    JOIN_MARKERS = ("Joined the network through", "Could not join", "cannot join through")
    # A node started with no --seed and no saved contacts (the seed, host 0) logs this instead of joining.
    ALONE_MARKERS = ("is alone: it has no saved contacts",)

    def join_outcomes(self):
        """The join lines of this node's logs so far, without the log line's time and level."""
        out = []
        for name in sorted(os.listdir(self.log_dir)):
            if name.startswith(f"node{self.index:03d}-"):
                with open(os.path.join(self.log_dir, name), encoding="utf-8", errors="replace") as f:
                    out += [line.split("] ", 1)[-1].strip() for line in f if any(m in line for m in self.JOIN_MARKERS)]
        return out

    def memory_kb(self):
        """(RSS, PSS) in kB from /proc/PID/smaps_rollup."""
        return smaps_rollup(self.pid)


def cpu_seconds(pid):
    """utime + stime of a process, in seconds, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def smaps_rollup(pid):
    values = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:"):
                values[parts[0][:-1]] = int(parts[1])
    return values.get("Rss", 0), values.get("Pss", 0)


def _env():
    env = dict(os.environ)
    env.update({"DROGULUS_PASSPHRASE": PASSPHRASE, "DOTNET_CLI_TELEMETRY_OPTOUT": "1", "DOTNET_NOLOGO": "1"})
    return env


def copy_keys(src, dst):
    """Reuses a keygen'd data directory's identity and keys (RSA generation is the slow part of keygen)."""
    os.makedirs(dst, exist_ok=True)
    for name in ("node-identity.pfx", "publisher-key.pem", "publisher-public-key.pem"):
        shutil.copy2(os.path.join(src, name), os.path.join(dst, name))
