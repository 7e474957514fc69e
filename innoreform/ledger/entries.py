"""Canonical JSON log entries: commitments, never personal data.

An entry is a JSON object with sorted keys, no insignificant whitespace, UTF-8, integers and
strings only (no floats), so the same entry always has the same bytes and the same leaf hash:

    {"about":"hmac-sha256:…","consent":"…","content":"sha256:…","id":"<uuid>","object":"app.model:42",
     "org":12,"purpose":"…","time":"2026-11-27T07:00:00Z","type":"evidence.deposited","v":1}

Empty fields are left out. `about` is a keyed hash (HMAC-SHA-256) of the organisation or person
the entry concerns, so the public log does not reveal whose data was touched; the platform keeps
the mapping in its own (non-public) column.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

VERSION = 1
TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
HASH_RE = re.compile(r"^(sha256|hmac-sha256):[0-9a-f]{64}$")
OBJECT_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*:[A-Za-z0-9_-]{1,64}$")
MAX_TEXT = 200


class EntryError(ValueError):
    pass


def _check(value: Any) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, float):
        raise EntryError("floats are not allowed in log entries")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise EntryError("keys must be strings")
            _check(v)
    elif isinstance(value, list):
        for v in value:
            _check(v)
    elif not isinstance(value, str | int):
        raise EntryError(f"unsupported value type {type(value).__name__}")


def canonical(obj: dict) -> bytes:
    _check(obj)
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def parse(body: bytes) -> dict:
    """Parse an entry and check it is in canonical form."""
    try:
        obj = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EntryError("entry is not JSON") from exc
    if not isinstance(obj, dict) or canonical(obj) != body:
        raise EntryError("entry is not canonical JSON")
    return obj


def sha256_commitment(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def keyed_commitment(key: bytes, identifier: str) -> str:
    """HMAC-SHA-256 of an identifier under a per-subject or per-deployment key."""
    return "hmac-sha256:" + hmac.new(key, identifier.encode(), hashlib.sha256).hexdigest()


def build(*, entry_id: str, entry_type: str, time: str, org: int | None, about: str = "", object_ref: str = "",
          content: str = "", consent: str = "", purpose: str = "") -> bytes:
    if not TYPE_RE.match(entry_type) or len(entry_type) > 64:
        raise EntryError("entry type must look like 'domain.event'")
    for name, value in (("about", about), ("content", content)):
        if value and not HASH_RE.match(value):
            raise EntryError(f"{name} must be 'sha256:<hex>' or 'hmac-sha256:<hex>'")
    if object_ref and not OBJECT_RE.match(object_ref):
        raise EntryError("object reference must look like 'app.model:id'")
    for name, value in (("consent", consent), ("purpose", purpose)):
        if len(value) > MAX_TEXT or not value.isprintable():
            raise EntryError(f"{name} must be printable and at most {MAX_TEXT} characters")
    obj: dict[str, Any] = {"v": VERSION, "id": entry_id, "type": entry_type, "time": time}
    if org is not None:
        obj["org"] = int(org)
    for k, v in (("about", about), ("object", object_ref), ("content", content), ("consent", consent),
                 ("purpose", purpose)):
        if v:
            obj[k] = v
    return canonical(obj)
