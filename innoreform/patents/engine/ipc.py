"""IPC codes: parsing every common spelling, the hierarchy with titles, and the WIPO 35 fields.

Canonical form is compact: subclass + main group + "/" + subgroup, e.g. ``H04L29/06``.
Accepted spellings (case and full-width characters do not matter):

- ``H04L29/06``, ``H04L 29/06``, ``H04L  29/06`` (WIPO padded), ``H04L-29/06``, ``H04L 29-06``
- ``H04L0029060000`` (14-character scheme format: 4 + 4-digit main group + 6-digit subgroup)
- ``C07D41700`` / ``G01N03072`` (subclass + 3-digit main group + 2-digit subgroup) and
  ``C12N000902`` (4-digit main group + subgroup), as in some landscape exports
- ``7C 07D 235:00 J`` (old editions: edition digit, spaces, colon of indexing codes, level letter)
- ``G07F 9/10 20060101AFI20130528VHKR`` (with the WIPO version-indicator string)
- ``A21D 13/`` (subgroup cut off: read as the main group)
- edition and level suffixes: ``H04L 29/06 (2006.01)``, ``H04L29/06(2006.01)I``, ``H04L29/06,A``
- ``H04L29`` (main group only, read as ``H04L29/00``) and ``H04L`` (subclass only)
CPC codes (4-digit 2000-series main groups such as ``B60R2011/0043``) parse the same way.
"""

from __future__ import annotations

import csv
import gzip
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class IpcError(ValueError):
    """A code that is not a recognisable IPC symbol."""


@dataclass(frozen=True)
class Ipc:
    subclass: str  # H04L
    main: str  # "29"
    sub: str  # "06" (at least two digits; "00" for a main group)

    @property
    def section(self) -> str:
        return self.subclass[0]

    @property
    def ipc_class(self) -> str:
        return self.subclass[:3]

    @property
    def code(self) -> str:
        return f"{self.subclass}{self.main}/{self.sub}" if self.main else self.subclass

    @property
    def main_group(self) -> str:
        return f"{self.subclass}{self.main}/00" if self.main else self.subclass

    @property
    def is_main_group(self) -> bool:
        return self.sub in ("", "00")

    @property
    def scheme_key(self) -> str:
        """The 14-character key of the IPC scheme file: H04L0029060000."""
        return f"{self.subclass}{int(self.main):04d}{self.sub.ljust(6, '0')}"

    def __str__(self) -> str:
        return self.code


_EDITION = re.compile(r"\(\s*\d{4}(\.\d{1,2})?\s*\)\s*[A-Z]?\s*$")
_TRAILING_LEVEL = re.compile(r"[,;]\s*[A-Z]{1,2}\s*$")
_SUBCLASS = re.compile(r"^([A-H])\s*(\d{2})\s*([A-Z])")
_SEPARATED = re.compile(r"^(\d{1,4})\s*[/\-:.]\s*(\d{1,6})$")
_DIGITS = re.compile(r"^\d+$")


_VERSION_INDICATOR = re.compile(r"\s+\d{8}[A-Z].*$")  # "G07F 9/10 20060101AFI20130528VHKR"
_OLD_EDITION = re.compile(r"^\d(?=\s*[A-H]\s*\d)")  # "7C 07D 235:00" (IPC 7th edition prefix)
_LEVEL_LETTER = re.compile(r"(?<=\d)\s+[A-Z]$")  # "... 235:00 J"


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", str(raw)).upper().strip()
    text = _VERSION_INDICATOR.sub("", text)
    text = _OLD_EDITION.sub("", text).strip()
    text = _LEVEL_LETTER.sub("", text)
    text = _EDITION.sub("", text).strip()
    text = _TRAILING_LEVEL.sub("", text).strip()
    return text


def _subgroup(digits: str) -> str:
    stripped = digits.rstrip("0")
    return stripped.ljust(2, "0") if stripped else "00"


def parse(raw: str) -> Ipc:
    """Parse one IPC symbol in any common spelling; raise IpcError otherwise."""
    return _parse_cached(str(raw))


