"""App boundaries: an app imports another app's `services`, `selectors` and `schemas`, never its
`models` (docs/architecture.md, "Conventions" 1). `core` is the shared foundation and may be
imported from anywhere. Tests and migrations are exempt (tests build fixtures; migrations are
generated). ForeignKeys by string ("books.Account") need no import and are not affected. Nor does any
module import or call another module's private (_underscored) names."""

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


# --- private names ---------------------------------------------------------------------------------
# A leading underscore says "this module's business": another module importing or calling it binds
# itself to what the owner may change at will. Use (or add) a public function instead.
# Known uses still to remove, as (using file, "module:name"). Each is a debt, never a silencer.
ALLOWED_PRIVATE: set[tuple[str, str]] = set()


def _module_path(module: str) -> Path | None:
    """The file of an innoreform module, if it is one (a module file or a package)."""
    parts = module.split(".")
    if not parts or parts[0] != "innoreform":
        return None
    base = ROOT.joinpath(*parts[1:])
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(source: str, rel: Path) -> list[tuple[int, str]]:
    """(line, "module:name") for each private name of another innoreform module that the file at
    `rel` imports (`from m import _x`) or reaches through a module it imported (`m._x`)."""
    own = "innoreform." + ".".join(rel.with_suffix("").parts)
    if own.endswith(".__init__"):
        own = own[: -len(".__init__")]
    tree = ast.parse(source)
    modules: dict[str, str] = {}  # local name -> innoreform module
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _module_path(alias.name) and alias.asname:
                    modules[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(node, rel)
            for alias in node.names:
                full = f"{module}.{alias.name}"
                if _module_path(full):
                    modules[alias.asname or alias.name] = full
                elif _is_private(alias.name) and _module_path(module) and module != own:
                    found.append((node.lineno, f"{module}:{alias.name}"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and _is_private(node.attr) and isinstance(node.value, ast.Name)
                and node.value.id in modules and modules[node.value.id] != own):
            found.append((node.lineno, f"{modules[node.value.id]}:{node.attr}"))
    return found


def _private_violations() -> list[str]:
    out = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        rel = path.relative_to(ROOT)
        if _is_exempt(rel):
            continue
        for line, used in private_uses(path.read_text(encoding="utf-8"), rel):
            if (rel.as_posix(), used) not in ALLOWED_PRIVATE:
                out.append(f"innoreform/{rel.as_posix()}:{line} uses {used}")
    return out


def test_no_module_uses_another_modules_private_names():
    violations = _private_violations()
    assert not violations, "Call a public function of that module instead:\n" + "\n".join(violations)


def test_private_uses_are_found():
    rel = Path("vouchers/use.py")
    source = ("from .services import _require, scheme\nfrom innoreform.core import audit\n"
              "from . import money\naudit._sanitise({})\nmoney.share_of(1, 2)\n")
    assert private_uses(source, rel) == [(1, "innoreform.vouchers.services:_require"),
                                         (4, "innoreform.core.audit:_sanitise")]
