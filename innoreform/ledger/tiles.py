"""C2SP tlog-tiles v0.1.0 paths and contents (tile height 8: 256 hashes per tile).

Tile `L/N` holds the hashes of the complete nodes at tree level 8*L with indices
N*256 .. N*256+255; a partial tile `.p/W` holds the first W of them. Entry bundle `N` holds
entries N*256 .. N*256+W-1, each as a big-endian uint16 length followed by the entry bytes.

Also a small tiles *client* (`TileClient`) that rebuilds proofs from fetched tiles, which is what a
stranger's auditor does: tests and `innoreform ledger audit-url` use it.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable

from . import merkle

HEIGHT = 8
WIDTH = 1 << HEIGHT
MAX_ENTRY = 0xFFFF

_PATH = re.compile(r"^(?P<level>entries|[0-9]|[1-5][0-9]|6[0-3])/(?P<n>(?:x\d{3}/)*\d{3})(?:\.p/(?P<w>\d{1,3}))?$")


class TilePathError(ValueError):
    pass


def encode_index(n: int) -> str:
    """1234067 -> 'x001/x234/067'."""
    s = f"{n:03d}"
    s = "0" * (-len(s) % 3) + s
    groups = [s[i : i + 3] for i in range(0, len(s), 3)]
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def tile_path(level: int | str, n: int, width: int = WIDTH) -> str:
    p = f"tile/{level}/{encode_index(n)}"
    return p if width == WIDTH else f"{p}.p/{width}"


def parse_tile_path(path: str) -> tuple[int | None, int, int]:
    """'1/x001/234.p/7' -> (1, 1234, 7); the level is None for entry bundles."""
    m = _PATH.match(path)
    if not m:
        raise TilePathError("not a tile path")
    groups = m.group("n").split("/")
    if len(groups) > 1 and groups[0] == "x000":
        raise TilePathError("leading zero group")
    n = int("".join(g.lstrip("x") for g in groups))
    w = m.group("w")
    if w is not None:
        if w.startswith("0") or not 1 <= int(w) < WIDTH:
            raise TilePathError("partial width must be 1..255 without leading zeros")
        width = int(w)
    else:
        width = WIDTH
    level = None if m.group("level") == "entries" else int(m.group("level"))
    return level, n, width


def available_width(level: int, n: int, size: int) -> int:
    """How many hashes tile (level, n) holds in a tree of `size` leaves (0..256)."""
    count = size >> (HEIGHT * level)  # complete nodes at tree level 8*level
    return max(0, min(WIDTH, count - n * WIDTH))


def tile_node_ids(level: int, n: int, width: int) -> list[merkle.NodeId]:
    return [(HEIGHT * level, n * WIDTH + i) for i in range(width)]


def encode_bundle(entries: Iterable[bytes]) -> bytes:
    out = bytearray()
    for e in entries:
        if len(e) > MAX_ENTRY:
            raise ValueError("entry too large for a bundle")
        out += struct.pack(">H", len(e)) + e
    return bytes(out)


def decode_bundle(data: bytes) -> list[bytes]:
    out, i = [], 0
    while i < len(data):
        if i + 2 > len(data):
            raise ValueError("truncated entry bundle")
        (n,) = struct.unpack(">H", data[i : i + 2])
        if i + 2 + n > len(data):
            raise ValueError("truncated entry bundle")
        out.append(data[i + 2 : i + 2 + n])
        i += 2 + n
    return out


class TileClient:
    """Reads a tiled log through `fetch(path) -> bytes` and answers node reads for proofs.

    Each hash in tile (L, N) is a level-8L node; the 7 levels in between are rebuilt by hashing
    the tile's hashes, so any complete node can be served from one tile.
    """

    def __init__(self, fetch: Callable[[str], bytes], size: int):
        self.fetch, self.size = fetch, size
        self._cache: dict[tuple[int, int], list[bytes]] = {}

    def tile(self, level: int, n: int) -> list[bytes]:
        key = (level, n)
        if key not in self._cache:
            width = available_width(level, n, self.size)
            if width == 0:
                raise LookupError(f"tile {level}/{n} is beyond size {self.size}")
            data = self.fetch(tile_path(level, n, width))
            if len(data) != 32 * width:
                raise ValueError(f"tile {level}/{n} has {len(data)} bytes, want {32 * width}")
            self._cache[key] = [data[i : i + 32] for i in range(0, len(data), 32)]
        return self._cache[key]

    def node(self, level: int, index: int) -> bytes:
        tl, sub = divmod(level, HEIGHT)  # tile level, levels above the tile's base
        first = index << sub  # index of the first base-level hash under this node
        hashes = self.tile(tl, first // WIDTH)[first % WIDTH : first % WIDTH + (1 << sub)]
        if len(hashes) != 1 << sub:
            raise LookupError(f"node ({level}, {index}) is not complete in size {self.size}")
        while len(hashes) > 1:
            hashes = [merkle.node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]

    def read(self, ids: Iterable[merkle.NodeId]) -> dict[merkle.NodeId, bytes]:
        return {(lv, ix): self.node(lv, ix) for lv, ix in ids}

    def entries(self, n: int) -> list[bytes]:
        width = min(WIDTH, self.size - n * WIDTH)
        path = f"tile/entries/{encode_index(n)}" + ("" if width == WIDTH else f".p/{width}")
        got = decode_bundle(self.fetch(path))
        if len(got) != width:
            raise ValueError(f"entry bundle {n} has {len(got)} entries, want {width}")
        return got
