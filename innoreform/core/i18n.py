"""Translations without GNU gettext at install time.

The .po files are the source of truth (extracted by `make messages`, which needs xgettext);
`innoreform i18n compile` turns them into .mo files in pure Python so a fresh machine with only
Python can run the platform, and `innoreform i18n check` fails when any zh-hans message lacks a
translation or is marked fuzzy.
"""

import ast
import struct
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the innoreform package
REQUIRED_COMPLETE = ("zh_Hans",)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    line: int = 0


def _unquote(text: str) -> str:
    return ast.literal_eval(text) if text else ""


def parse_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int | None] | None = None

    def flush() -> None:
        nonlocal current
        if current.msgid or current.msgstr:
            entries.append(current)
        current = Entry()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            target = None
            continue
        if line.startswith("#,"):
            if current.msgid or current.msgstr:
                flush()
            current.fuzzy = "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{number}: continuation without a keyword")
            name, index = target
            value = _unquote(line)
            if name == "msgstr":
                current.msgstr[index or 0] = current.msgstr.get(index or 0, "") + value
            else:
                setattr(current, name, (getattr(current, name) or "") + value)
            continue
        if keyword == "msgctxt":
            if current.msgid or current.msgstr:
                flush()
            current.msgctxt = _unquote(rest)
            target = ("msgctxt", None)
        elif keyword == "msgid":
            if current.msgstr:
                flush()
            current.msgid = _unquote(rest)
            current.line = number
            target = ("msgid", None)
        elif keyword == "msgid_plural":
            current.msgid_plural = _unquote(rest)
            target = ("msgid_plural", None)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            current.msgstr[index] = _unquote(rest)
            target = ("msgstr", index)
        else:
            raise ValueError(f"{path}:{number}: unexpected line {raw!r}")
    flush()
    return entries


def _mo_key(entry: Entry) -> str:
    key = entry.msgid if entry.msgid_plural is None else entry.msgid + "\0" + entry.msgid_plural
    return key if entry.msgctxt is None else entry.msgctxt + "\x04" + key


def write_mo(entries: list[Entry], path: Path) -> int:
    """Write a GNU .mo file (little-endian, no hash table). Fuzzy and empty entries are left
    out, exactly as msgfmt does, so the source string shows instead."""
    catalog: dict[str, str] = {}
    for entry in entries:
        if entry.fuzzy and entry.msgid:
            continue
        values = [entry.msgstr[i] for i in sorted(entry.msgstr)]
        if not any(values) and entry.msgid:
            continue
        catalog[_mo_key(entry)] = "\0".join(values)
    keys = sorted(catalog)
    ids = b"".join(k.encode() + b"\0" for k in keys)
    strs = b"".join(catalog[k].encode() + b"\0" for k in keys)
    count = len(keys)
    header_size = 7 * 4
    ids_table = header_size
    strs_table = ids_table + count * 8
    data_start = strs_table + count * 8
    offsets_ids, offsets_strs = [], []
    position = data_start
    for key in keys:
        encoded = key.encode()
        offsets_ids.append((len(encoded), position))
        position += len(encoded) + 1
    for key in keys:
        encoded = catalog[key].encode()
        offsets_strs.append((len(encoded), position))
        position += len(encoded) + 1
    out = struct.pack("<7I", 0x950412DE, 0, count, ids_table, strs_table, 0, data_start)
    out += b"".join(struct.pack("<2I", length, offset) for length, offset in offsets_ids)
    out += b"".join(struct.pack("<2I", length, offset) for length, offset in offsets_strs)
    out += ids + strs
    path.write_bytes(out)
    return count


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
        for entry in parse_po(po):
            if not entry.msgid:
                continue
            if entry.fuzzy:
                problems.append(f"{po.relative_to(root.parent)}:{entry.line}: fuzzy: {entry.msgid!r}")
            elif not all(entry.msgstr.values()) or not entry.msgstr:
                problems.append(f"{po.relative_to(root.parent)}:{entry.line}: untranslated: {entry.msgid!r}")
    return problems
