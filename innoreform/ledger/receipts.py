"""Evidence receipts in C2SP tlog-proof v1 form, and their offline, step-by-step verification.

    c2sp.org/tlog-proof@v1
    extra <base64 of the log entry bytes>
    index <i>
    <inclusion proof, one base64 hash a line, leaf sibling first>

    <the cosigned checkpoint note, verbatim>

The `extra` line carries the canonical JSON entry (it is not trusted: its hash is what the
inclusion proof covers). A verifier needs only the file, the receipt, the log's verifier key and
the witnesses' keys: nothing from the platform.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from . import entries, merkle, note

HEADER = "c2sp.org/tlog-proof@v1"


class ReceiptError(ValueError):
    pass


@dataclass
class Receipt:
    index: int
    proof: list[bytes]
    checkpoint: str  # the signed note
    extra: bytes = b""

    def text(self) -> str:
        lines = [HEADER]
        if self.extra:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines += [base64.b64encode(p).decode() for p in self.proof]
        return "\n".join(lines) + "\n\n" + self.checkpoint


def parse(text: str) -> Receipt:
    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise ReceiptError("no blank line before the checkpoint")
    lines = head.split("\n")
    if not lines or lines[0] != HEADER:
        raise ReceiptError("the first line must be " + HEADER)
    pos, extra = 1, b""
    try:
        if pos < len(lines) and lines[pos].startswith("extra "):
            extra = base64.b64decode(lines[pos][6:], validate=True)
            pos += 1
        if pos >= len(lines) or not lines[pos].startswith("index "):
            raise ReceiptError("missing index line")
        idx = lines[pos][6:]
        if not idx.isdigit() or (len(idx) > 1 and idx[0] == "0"):
            raise ReceiptError("malformed index")
        proof = [base64.b64decode(p, validate=True) for p in lines[pos + 1 :]]
    except binascii.Error as exc:
        raise ReceiptError("malformed base64") from exc
    if any(len(p) != 32 for p in proof):
        raise ReceiptError("proof hashes must be 32 bytes")
    return Receipt(index=int(idx), proof=proof, checkpoint=checkpoint, extra=extra)


@dataclass
class Step:
    ok: bool
    title: str
    detail: str = ""


@dataclass
class Verdict:
    steps: list[Step] = field(default_factory=list)
    entry: dict | None = None

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)

    def add(self, ok: bool, title: str, detail: str = "") -> bool:
        self.steps.append(Step(ok, title, detail))
        return ok

    def render(self) -> str:
        out = [f"[{'PASS' if s.ok else 'FAIL'}] {s.title}" + (f": {s.detail}" if s.detail else "") for s in self.steps]
        out.append(_("VERDICT: the file is preserved in the log as the receipt says.") if self.ok
                   else _("VERDICT: the receipt does NOT prove this file."))
        return "\n".join(out)


def verify(data: bytes | None, receipt_text: str, *, log_key: str, witness_keys: list[str] = (),
           quorum: int = 0, content_hash: str | None = None, origin: str | None = None,
           tsa_token: bytes | None = None, tsa_ca_file: str | None = None) -> Verdict:
    """Check `data` (or a known content hash) against a receipt, offline. Never raises on bad input:
    every check becomes a step of the verdict and the first failure stops the walk."""
    v = Verdict()
    try:
        r = parse(receipt_text)
    except ReceiptError as exc:
        v.add(False, _("Read the receipt"), str(exc))
        return v
    v.add(True, _("Read the receipt"), _("entry index %(i)d, %(n)d proof hashes") % {"i": r.index, "n": len(r.proof)})

    try:
        log_verifier = note.Verifier.from_string(log_key)
        cp, _opened = note.open_checkpoint(r.checkpoint, [log_verifier])
    except note.NoteError as exc:
        v.add(False, _("Check the log's signature on the checkpoint"), str(exc))
        return v
    if not v.add(origin is None or cp.origin == origin, _("Check the log's signature on the checkpoint"),
                 _("signed by %(key)s; log %(origin)s, size %(size)d") % {
                     "key": log_verifier.name, "origin": cp.origin, "size": cp.size}):
        return v

    if witness_keys or quorum:
        try:
            verifiers = [note.Verifier.from_string(k) for k in witness_keys]
            cosigs = note.witness_cosignatures(r.checkpoint, verifiers)
        except note.NoteError as exc:
            v.add(False, _("Check the witnesses' cosignatures"), str(exc))
            return v
        names = sorted({s.name for s in cosigs})
        if not v.add(len(names) >= quorum, _("Check the witnesses' cosignatures"),
                     _("%(n)d of %(q)d required: %(names)s") % {"n": len(names), "q": quorum,
                                                               "names": ", ".join(names) or "-"}):
            return v

    try:
        entry = entries.parse(r.extra)
    except entries.EntryError as exc:
        v.add(False, _("Read the log entry carried by the receipt"), str(exc))
        return v
    v.entry = entry
    v.add(True, _("Read the log entry carried by the receipt"),
          _("type %(type)s, time %(time)s") % {"type": entry.get("type"), "time": entry.get("time")})

    if data is not None:
        content_hash = entries.sha256_commitment(data)
    if content_hash is not None:
        if not v.add(entry.get("content") == content_hash, _("Compare the file's SHA-256 with the entry"),
                     _("file %(file)s, entry %(entry)s") % {"file": content_hash, "entry": entry.get("content")}):
            return v

    leaf = merkle.leaf_hash(r.extra)
    try:
        merkle.verify_inclusion(r.index, cp.size, leaf, r.proof, cp.root)
    except merkle.ProofError as exc:
        v.add(False, _("Recompute the log root from the entry and the inclusion proof"), str(exc))
        return v
    v.add(True, _("Recompute the log root from the entry and the inclusion proof"),
          _("leaf %(leaf)s… at index %(i)d gives the checkpoint's root") % {"leaf": leaf.hex()[:16], "i": r.index})
    if tsa_token is not None:
        _check_timestamp(v, r.checkpoint.encode(), tsa_token, tsa_ca_file)
    return v


def _check_timestamp(v: Verdict, checkpoint: bytes, token: bytes, ca_file: str | None) -> None:
    from . import tsa

    title = _("Check the RFC 3161 time-stamp over the checkpoint")
    try:
        info = tsa.token_info(token)
    except tsa.TsaError as exc:
        v.add(False, title, str(exc))
        return
    if not v.add(info.hashed == hashlib.sha256(checkpoint).digest(), title,
                 _("time-stamped at %(t)s UTC, serial %(s)d") % {"t": info.gen_time.strftime("%Y-%m-%d %H:%M:%S"),
                                                                  "s": info.serial}):
        return
    if ca_file:
        ok, detail = tsa.openssl_verify(checkpoint, token, ca_file)
        v.add(ok, _("Check the time-stamp authority's signature"), detail)


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()
