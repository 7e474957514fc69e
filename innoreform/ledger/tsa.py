"""RFC 3161 time-stamp tokens over checkpoints (optional: only when settings.TSA_URL is set).

A tiny DER encoder/decoder is enough here: the request is a fixed structure, and from the token we
only read the TSTInfo (hash, time, serial, nonce). Signature and certificate-chain checks of a
token are left to standard tools, e.g. `openssl ts -verify -data checkpoint.txt -in token.tsr
-token_in -CAfile tsa.pem`, which `verify-receipt --tsr ... --tsa-cert ...` runs for you.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import subprocess
import tempfile
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SHA256_OID = bytes.fromhex("0609608648016503040201")
TSTINFO_OID = bytes.fromhex("060b2a864886f70d0109100104")  # 1.2.840.113549.1.9.16.1.4
MAX_RESPONSE = 64 * 1024


class TsaError(ValueError):
    pass


# --------------------------------------------------------------------------- DER


def _len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _len(len(value)) + value


def _int(n: int) -> bytes:
    return _tlv(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big"))


@dataclass
class Node:
    tag: int
    value: bytes

    @property
    def children(self) -> list[Node]:
        out, i = [], 0
        while i < len(self.value):
            node, i = _read(self.value, i)
            out.append(node)
        return out


def _read(data: bytes, i: int) -> tuple[Node, int]:
    if i + 2 > len(data):
        raise TsaError("truncated DER")
    tag, first = data[i], data[i + 1]
    i += 2
    if first < 0x80:
        n = first
    else:
        k = first & 0x7F
        if k == 0 or k > 4 or i + k > len(data):
            raise TsaError("bad DER length")
        n = int.from_bytes(data[i : i + k], "big")
        i += k
    if i + n > len(data):
        raise TsaError("truncated DER")
    return Node(tag, data[i : i + n]), i + n


def parse(data: bytes) -> Node:
    node, end = _read(data, 0)
    if end != len(data):
        raise TsaError("trailing bytes after DER")
    return node


# --------------------------------------------------------------------------- protocol


def request_der(data: bytes, nonce: int | None = None) -> bytes:
    imprint = _tlv(0x30, _tlv(0x30, SHA256_OID + b"\x05\x00") + _tlv(0x04, hashlib.sha256(data).digest()))
    body = _int(1) + imprint
    if nonce is not None:
        body += _int(nonce)
    body += b"\x01\x01\xff"  # certReq TRUE: include the TSA certificate
    return _tlv(0x30, body)


def token_from_response(resp: bytes) -> bytes:
    top = parse(resp).children
    if not top or top[0].tag != 0x30:
        raise TsaError("not a TimeStampResp")
    status = top[0].children[0]
    if status.tag != 0x02 or int.from_bytes(status.value, "big") not in (0, 1):
        raise TsaError("the TSA refused the request")
    if len(top) < 2:
        raise TsaError("no token in the response")
    return _tlv(top[1].tag, top[1].value)


@dataclass
class TokenInfo:
    hashed: bytes
    gen_time: datetime
    serial: int
    nonce: int | None


def token_info(token: bytes) -> TokenInfo:
    """Read the TSTInfo inside a TimeStampToken (ContentInfo/SignedData)."""
    try:
        ci = parse(token).children
        signed = ci[1].children[0].children  # [0] EXPLICIT SignedData
        encap = signed[2].children
        if encap[0].tag != 0x06 or _tlv(0x06, encap[0].value) != TSTINFO_OID:
            raise TsaError("not a time-stamp token")
        tst = parse(encap[1].children[0].value).children  # [0] EXPLICIT OCTET STRING -> TSTInfo
        imprint = tst[2].children
        if _tlv(0x06, imprint[0].children[0].value) != SHA256_OID:
            raise TsaError("the token does not use SHA-256")
        gen = tst[4].value.decode()
        when = datetime.strptime(gen.rstrip("Z").split(".")[0], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        nonce = next((int.from_bytes(n.value, "big") for n in tst[5:] if n.tag == 0x02), None)
        return TokenInfo(hashed=imprint[1].value, gen_time=when, serial=int.from_bytes(tst[3].value, "big"),
                         nonce=nonce)
    except (IndexError, ValueError, UnicodeDecodeError) as exc:
        raise TsaError(f"malformed time-stamp token: {exc}") from exc


def timestamp(url: str, data: bytes, timeout: float = 10.0) -> bytes:
    """Ask the TSA at `url` for a token over `data`; checks hash and nonce, returns the token DER."""
    nonce = secrets.randbits(63)
    req = urllib.request.Request(url, data=request_der(data, nonce), method="POST",  # noqa: S310
                                 headers={"Content-Type": "application/timestamp-query"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (configured TSA URL)
        token = token_from_response(resp.read(MAX_RESPONSE))
    info = token_info(token)
    if info.hashed != hashlib.sha256(data).digest() or info.nonce != nonce:
        raise TsaError("the token does not cover the request")
    return token


def openssl_verify(data: bytes, token: bytes, ca_file: str) -> tuple[bool, str]:
    """Full signature and chain check with `openssl ts -verify` (if openssl is installed)."""
    exe = shutil.which("openssl")
    if not exe:
        return False, "openssl is not installed"
    with tempfile.TemporaryDirectory() as tmp:
        d, t = Path(tmp, "data"), Path(tmp, "token.tsr")
        d.write_bytes(data)
        t.write_bytes(token)
        # fixed argument list, no shell: the only inputs are file paths
        res = subprocess.run([exe, "ts", "-verify", "-data", str(d), "-in", str(t), "-token_in",  # noqa: S603
                              "-CAfile", ca_file], capture_output=True, text=True, timeout=30, check=False)
    lines = (res.stdout + res.stderr).strip().splitlines()
    return res.returncode == 0, lines[-1] if lines else ""
