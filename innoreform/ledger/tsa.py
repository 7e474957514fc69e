"""RFC 3161 time-stamp tokens over checkpoints (optional: only when settings.TSA_URL is set).

Requests are built and responses and tokens parsed by rfc3161-client (Trail of Bits; its DER
parsing is Rust, shared with sigstore). From a token we read the TSTInfo (hash, time, serial,
nonce). Signature and certificate-chain checks of a token are left to standard tools, e.g.
`openssl ts -verify -data checkpoint.txt -in token.tsr -token_in -CAfile tsa.pem`, which
`verify-receipt --tsr ... --tsa-cert ...` runs for you.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.x509.oid import ObjectIdentifier
from rfc3161_client import HashAlgorithm, PKIStatus, TimestampRequestBuilder, decode_timestamp_response

SHA256 = ObjectIdentifier("2.16.840.1.101.3.4.2.1")
MAX_RESPONSE = 64 * 1024
# A TimeStampResp with status "granted" (SEQUENCE { SEQUENCE { INTEGER 0 } }) and no token yet:
# rfc3161-client parses whole responses only, and a receipt keeps just the token, so a stored
# token is read by putting it back into the response it came in.
_GRANTED = bytes.fromhex("3003020100")


class TsaError(ValueError):
    pass


def _as_response(token: bytes) -> bytes:
    body = _GRANTED + token
    n = len(body)
    if n < 0x80:
        return b"\x30" + bytes([n]) + body
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\x30" + bytes([0x80 | len(size)]) + size + body


def request_der(data: bytes) -> tuple[bytes, int | None]:
    """A SHA-256 request with a random nonce and certReq set (include the TSA certificate)."""
    request = (TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256)
               .nonce(nonce=True).cert_request(cert_request=True).build())
    return request.as_bytes(), request.nonce


def token_from_response(resp: bytes) -> bytes:
    try:
        parsed = decode_timestamp_response(resp)
    except ValueError as exc:
        raise TsaError(f"not a TimeStampResp: {exc}") from exc
    if parsed.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TsaError("the TSA refused the request")
    return parsed.time_stamp_token()


@dataclass
class TokenInfo:
    hashed: bytes
    gen_time: datetime
    serial: int
    nonce: int | None


def token_info(token: bytes) -> TokenInfo:
    """Read the TSTInfo inside a TimeStampToken (ContentInfo/SignedData)."""
    if len(token) > MAX_RESPONSE:
        raise TsaError("malformed time-stamp token: too large")
    try:
        tst = decode_timestamp_response(_as_response(token)).tst_info
        imprint = tst.message_imprint
        if imprint.hash_algorithm != SHA256:
            raise TsaError("the token does not use SHA-256")
        when = tst.gen_time
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return TokenInfo(hashed=imprint.message, gen_time=when, serial=tst.serial_number, nonce=tst.nonce)
    except TsaError:
        raise
    except (ValueError, TypeError) as exc:
        raise TsaError(f"malformed time-stamp token: {exc}") from exc


def timestamp(url: str, data: bytes, timeout: float = 10.0) -> bytes:
    """Ask the TSA at `url` for a token over `data`; checks hash and nonce, returns the token DER."""
    query, nonce = request_der(data)
    req = urllib.request.Request(url, data=query, method="POST",  # noqa: S310
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
