"""C2SP tlog-witness v1.0.0: an independent witness process, and the log-side client.

The witness keeps its own Ed25519 cosigning key (a file) and its state (a JSON file with, per log
origin, the latest size and root it cosigned). It does not touch the platform database.

`POST /add-checkpoint` body: `old <N>\\n`, up to 63 base64 consistency-proof lines, a blank line,
then the signed checkpoint. Answers:
  200 cosignature line(s) · 400 malformed or old > new · 403 no valid log signature ·
  404 unknown origin · 409 old size is not the witness's size (body: its size, Content-Type
  text/x.tlog.size), or same size with a different root · 422 the consistency proof fails.
The compare-and-swap of the stored size is atomic (a process lock plus an exclusive file lock,
written to a temporary file and renamed).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import logging
import os
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import merkle, note

log = logging.getLogger("innoreform.witness")
MAX_BODY = 64 * 1024
MAX_PROOF_LINES = 63
SIZE_CONTENT_TYPE = "text/x.tlog.size"


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"


class StateFile:
    """{origin: {"size": int, "root": base64}} persisted atomically."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def locked(self):
        lock_path = self.path.with_suffix(self.path.suffix + ".lock")
        with self._lock, open(lock_path, "a") as lf:
            fcntl.flock(lf, fcntl.LOCK_EX)
            try:
                yield self
            finally:
                fcntl.flock(lf, fcntl.LOCK_UN)

    def read(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}

    def write(self, state: dict) -> None:
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        with open(tmp, "w") as f:
            json.dump(state, f, sort_keys=True, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


class Witness:
    def __init__(self, signer: note.Signer, logs: dict[str, list[note.Verifier]], state: StateFile):
        if signer.alg != note.ALG_COSIGNATURE_V1:
            raise ValueError("a witness signs with a cosignature (type 0x04) key")
        self.signer, self.logs, self.state = signer, logs, state

    def add_checkpoint(self, body: bytes) -> Response:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return Response(400, b"body is not UTF-8\n")
        head, sep, checkpoint = text.partition("\n\n")
        lines = head.split("\n")
        if not sep or not lines[0].startswith("old "):
            return Response(400, b"malformed request\n")
        old_s = lines[0][4:]
        if not old_s.isdigit() or (len(old_s) > 1 and old_s[0] == "0"):
            return Response(400, b"malformed old size\n")
        old = int(old_s)
        if len(lines) - 1 > MAX_PROOF_LINES:
            return Response(400, b"too many proof lines\n")
        try:
            proof = [base64.b64decode(p, validate=True) for p in lines[1:]]
        except binascii.Error:
            return Response(400, b"malformed proof\n")
        try:
            text_part, _sigs = note.split_note(checkpoint)
            cp = note.parse_checkpoint(text_part)
        except note.NoteError as exc:
            return Response(400, f"malformed checkpoint: {exc}\n".encode())
        verifiers = self.logs.get(cp.origin)
        if not verifiers:
            return Response(404, b"unknown log origin\n")
        try:
            note.open_note(checkpoint, verifiers)
        except note.NoteError:
            return Response(403, b"no valid signature by the log\n")
        if old > cp.size:
            return Response(400, b"old size is greater than the checkpoint size\n")
        with self.state.locked():
            state = self.state.read()
            known = state.get(cp.origin)
            known_size = known["size"] if known else 0
            if old != known_size:
                return Response(409, f"{known_size}\n".encode(), SIZE_CONTENT_TYPE)
            if known and old == cp.size:
                if base64.b64decode(known["root"]) != cp.root:
                    return Response(409, f"{known_size}\n".encode(), SIZE_CONTENT_TYPE)
            elif old == 0:
                if proof:
                    return Response(422, b"the proof from size 0 must be empty\n")
            else:
                try:
                    merkle.verify_consistency(old, cp.size, proof, base64.b64decode(known["root"]), cp.root)
                except merkle.ProofError as exc:
                    log.warning("inconsistent checkpoint", extra={"origin": cp.origin, "old": old, "new": cp.size})
                    return Response(422, f"consistency proof does not verify: {exc}\n".encode())
            state[cp.origin] = {"size": cp.size, "root": base64.b64encode(cp.root).decode()}
            self.state.write(state)
        return Response(200, self.signer.signature_line(text_part.encode()).encode())


def make_handler(witness: Witness):
    class Handler(BaseHTTPRequestHandler):
        server_version = "innoreform-witness/1"
        protocol_version = "HTTP/1.1"

        def _send(self, r: Response) -> None:
            self.send_response(r.status)
            self.send_header("Content-Type", r.content_type)
            self.send_header("Content-Length", str(len(r.body)))
            self.end_headers()
            self.wfile.write(r.body)

        def do_POST(self):
            if self.path.rstrip("/") != "/add-checkpoint":
                return self._send(Response(404, b"not found\n"))
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                self.close_connection = True
                return self._send(Response(400, b"missing or too large body\n"))
            return self._send(witness.add_checkpoint(self.rfile.read(length)))

        def do_GET(self):
            if self.path.rstrip("/") in ("", "/key"):
                return self._send(Response(200, f"{witness.signer.verifier}\n".encode()))
            return self._send(Response(404, b"not found\n"))

        def log_message(self, fmt, *args):
            log.info("witness request", extra={"line": fmt % args})

    return Handler


def serve(witness: Witness, host: str, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(witness))
    server.daemon_threads = True
    return server


def load_or_create_key(path: str | Path, name: str | None, alg: int) -> note.Signer:
    p = Path(path)
    if p.exists():
        return note.Signer.from_string(p.read_text())
    if not name:
        raise FileNotFoundError(f"{p} does not exist; give a key name to create it")
    signer = note.Signer.generate(name, alg)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(str(signer) + "\n")
    return signer


# --------------------------------------------------------------------------- log side


@dataclass
class WitnessConfig:
    verifier: note.Verifier
    url: str

    @classmethod
    def parse(cls, item: str) -> WitnessConfig:
        """'name+keyid+base64=https://host/prefix' (the URL is the submission prefix)."""
        i = item.find("=http")
        if i < 0:
            raise ValueError(f"witness setting {item!r} is not VKEY=URL")
        return cls(verifier=note.Verifier.from_string(item[:i]), url=item[i + 1 :].rstrip("/"))


@dataclass
class PushResult:
    name: str
    status: int
    size: int | None = None  # the witness's size on 409
    cosignature: str = ""
    error: str = ""


def post_add_checkpoint(url: str, body: bytes, timeout: float = 5.0) -> tuple[int, bytes]:
    req = urllib.request.Request(url + "/add-checkpoint", data=body, method="POST",  # noqa: S310
                                 headers={"Content-Type": "text/plain; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (configured witness URL)
            return resp.status, resp.read(MAX_BODY)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(MAX_BODY)


def push_one(w: WitnessConfig, signed_note: str, old: int, proof_for, timeout: float = 5.0) -> PushResult:
    """Submit a checkpoint; on 409 retry once from the witness's own size."""
    text, _ = note.split_note(signed_note)
    cp = note.parse_checkpoint(text)
    for _attempt in range(2):
        proof = proof_for(old, cp.size) if 0 < old < cp.size else []
        body = (f"old {old}\n" + "".join(base64.b64encode(p).decode() + "\n" for p in proof)
                + "\n" + signed_note).encode()
        try:
            status, data = post_add_checkpoint(w.url, body, timeout)
        except (OSError, urllib.error.URLError) as exc:
            return PushResult(w.verifier.name, 0, error=str(exc))
        if status == 409:
            try:
                their = int(data.decode().strip())
            except ValueError:
                return PushResult(w.verifier.name, 409, error="bad 409 body")
            if their == old or their > cp.size:
                return PushResult(w.verifier.name, 409, size=their, error="witness has a conflicting view")
            old = their
            continue
        if status != 200:
            return PushResult(w.verifier.name, status, error=data.decode(errors="replace")[:200])
        try:
            good = note.witness_cosignatures(text + "\n" + data.decode(), [w.verifier])
        except note.NoteError as exc:
            return PushResult(w.verifier.name, status, error=str(exc))
        if not good:
            return PushResult(w.verifier.name, status, error="no cosignature by the configured key")
        return PushResult(w.verifier.name, 200, size=cp.size, cosignature=good[0].line)
    return PushResult(w.verifier.name, 409, error="witness size kept changing")


def push_all(witnesses: list[WitnessConfig], signed_note: str, known_sizes: dict[str, int], proof_for,
             timeout: float = 5.0) -> list[PushResult]:
    if not witnesses:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(witnesses))) as pool:
        futures = [pool.submit(push_one, w, signed_note, known_sizes.get(w.verifier.name, 0), proof_for, timeout)
                   for w in witnesses]
        return [f.result() for f in futures]
