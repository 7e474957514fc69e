"""App boundaries: an app imports another app's `services`, `selectors` and `schemas`, never its
`models` (docs/architecture.md, "Conventions" 1). `core` is the shared foundation and may be
imported from anywhere. Tests and migrations are exempt (tests build fixtures; migrations are
generated). ForeignKeys by string ("books.Account") need no import and are not affected."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the innoreform package
SHARED = {"core"}

# Known violations still to fix, as (importing file, imported app). Each entry is a debt: remove it
# when the file is switched to the other app's selectors/schemas; never add one to silence the test.
ALLOWED: set[tuple[str, str]] = set()


def _apps() -> set[str]:
    return {p.parent.name for p in ROOT.glob("*/__init__.py")}


def _is_exempt(rel: Path) -> bool:
    parts = rel.parts
    return "tests" in parts or "migrations" in parts or rel.name.startswith("test_") or rel.name == "conftest.py"


def _resolve(node: ast.ImportFrom, rel: Path) -> str:
    """The absolute module of a `from X import ...` (relative imports resolved against the file)."""
    if not node.level:
        return node.module or ""
    package = ["innoreform", *rel.parts[:-1]]
    base = package[: len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def model_imports(source: str, rel: Path, apps: set[str]) -> list[tuple[int, str]]:
    """(line, other app) for each import of another app's models module in a file at `rel`
    (relative to the innoreform package)."""
    own = rel.parts[0]
    found = []

    def check(line: int, module: str) -> None:
        parts = module.split(".")
        if (len(parts) >= 3 and parts[0] == "innoreform" and parts[2] == "models" and parts[1] in apps
                and parts[1] != own and parts[1] not in SHARED):
            found.append((line, parts[1]))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                check(node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(node, rel)
            if module.count(".") == 1:  # from innoreform.<app> import models
                for alias in node.names:
                    check(node.lineno, f"{module}.{alias.name}")
            else:
                check(node.lineno, module)
    return found


def _violations() -> list[str]:
    apps = _apps()
    out = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        rel = path.relative_to(ROOT)
        if _is_exempt(rel):
            continue
        for line, other in model_imports(path.read_text(encoding="utf-8"), rel, apps):
            if (rel.as_posix(), other) not in ALLOWED:
                out.append(f"innoreform/{rel.as_posix()}:{line} imports {other}.models")
    return out


def test_no_app_imports_another_apps_models():
    violations = _violations()
    assert not violations, ("Import the other app's selectors/schemas/services instead:\n"
                            + "\n".join(violations))


def test_allow_list_has_no_stale_entries():
    """An entry whose import is gone must be removed, so the list only shrinks."""
    apps = _apps()
    live = set()
    for rel_text, _other in ALLOWED:
        rel = Path(rel_text)
        path = ROOT / rel
        if path.exists():
            live |= {(rel_text, other) for _line, other in model_imports(path.read_text(encoding="utf-8"), rel, apps)}
    assert ALLOWED <= live, f"remove from ALLOWED: {sorted(ALLOWED - live)}"


APPS = {"registry", "books", "financing", "pools", "core"}


@pytest.mark.parametrize(("source", "rel", "expected"), [
    ("from innoreform.registry import models as rm", "pools/demo.py", ["registry"]),
    ("from innoreform.books.models import Account", "pools/money.py", ["books"]),
    ("import innoreform.financing.models", "pools/facts.py", ["financing"]),
    ("import innoreform.financing.models as fm", "pools/facts.py", ["financing"]),
    ("def f():\n    from innoreform.registry.models import Enterprise\n", "financing/facts.py", ["registry"]),
    ("from ...registry import models", "pools/sub/x.py", ["registry"]),
    ("from ..books.models import Account", "pools/x.py", ["books"]),
    # allowed:
    ("from innoreform.core.models import Organisation", "pools/x.py", []),
    ("from innoreform.pools import models as m", "pools/x.py", []),
    ("from .models import Pool", "pools/x.py", []),
    ("from . import models as m", "pools/x.py", []),
    ("from innoreform.books import selectors, services", "pools/x.py", []),
    ("from innoreform.books.schemas import AccountPurpose", "pools/x.py", []),
    ("from innoreform.registry.selectors import models", "pools/x.py", []),
])
def test_model_imports_detects(source, rel, expected):
    assert [app for _line, app in model_imports(source, Path(rel), APPS)] == expected
