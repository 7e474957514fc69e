"""Two demo witnesses for `innoreform serve` (the lead's serve/demo commands call these).

    env = ledger_demo.witness_env(VAR_DIR)              # creates the witness keys, returns env vars
    for argv in ledger_demo.witness_commands(VAR_DIR):  # start each as its own process
        subprocess.Popen(argv, env={**os.environ, **env})

Each witness is an independent process with its own key and state file under var/witnesses/;
the platform is told about them through LEDGER_WITNESSES and LEDGER_QUORUM=2.
"""

import sys
from pathlib import Path

from . import note, witness

DEMO_WITNESSES = (("witness.bank-a.example", 8401), ("witness.notary.example", 8402))


def _paths(var_dir, name):
    base = Path(var_dir) / "witnesses"
    return base / f"{name}.key", base / f"{name}.state.json"


def witness_env(var_dir, witnesses=DEMO_WITNESSES, host: str = "127.0.0.1") -> dict[str, str]:
    items = []
    for name, port in witnesses:
        key, _state = _paths(var_dir, name)
        signer = witness.load_or_create_key(key, name, note.ALG_COSIGNATURE_V1)
        items.append(f"{signer.verifier}=http://{host}:{port}")
    return {"LEDGER_WITNESSES": ",".join(items), "LEDGER_QUORUM": str(len(witnesses))}


def witness_commands(var_dir, witnesses=DEMO_WITNESSES, host: str = "127.0.0.1") -> list[list[str]]:
    out = []
    for name, port in witnesses:
        key, state = _paths(var_dir, name)
        out.append([sys.executable, "-m", "innoreform.cli", "witness", "serve", "--key", str(key), "--name", name,
                    "--state", str(state), "--port", str(port), "--host", host])
    return out
