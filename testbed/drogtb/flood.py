"""A wire-level request flood from one host: TLS 1.3 connections with a throwaway client certificate,
`findvalue` requests for random keys, one in flight per connection, replies read and dropped.

The flooder's node id is SHA-512 of its certificate's SubjectPublicKeyInfo (docs/PROTOCOL.md section 2) and
its reply_port is 0, so the targets answer it but never add it to their routing tables.
"""
import hashlib
import os
import ssl
import subprocess
import threading
import uuid

from . import net, wire


def make_identity(directory):
    """(cert path, key path, node id bytes) of a new self-signed RSA 2048 certificate."""
    cert, key = os.path.join(directory, "flood-cert.pem"), os.path.join(directory, "flood-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=testbed-flood", "-days", "1",
                    "-keyout", key, "-out", cert], capture_output=True, check=True, timeout=60)
    pub = subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout"], capture_output=True, check=True, timeout=30).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub, capture_output=True, check=True, timeout=30).stdout
    return cert, key, hashlib.sha512(der).digest()


def frame(payload):
    """One netstring."""
    return str(len(payload)).encode("ascii") + b":" + payload + b","


def tls_context(cert, key):
    """A TLS 1.3 client context with the throwaway certificate (the node checks the peer's id, not a CA)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.load_cert_chain(cert, key)
    return ctx


ERROR_REPLY = b"\xa7message\xa5error"  # canonical msgpack: the key "message" then its value "error"


def read_frame(sock, buf):
    """Reads one netstring from sock (buf holds bytes already read); returns (payload, bytes left over)."""
    while b":" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    head, _, rest = buf.partition(b":")
    need = int(head) + 1
    while len(rest) < need:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    return rest[:need - 1], rest[need:]


class WireFlood:
    """Threads that each keep one TLS connection to a target busy with findvalue requests until stopped."""

    def __init__(self, ns, targets, identity, workers):
        self.ns, self.targets, self.workers = ns, targets, workers
        self.cert, self.key, self.node_id = identity
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.replies = 0
        self.error_replies = 0
        self.errors = 0
        self.threads = []

    def _run(self, worker):
        ctx = tls_context(self.cert, self.key)
        target = self.targets[worker % len(self.targets)]
        while not self.stop.is_set():
            raw = net.socket_in(self.ns)
            raw.settimeout(10)
            try:
                raw.connect(target)
                with ctx.wrap_socket(raw) as s:
                    buf = b""
                    while not self.stop.is_set():
                        msg = {"message": "findvalue", "uuid": str(uuid.uuid4()), "node": self.node_id, "reply_port": 0,
                               "version": "1.0", "key": os.urandom(64)}
                        s.sendall(frame(wire.pack(msg)))
                        payload, buf = read_frame(s, buf)
                        with self.lock:
                            self.replies += 1
                            self.error_replies += ERROR_REPLY in payload  # e.g. error 10 Busy, once rate limits exist
            except (OSError, ValueError, ConnectionError):
                with self.lock:
                    self.errors += 1
                self.stop.wait(0.2)
            finally:
                raw.close()

    def start(self):
        self.threads = [threading.Thread(target=self._run, args=(w,), daemon=True) for w in range(self.workers)]
        for t in self.threads:
            t.start()

    def finish(self, timeout):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=timeout)
        return {"replies": self.replies, "error_replies": self.error_replies, "errors": self.errors}
