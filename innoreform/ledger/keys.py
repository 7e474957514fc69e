"""The log's signing key(s) and the configured witnesses.

The key comes from the environment variable LEDGER_KEY (one or more `PRIVATE+KEY+...` strings
separated by newlines or commas) or else from the file settings.LEDGER_KEY_FILE, which is created
with a fresh key named after settings.LEDGER_ORIGIN when it does not exist (the demo's var/).
Every key listed signs every checkpoint: to rotate, add the new key (both sign), publish the new
verifier key, then remove the old one. See README.md.
"""

from __future__ import annotations

import os
import threading

from django.conf import settings

from . import note, witness

_lock = threading.Lock()
_cache: dict[str, list[note.Signer]] = {}


def origin() -> str:
    return settings.LEDGER_ORIGIN


def _parse(text: str) -> list[note.Signer]:
    items = [s.strip() for s in text.replace(",", "\n").splitlines() if s.strip()]
    signers = [note.Signer.from_string(s) for s in items]
    if not signers:
        raise note.NoteError("no ledger key")
    return signers


def signers() -> list[note.Signer]:
    env = os.environ.get("LEDGER_KEY", "")
    path = settings.LEDGER_KEY_FILE
    cache_key = env or f"file:{path}"
    with _lock:
        if cache_key not in _cache:
            if env:
                _cache[cache_key] = _parse(env)
            else:
                if not os.path.exists(path):
                    witness.load_or_create_key(path, origin(), note.ALG_ED25519)
                with open(path) as f:
                    _cache[cache_key] = _parse(f.read())
        return _cache[cache_key]


def verifiers() -> list[note.Verifier]:
    return [s.verifier for s in signers()]


def verifier_key() -> str:
    return str(signers()[0].verifier)


def witnesses() -> list[witness.WitnessConfig]:
    return [witness.WitnessConfig.parse(item) for item in settings.LEDGER_WITNESSES]


def quorum() -> int:
    return settings.LEDGER_QUORUM


def clear_cache() -> None:
    with _lock:
        _cache.clear()