@lru_cache(maxsize=262144)
def _parse_cached(raw: str) -> Ipc:
    text = _clean(raw)
    if not text:
        raise IpcError("empty IPC code")
    m = _SUBCLASS.match(text)
    if not m:
        raise IpcError(f"not an IPC code: {raw!r}")
    subclass = m.group(1) + m.group(2) + m.group(3)
    rest = text[m.end():].strip(" -")
    if not rest:
        return Ipc(subclass, "", "")
    if re.fullmatch(r"\d{1,4}\s*/", rest):  # "A21D 13/": a main group with the subgroup cut off
        rest = rest.rstrip("/ ") + "/00"
    sep = _SEPARATED.match(rest)
    if sep:
        main, sub = sep.group(1), sep.group(2)
        if len(main) == 4 and len(sub) == 6:  # "0029/060000"
            sub = _subgroup(sub)
        elif len(sub) == 1:  # "29/6" is written for "29/06" by some tools
            sub = sub + "0"
        main = str(int(main))
        return Ipc(subclass, main, sub if len(sub) >= 2 else sub.ljust(2, "0"))
    compact = rest.replace(" ", "")
    if not _DIGITS.match(compact):
        raise IpcError(f"not an IPC code: {raw!r}")
    if len(compact) == 10:  # 14-character scheme format
        main, sub = compact[:4], _subgroup(compact[4:])
    elif len(compact) <= 4:  # main group only
        main, sub = compact, "00"
    elif len(compact) == 5:  # 3-digit zero-padded main group + 2-digit subgroup: "C07D41700"
        main, sub = compact[:3], compact[3:]
    else:  # 4-digit zero-padded main group + subgroup: "C12N000902" = C12N 9/02
        main, sub = compact[:4], _subgroup(compact[4:]) if len(compact) > 8 else compact[4:]
    if int(main) == 0:
        raise IpcError(f"main group 0 in {raw!r}")
    return Ipc(subclass, str(int(main)), sub)


_SPLIT = re.compile(r";;|[;；|\n,，]")


def parse_many(raw: str | None) -> tuple[list[Ipc], list[str]]:
    """Split a multi-valued IPC field; return (parsed codes in order without duplicates, bad tokens)."""
    if raw is None:
        return [], []
    codes: list[Ipc] = []
    bad: list[str] = []
    seen: set[str] = set()
    for token in _SPLIT.split(str(raw)):
        token = token.strip()
        if not token or token.upper() in {"NA", "N/A", "NONE", "NULL", "-"}:
            continue
        try:
            ipc = parse(token)
        except IpcError:
            bad.append(token)
            continue
        if ipc.code not in seen:
            seen.add(ipc.code)
            codes.append(ipc)
    return codes, bad


def like_pattern(raw: str) -> str:
    """Turn a user's IPC prefix into a LIKE pattern on compact codes.

    ``B64U`` -> ``B64U%`` (subclass); ``G05D 1/00`` or ``G05D1`` -> ``G05D1/%`` (main group);
    ``B64C 39/02`` -> ``B64C39/02%`` (the subgroup and codes that extend its digits).
    """
    ipc = parse(raw)
    if not ipc.main:
        return f"{ipc.subclass}%"
    if ipc.sub == "00":
        return f"{ipc.subclass}{ipc.main}/%"
    return f"{ipc.subclass}{ipc.main}/{ipc.sub}%"


# --- the IPC scheme (titles) -------------------------------------------------------------------

