"""Signed items in pure Python (stdlib only), so the driver can talk to a node's control channel directly.

docs/PROTOCOL.md section 3: canonical old-spec msgpack, construct_key, the compound digest and an
RSASSA-PKCS1-v1_5 signature over DigestInfo(SHA-512, D). `self_test()` checks all of it against
docs/vectors/signed-item.json. The publisher's private key is decrypted once with the `openssl` command
(the node's keys are encrypted PKCS#8), then parsed here and used with the CRT.
"""
import base64
import hashlib
import json
import os
import struct
import subprocess

SHA512_DIGEST_INFO = bytes.fromhex("3051300d060960864801650304020305000440")


def pack(value):
    """Canonical msgpack, old spec: text and bytes are raw, ints smallest, floats float64, maps sorted."""
    out = bytearray()
    _pack(value, out)
    return bytes(out)


def _raw(data, out):
    n = len(data)
    if n < 32:
        out.append(0xA0 | n)
    elif n < 0x10000:
        out += b"\xda" + struct.pack(">H", n)
    else:
        out += b"\xdb" + struct.pack(">I", n)
    out += data


def _pack(v, out):
    if v is None:
        out.append(0xC0)
    elif v is True:
        out.append(0xC3)
    elif v is False:
        out.append(0xC2)
    elif isinstance(v, int):
        _pack_int(v, out)
    elif isinstance(v, float):
        out += b"\xcb" + struct.pack(">d", v)
    elif isinstance(v, str):
        _raw(v.encode("utf-8"), out)
    elif isinstance(v, (bytes, bytearray)):
        _raw(bytes(v), out)
    elif isinstance(v, (list, tuple)):
        n = len(v)
        out += bytes([0x90 | n]) if n < 16 else (b"\xdc" + struct.pack(">H", n) if n < 0x10000 else b"\xdd" + struct.pack(">I", n))
        for x in v:
            _pack(x, out)
    elif isinstance(v, dict):
        n = len(v)
        out += bytes([0x80 | n]) if n < 16 else (b"\xde" + struct.pack(">H", n) if n < 0x10000 else b"\xdf" + struct.pack(">I", n))
        for k in sorted(v, key=lambda k: k.encode("utf-8") if isinstance(k, str) else bytes(k)):
            _pack(k, out)
            _pack(v[k], out)
    else:
        raise TypeError(f"cannot pack {type(v).__name__}")


def _pack_int(v, out):
    if 0 <= v < 0x80:
        out.append(v)
    elif -32 <= v < 0:
        out.append(v & 0xFF)
    elif v >= 0:
        for limit, tag, fmt in ((0x100, 0xCC, ">B"), (0x10000, 0xCD, ">H"), (1 << 32, 0xCE, ">I"), (1 << 64, 0xCF, ">Q")):
            if v < limit:
                out += bytes([tag]) + struct.pack(fmt, v)
                return
        raise OverflowError(v)
    else:
        for limit, tag, fmt in ((-0x80, 0xD0, ">b"), (-0x8000, 0xD1, ">h"), (-(1 << 31), 0xD2, ">i"), (-(1 << 63), 0xD3, ">q")):
            if v >= limit:
                out += bytes([tag]) + struct.pack(fmt, v)
                return
        raise OverflowError(v)


