"""Translations without GNU gettext at install time.

The .po files are the source of truth (extracted by `make messages`, which needs xgettext);
`innoreform i18n compile` turns them into .mo files with Babel's catalogue reader and writer, so a
fresh machine with only Python can run the platform, and `innoreform i18n check` fails when any
zh-hans message lacks a translation or is marked fuzzy.
"""

from pathlib import Path

from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo as babel_write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent  # the innoreform package
REQUIRED_COMPLETE = ("zh_Hans",)


def parse_po(path: Path) -> Catalog:
    """Read a .po file; a malformed one raises (abort_invalid) instead of losing messages.

    The language comes from the path (<lang>/LC_MESSAGES/x.po) when the header's Language is
    empty, as makemessages leaves it: Babel writes Plural-Forms into the .mo header only for a
    catalogue with a language, and Django takes the plural rule from that header."""
    with path.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    if catalog.locale is None and path.parent.name == "LC_MESSAGES":
        try:
            catalog.locale = path.parent.parent.name
        except (ValueError, UnknownLocaleError):
            pass  # not a language directory: the .mo gets gettext's default plural rule
    return catalog


def write_mo(catalog: Catalog, path: Path) -> int:
    """Write a GNU .mo file. Fuzzy and untranslated entries are left out, exactly as msgfmt
    does, so the source string shows instead. Returns the number of messages written."""
    with path.open("wb") as handle:
        babel_write_mo(handle, catalog, use_fuzzy=False)
    return sum(1 for message in catalog if message.id and message.string and not message.fuzzy
               and (all(message.string) if isinstance(message.string, tuple | list) else True))


def po_files(root: Path = ROOT) -> list[Path]:
    return sorted(root.glob("*/locale/*/LC_MESSAGES/*.po"))


def compile_all(root: Path = ROOT) -> dict[Path, int]:
    return {po: write_mo(parse_po(po), po.with_suffix(".mo")) for po in po_files(root)}


def missing_translations(root: Path = ROOT) -> list[str]:
    problems = []
    for po in po_files(root):
        language = po.parent.parent.name
        if language not in REQUIRED_COMPLETE:
            continue
        for message in parse_po(po):
            if not message.id:
                continue  # the header
            msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
            strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
            where = f"{po.relative_to(root.parent)}:{message.lineno}"
            if message.fuzzy:
                problems.append(f"{where}: fuzzy: {msgid!r}")
            elif not strings or not all(strings):
                problems.append(f"{where}: untranslated: {msgid!r}")
    return problems
