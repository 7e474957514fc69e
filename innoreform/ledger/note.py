"""C2SP signed-note v1.0.0, tlog-checkpoint v1.0.0 and tlog-cosignature v1.0.1 (Ed25519).

A note is UTF-8 text ending in a newline, a blank line, then signature lines
`— <key name> base64(key ID (4 bytes) || signature)`. Key ID = SHA-256(name || 0x0A || type ||
public key)[:4]. Type 0x01 is a plain Ed25519 signature over the text; type 0x04 is a witness
cosignature: 8-byte big-endian timestamp || Ed25519 signature over
`cosignature/v1\\ntime <timestamp>\\n` + text.

Verifier keys are `name+hex(key ID)+base64(type || public key)`. Private keys use the same layout
as Go's note package: `PRIVATE+KEY+name+hex(key ID)+base64(type || 32-byte seed)`.

Verification ignores unknown keys, rejects the note if a known key's signature is bad, and needs
at least one verified signature.
"""

from __future__ import annotations

import base64
import binascii
import struct
import time
from dataclasses import dataclass, field
from hashlib import sha256

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
SIG_PREFIX = "— "  # EM DASH, space
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A note, key or checkpoint is malformed or does not verify."""


def key_id(name: str, alg: int, public: bytes) -> bytes:
    return sha256(name.encode() + b"\n" + bytes([alg]) + public).digest()[:4]


def _valid_name(name: str) -> bool:
    return bool(name) and name.isprintable() and not any(c.isspace() or c == "+" for c in name)


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


class Verifier:
    def __init__(self, name: str, alg: int, public: bytes):
        if not _valid_name(name):
            raise NoteError(f"invalid key name {name!r}")
        if alg not in (ALG_ED25519, ALG_COSIGNATURE_V1) or len(public) != 32:
            raise NoteError("unsupported key type")
        self.name, self.alg, self.public = name, alg, public
        self.key_id = key_id(name, alg, public)
        self._key = Ed25519PublicKey.from_public_bytes(public)

    @classmethod
    def from_string(cls, vkey: str) -> Verifier:
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("a verifier key is name+keyid+base64")
        name, hexid, b64 = parts
        try:
            raw = base64.b64decode(b64, validate=True)
            kid = bytes.fromhex(hexid)
        except (binascii.Error, ValueError) as exc:
            raise NoteError("malformed verifier key") from exc
        if len(hexid) != 8 or not raw:
            raise NoteError("malformed verifier key")
        v = cls(name, raw[0], raw[1:])
        if v.key_id != kid:
            raise NoteError("verifier key ID does not match the key")
        return v

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([self.alg]) + self.public).decode()}"

    def verify(self, text: bytes, sig: bytes) -> int | None:
        """True signature check; returns the cosignature timestamp (or 0). Raises NoteError."""
        try:
            if self.alg == ALG_ED25519:
                self._key.verify(sig, text)
                return 0
            if len(sig) != 8 + 64:
                raise NoteError("a cosignature is 72 bytes")
            (ts,) = struct.unpack(">Q", sig[:8])
            if ts >= 1 << 63:
                raise NoteError("cosignature timestamp out of range")
            self._key.verify(sig[8:], cosigned_message(text, ts))
            return ts
        except InvalidSignature as exc:
            raise NoteError(f"invalid signature by {self.name}") from exc


def cosigned_message(text: bytes, timestamp: int) -> bytes:
    return b"cosignature/v1\ntime %d\n" % timestamp + text


class Signer:
    def __init__(self, name: str, private: Ed25519PrivateKey, alg: int = ALG_ED25519):
        if not _valid_name(name):
            raise NoteError(f"invalid key name {name!r}")
        self.name, self.alg, self._key = name, alg, private
        self.verifier = Verifier(name, alg, _raw_public(private.public_key()))
        self.key_id = self.verifier.key_id

    @classmethod
    def generate(cls, name: str, alg: int = ALG_ED25519) -> Signer:
        return cls(name, Ed25519PrivateKey.generate(), alg)

    @classmethod
    def from_string(cls, skey: str) -> Signer:
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("a private key is PRIVATE+KEY+name+keyid+base64")
        name, hexid, b64 = parts[2:]
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error as exc:
            raise NoteError("malformed private key") from exc
        if len(raw) != 33:
            raise NoteError("malformed private key")
        s = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]), raw[0])
        if s.key_id.hex() != hexid:
            raise NoteError("private key ID does not match the key")
        return s

    def __str__(self) -> str:
        seed = self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        b64 = base64.b64encode(bytes([self.alg]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{b64}"

    def signature_line(self, text: bytes, timestamp: int | None = None) -> str:
        if self.alg == ALG_COSIGNATURE_V1:
            ts = int(time.time()) if timestamp is None else timestamp
            sig = struct.pack(">Q", ts) + self._key.sign(cosigned_message(text, ts))
        else:
            sig = self._key.sign(text)
        return f"{SIG_PREFIX}{self.name} {base64.b64encode(self.key_id + sig).decode()}\n"


@dataclass
class Signature:
    name: str
    key_id: bytes
    sig: bytes
    line: str
    timestamp: int = 0  # cosignatures only


@dataclass
class Note:
    text: str
    verified: list[Signature] = field(default_factory=list)
    unverified: list[Signature] = field(default_factory=list)

    def signed_by(self, name: str) -> bool:
        return any(s.name == name for s in self.verified)


def split_note(msg: str | bytes) -> tuple[str, list[Signature]]:
    """Split a note into text and parsed signature lines (not verified)."""
    if isinstance(msg, bytes):
        try:
            msg = msg.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError("a note must be UTF-8") from exc
    if "\r" in msg or "\t" in msg:
        raise NoteError("a note must not contain CR or TAB")
    i = msg.rfind("\n\n")
    if i < 0:
        raise NoteError("a note needs a blank line before its signatures")
    text, sigs_block = msg[: i + 1], msg[i + 2 :]
    if not sigs_block.endswith("\n"):
        raise NoteError("the signature block must end with a newline")
    sigs = []
    for line in sigs_block[:-1].split("\n"):
        if not line.startswith(SIG_PREFIX):
            raise NoteError("malformed signature line")
        name, sep, b64 = line[len(SIG_PREFIX):].partition(" ")
        if not sep or not _valid_name(name):
            raise NoteError("malformed signature line")
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error as exc:
            raise NoteError("malformed signature") from exc
        if len(raw) < 5:
            raise NoteError("malformed signature")
        sigs.append(Signature(name=name, key_id=raw[:4], sig=raw[4:], line=line + "\n"))
    if len(sigs) > MAX_SIGNATURES:
        raise NoteError("too many signatures")
    return text, sigs


def open_note(msg: str | bytes, verifiers: list[Verifier]) -> Note:
    """Verify a note: unknown keys are ignored, a known key with a bad signature rejects it, and at
    least one signature must verify."""
    text, sigs = split_note(msg)
    by_id = {(v.name, v.key_id): v for v in verifiers}
    note = Note(text=text)
    seen = set()
    raw = text.encode()
    for s in sigs:
        v = by_id.get((s.name, s.key_id))
        if v is None:
            note.unverified.append(s)
            continue
        s.timestamp = v.verify(raw, s.sig) or 0
        if (s.name, s.key_id) not in seen:
            seen.add((s.name, s.key_id))
            note.verified.append(s)
    if not note.verified:
        raise NoteError("no signature by a known key")
    return note


def sign_note(text: str, signers: list[Signer]) -> str:
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("note text must end in one newline and have no blank lines")
    raw = text.encode()
    return text + "\n" + "".join(s.signature_line(raw) for s in signers)


# --------------------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    if not text.endswith("\n"):
        raise NoteError("checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("a checkpoint has at least three lines")
    origin, size_s, root_s = lines[:3]
    if not origin or not size_s.isdigit() or (len(size_s) > 1 and size_s[0] == "0"):
        raise NoteError("malformed checkpoint origin or size")
    try:
        root = base64.b64decode(root_s, validate=True)
    except binascii.Error as exc:
        raise NoteError("malformed checkpoint root") from exc
    if len(root) != 32:
        raise NoteError("checkpoint root must be 32 bytes")
    size = int(size_s)
    if size >= 1 << 63:
        raise NoteError("checkpoint size out of range")
    if any(not line for line in lines[3:]):
        raise NoteError("empty checkpoint extension line")
    return Checkpoint(origin=origin, size=size, root=root, extensions=tuple(lines[3:]))


def open_checkpoint(msg: str | bytes, log_verifiers: list[Verifier], origin: str | None = None
                    ) -> tuple[Checkpoint, Note]:
    """Verify a signed checkpoint by the log's key(s); cosignatures by other keys stay unverified
    until checked with `witness_cosignatures`."""
    note = open_note(msg, log_verifiers)
    cp = parse_checkpoint(note.text)
    if origin is not None and cp.origin != origin:
        raise NoteError(f"checkpoint origin {cp.origin!r} is not {origin!r}")
    return cp, note


def witness_cosignatures(note_msg: str, witness_verifiers: list[Verifier]) -> list[Signature]:
    """The cosignatures in a note that verify against the given witness keys (bad ones raise)."""
    text, sigs = split_note(note_msg)
    by_id = {(v.name, v.key_id): v for v in witness_verifiers}
    ok, seen = [], set()
    for s in sigs:
        v = by_id.get((s.name, s.key_id))
        if v is None or (s.name, s.key_id) in seen:
            continue
        s.timestamp = v.verify(text.encode(), s.sig) or 0
        seen.add((s.name, s.key_id))
        ok.append(s)
    return ok