def unpack(data):
    """Decodes one msgpack value (what a reply needs: nil, bools, ints, floats, raw/str/bin, arrays, maps).
    Old-spec raw comes back as bytes; the caller decodes text it expects."""
    value, end = _unpack(memoryview(data), 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the msgpack value")
    return value


def _unpack(b, i):
    t = b[i]
    i += 1
    if t <= 0x7F:
        return t, i
    if t >= 0xE0:
        return t - 0x100, i
    if 0xA0 <= t <= 0xBF:
        return bytes(b[i:i + (t & 0x1F)]), i + (t & 0x1F)
    if 0x90 <= t <= 0x9F:
        return _unpack_array(b, i, t & 0x0F)
    if 0x80 <= t <= 0x8F:
        return _unpack_map(b, i, t & 0x0F)
    if t in (0xC0, 0xC2, 0xC3):
        return {0xC0: None, 0xC2: False, 0xC3: True}[t], i
    sizes = {0xC4: ">B", 0xC5: ">H", 0xC6: ">I", 0xD9: ">B", 0xDA: ">H", 0xDB: ">I"}
    if t in sizes:  # bin 8/16/32, str 8/16/32
        n, i = _fixed(b, i, sizes[t])
        return bytes(b[i:i + n]), i + n
    numbers = {0xCA: ">f", 0xCB: ">d", 0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q", 0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q"}
    if t in numbers:
        return _fixed(b, i, numbers[t])
    if t in (0xDC, 0xDD):
        n, i = _fixed(b, i, ">H" if t == 0xDC else ">I")
        return _unpack_array(b, i, n)
    if t in (0xDE, 0xDF):
        n, i = _fixed(b, i, ">H" if t == 0xDE else ">I")
        return _unpack_map(b, i, n)
    raise ValueError(f"msgpack type 0x{t:02x} is not decoded here")


def _fixed(b, i, fmt):
    size = struct.calcsize(fmt)
    return struct.unpack(fmt, b[i:i + size])[0], i + size


def _unpack_array(b, i, n):
    out = []
    for _ in range(n):
        v, i = _unpack(b, i)
        out.append(v)
    return out, i


def _unpack_map(b, i, n):
    out = {}
    for _ in range(n):
        k, i = _unpack(b, i)
        v, i = _unpack(b, i)
        out[k.decode("utf-8") if isinstance(k, bytes) else k] = v
    return out, i


def construct_key(public_key_pem, name):
    p = hashlib.sha512(public_key_pem.strip().encode("ascii")).digest()
    return p if name == "" else hashlib.sha512(p + hashlib.sha512(name.encode("utf-8")).digest()).digest()


def compound_digest(value, timestamp, expires, name, meta, created_with):
    h = b"".join(hashlib.sha512(pack(x)).digest() for x in (value, float(timestamp), float(expires), name, meta, created_with))
    return hashlib.sha512(h).digest()


class RsaKey:
    """An RSA private key (n, e, d and the CRT parts) that signs a precomputed SHA-512 digest."""

    def __init__(self, n, e, d, p, q, dp, dq, qinv):
        self.n, self.e, self.d, self.p, self.q, self.dp, self.dq, self.qinv = n, e, d, p, q, dp, dq, qinv
        self.size = (n.bit_length() + 7) // 8

    def sign_digest(self, digest):
        t = SHA512_DIGEST_INFO + digest
        em = b"\x00\x01" + b"\xff" * (self.size - len(t) - 3) + b"\x00" + t
        m = int.from_bytes(em, "big")
        m1, m2 = pow(m, self.dp, self.p), pow(m, self.dq, self.q)
        s = m2 + self.q * ((self.qinv * (m1 - m2)) % self.p)
        return s.to_bytes(self.size, "big")

    @staticmethod
    def from_der(der):
        """PKCS#1 RSAPrivateKey, or PKCS#8 PrivateKeyInfo wrapping one."""
        items = _der_sequence(der)
        if len(items) == 3 and items[1][0] == 0x30:  # PrivateKeyInfo: version, algorithm, OCTET STRING
            return RsaKey.from_der(items[2][1])
        ints = [int.from_bytes(v, "big") for tag, v in items if tag == 0x02]
        return RsaKey(*ints[1:9])

    @staticmethod
    def from_pem(pem):
        body = "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))
        return RsaKey.from_der(base64.b64decode(body))

    @staticmethod
    def from_encrypted_file(path, passphrase):
        env = dict(os.environ, TB_KEY_PASS=passphrase)
        der = subprocess.run(["openssl", "pkey", "-in", path, "-passin", "env:TB_KEY_PASS", "-outform", "DER"],
                             env=env, capture_output=True, check=True, timeout=30).stdout
        return RsaKey.from_der(der)


def _der_read(data, i):
    tag = data[i]
    n = data[i + 1]
    i += 2
    if n & 0x80:
        count = n & 0x7F
        n = int.from_bytes(data[i:i + count], "big")
        i += count
    return tag, data[i:i + n], i + n


def _der_sequence(der):
    tag, body, _ = _der_read(der, 0)
    if tag != 0x30:
        raise ValueError("not a DER sequence")
    items, i = [], 0
    while i < len(body):
        tag, value, i = _der_read(body, i)
        items.append((tag, value))
    return items


class Publisher:
    """A publisher key pair: signs items and builds the msgpack store message the control channel takes."""

    def __init__(self, key, public_key_pem, created_with="drogulus-testbed"):
        self.key = key
        self.public_key_pem = public_key_pem.strip()
        self.created_with = created_with

    def item_key(self, name):
        return construct_key(self.public_key_pem, name)

    def store_message(self, name, value, timestamp, expires=0.0, meta=None):
        meta = meta or {}
        sig = self.key.sign_digest(compound_digest(value, timestamp, expires, name, meta, self.created_with))
        return pack({
            "message": "store", "uuid": "", "node": bytes(64), "reply_port": 0, "version": "1.0",
            "key": self.item_key(name), "value": value, "timestamp": float(timestamp), "expires": float(expires),
            "created_with": self.created_with, "public_key": self.public_key_pem, "name": name, "meta": meta, "sig": sig,
        })


def self_test(vector_path):
    """Reproduces the protocol's signed-item test vector bit for bit; raises AssertionError otherwise."""
    with open(vector_path, encoding="utf-8") as f:
        v = json.load(f)
    item = v["item"]
    for field, expected in v["canonical_msgpack_hex"].items():
        got = pack(float(item[field]) if field in ("timestamp", "expires") else item[field]).hex()
        assert got == expected, f"canonical msgpack of {field}: {got} != {expected}"
    d = compound_digest(item["value"], item["timestamp"], item["expires"], item["name"], item["meta"], item["created_with"])
    assert d.hex() == v["compound_digest_hex"], "compound digest"
    assert RsaKey.from_pem(v["private_key_pem"]).sign_digest(d).hex() == v["signature_hex"], "signature"
    assert construct_key(v["public_key_pem"], "name").hex() == v["construct_key_with_name_hex"], "construct_key"
    assert construct_key(v["public_key_pem"], "").hex() == v["construct_key_without_name_hex"], "construct_key('')"