@lru_cache(maxsize=1)
def scheme() -> dict[str, str]:
    """Scheme key (A, A01, A01B, A01B0001020000) -> English title (IPC 2019 edition)."""
    titles: dict[str, str] = {}
    with gzip.open(DATA_DIR / "ipc_scheme.tsv.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            key, _, title = line.rstrip("\n").partition("\t")
            titles[key] = title
    return titles


def hierarchy(code: str) -> list[tuple[str, str, str]]:
    """Roll a code up: [(level, code, title)] from section down to the code itself."""
    ipc = parse(code)
    titles = scheme()
    levels = [
        ("section", ipc.section, titles.get(ipc.section, "")),
        ("class", ipc.ipc_class, titles.get(ipc.ipc_class, "")),
        ("subclass", ipc.subclass, titles.get(ipc.subclass, "")),
    ]
    if ipc.main:
        main = Ipc(ipc.subclass, ipc.main, "00")
        levels.append(("main_group", main.code, titles.get(main.scheme_key, "")))
        if not ipc.is_main_group:
            levels.append(("subgroup", ipc.code, titles.get(ipc.scheme_key, "")))
    return levels


def title(code: str) -> str:
    """The most specific title the scheme has for a code (falls back up the hierarchy)."""
    try:
        levels = hierarchy(code)
    except IpcError:
        return ""
    for _level, _code, text in reversed(levels):
        if text:
            return text
    return ""


# --- WIPO technology fields (Schmoch 2008 concordance) -----------------------------------------

@dataclass(frozen=True)
class WipoField:
    id: int
    sector_en: str
    name_en: str
    name_zh: str


FIELD_NAMES_ZH = {
    1: "电机、电气装置、电能", 2: "音像技术", 3: "电信", 4: "数字通信", 5: "基础通信程序", 6: "计算机技术",
    7: "管理用IT方法", 8: "半导体", 9: "光学", 10: "测量", 11: "生物材料分析", 12: "控制", 13: "医学技术",
    14: "有机精细化学", 15: "生物技术", 16: "药品", 17: "高分子化学、聚合物", 18: "食品化学", 19: "基础材料化学",
    20: "材料、冶金", 21: "表面技术、涂层", 22: "微观结构和纳米技术", 23: "化学工程", 24: "环境技术", 25: "装卸",
    26: "机床", 27: "发动机、泵、涡轮机", 28: "纺织和造纸机器", 29: "其他专用机器", 30: "热工过程和器具",
    31: "机械元件", 32: "运输", 33: "家具、游戏", 34: "其他消费品", 35: "土木工程",
}


# Not in the 2019 concordance: B64U (unmanned aerial vehicles, IPC 2023.01, split from B64C) and
# G06V (image recognition, IPC 2022.01, split from G06K) go where their parents are.
SUPPLEMENT = [("B64U", 32), ("G06V", 6), ("H10B", 8), ("H10K", 8), ("H10N", 8)]


@lru_cache(maxsize=1)
def _concordance() -> tuple[dict[int, WipoField], list[tuple[str, int]]]:
    fields: dict[int, WipoField] = {}
    patterns: list[tuple[str, int]] = []
    with open(DATA_DIR / "wipo_fields_ipc.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            fid = int(row["field_id"])
            fields.setdefault(fid, WipoField(fid, row["sector_en"], row["field_en"], FIELD_NAMES_ZH[fid]))
            pattern = row["ipc_pattern"].rstrip("%")
            # "H04N   3/" -> "H04N3/"; "F21H" stays a subclass prefix.
            patterns.append((pattern[:4] + pattern[4:].replace(" ", ""), fid))
    # Subclasses created after the concordance's last update, placed beside their parents.
    patterns.extend(SUPPLEMENT)
    # Longest prefix wins: "A61K8/" (field 14) beats "A61K" rules of field 16.
    patterns.sort(key=lambda item: -len(item[0]))
    return fields, patterns


def wipo_fields() -> dict[int, WipoField]:
    return _concordance()[0]


@lru_cache(maxsize=65536)
def wipo_field(code: str) -> int | None:
    """The WIPO technology field (1..35) of a compact IPC code, or None."""
    for prefix, fid in _concordance()[1]:
        if code.startswith(prefix):
            return fid
    return None


def short_title(code: str, limit: int = 80) -> str:
    """The title without its parenthesised references, cut to `limit` characters."""
    text = title(code)
    while "(" in text and ")" in text:
        start = text.index("(")
        end = text.find(")", start)
        if end < 0:
            break
        text = (text[:start] + text[end + 1:]).strip()
    text = re.sub(r"\s+", " ", text).strip(" ;,")
    return text if len(text) <= limit else text[: limit - 1] + "…"
