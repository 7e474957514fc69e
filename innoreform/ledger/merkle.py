"""RFC 9162 Merkle tree hashing, proofs and their verification (pure Python, no Django).

Hashing: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right), the root of
an empty tree = SHA-256(""). A tree of n leaves splits at the largest power of two below n.

Nodes are named (level, index): the node at level L and index i is the root of the complete
subtree over leaves [i * 2**L, (i + 1) * 2**L). Only complete subtrees are ever stored; every
proof is assembled from stored complete nodes (a few indexed reads) plus the hashing of at most
log2(n) "ephemeral" right-border nodes.

Also here: the subtree inclusion and subtree consistency proofs of the Merkle Tree Certificates
draft (draft-ietf-plants-merkle-tree-certs, "subtrees" [start, end)), which generalise the
RFC 9162 proofs and are exercised by the transparency-dev test vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from hashlib import sha256

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()

NodeId = tuple[int, int]  # (level, index)
NodeReader = Callable[[Iterable[NodeId]], dict[NodeId, bytes]]


class ProofError(ValueError):
    """A proof is malformed or does not verify."""


def leaf_hash(entry: bytes) -> bytes:
    return sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def bit_ceil(n: int) -> int:
    """The smallest power of two >= n (1 for n = 0)."""
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


# --------------------------------------------------------------------------- building


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes, level by level (used by fsck and the benchmark)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    r = CompactRange()
    for h in leaf_hashes:
        r.append(h)
    return r.root()


class CompactRange:
    """The right border of a tree: one complete node per set bit of `size`, largest first.

    `append` adds a leaf hash and returns the complete nodes it finished (level >= 1), which is
    exactly what the database stores; `root` folds the border into the tree hash.
    """

    __slots__ = ("_hashes", "_levels", "size")

    def __init__(self, size: int = 0, nodes: Sequence[bytes] = ()):
        levels = [lvl for lvl in range(size.bit_length() - 1, -1, -1) if size >> lvl & 1]
        if len(levels) != len(nodes):
            raise ValueError(f"a compact range of size {size} has {len(levels)} nodes, got {len(nodes)}")
        self.size = size
        self._levels = levels
        self._hashes = list(nodes)

    @staticmethod
    def node_ids(size: int) -> list[NodeId]:
        """The (level, index) of each border node of a tree of `size` leaves, largest first."""
        out = []
        for lvl in range(size.bit_length() - 1, -1, -1):
            if size >> lvl & 1:
                out.append((lvl, (size >> lvl) - 1))
        return out

    def append(self, h: bytes) -> list[tuple[int, int, bytes]]:
        created = []
        index = self.size
        level = 0
        levels, hashes = self._levels, self._hashes
        while levels and levels[-1] == level:
            levels.pop()
            h = node_hash(hashes.pop(), h)
            level += 1
            created.append((level, index >> level, h))
        levels.append(level)
        hashes.append(h)
        self.size = index + 1
        return created

    def root(self) -> bytes:
        if not self._hashes:
            return EMPTY_ROOT
        h = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            h = node_hash(left, h)
        return h

    def border_bytes(self) -> bytes:
        return b"".join(self._hashes)

    def copy(self) -> CompactRange:
        c = CompactRange()
        c.size, c._levels, c._hashes = self.size, list(self._levels), list(self._hashes)
        return c


# --------------------------------------------------------------------------- proof shapes

Range = tuple[int, int]  # [lo, hi): MTH(D[lo:hi]) is needed


def _inclusion_ranges(index: int, lo: int, hi: int) -> list[Range]:
    """PATH(index, D[lo:hi]) as ranges, leaf sibling first (RFC 9162 section 2.1.3.1)."""
    out: list[Range] = []
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo = lo + k
    out.reverse()
    return out


def _subtree_consistency_ranges(start: int, end: int, lo: int, hi: int, known: bool) -> list[Range]:
    """SUBPROOF generalised to a subtree [start, end) of the tree [lo, hi), bottom node first.

    With start = 0 this is exactly RFC 9162 SUBPROOF(end, D[lo:hi], known).
    """
    out: list[Range] = []
    while not (start == lo and end == hi):
        k = _split(hi - lo)
        if end <= lo + k:
            out.append((lo + k, hi))
            hi = lo + k
        elif start >= lo + k:
            out.append((lo, lo + k))
            lo = lo + k
        else:  # start == lo for a valid subtree: [lo, lo + k) is known to both trees
            out.append((lo, lo + k))
            lo = start = lo + k
            known = False
    if not known:
        out.append((lo, hi))
    out.reverse()
    return out


def range_nodes(lo: int, hi: int) -> list[NodeId]:
    """Complete nodes whose concatenation is [lo, hi), largest (leftmost) first.

    For the ranges a proof needs (aligned complete nodes, or a right-border remainder) the
    MTH of [lo, hi) is the right fold of these nodes' hashes.
    """
    out = []
    while lo < hi:
        size = 1 << ((hi - lo).bit_length() - 1)
        # the largest aligned power of two starting at lo and fitting in [lo, hi)
        while lo % size:
            size >>= 1
        level = size.bit_length() - 1
        out.append((level, lo >> level))
        lo += size
    return out


def _fold(hashes: list[bytes]) -> bytes:
    h = hashes[-1]
    for left in reversed(hashes[:-1]):
        h = node_hash(left, h)
    return h


def _resolve(ranges: list[Range], read: NodeReader) -> list[bytes]:
    needed = {r: range_nodes(*r) for r in ranges}
    ids = {nid for ns in needed.values() for nid in ns}
    got = read(ids)
    missing = ids - got.keys()
    if missing:
        raise LookupError(f"missing stored hashes for nodes {sorted(missing)[:5]}")
    return [_fold([got[nid] for nid in needed[r]]) for r in ranges]


def inclusion_proof(index: int, size: int, read: NodeReader) -> list[bytes]:
    if not 0 <= index < size:
        raise ValueError(f"index {index} out of range for size {size}")
    return _resolve(_inclusion_ranges(index, 0, size), read)


def consistency_proof(old: int, new: int, read: NodeReader) -> list[bytes]:
    if not 0 <= old <= new:
        raise ValueError(f"bad sizes {old}, {new}")
    if old == 0 or old == new:
        return []
    return _resolve(_subtree_consistency_ranges(0, old, 0, new, True), read)


def subtree_inclusion_proof(index: int, start: int, end: int, read: NodeReader) -> list[bytes]:
    if not (is_valid_subtree(start, end) and start <= index < end):
        raise ValueError("invalid subtree or index")
    return _resolve(_inclusion_ranges(index, start, end), read)


def subtree_consistency_proof(start: int, end: int, size: int, read: NodeReader) -> list[bytes]:
    if not (is_valid_subtree(start, end) and end <= size):
        raise ValueError("invalid subtree")
    if start == end:
        return []
    return _resolve(_subtree_consistency_ranges(start, end, 0, size, True), read)


def root_at(size: int, read: NodeReader) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return _resolve([(0, size)], read)[0]


# --------------------------------------------------------------------------- verification


def _check_hash(h: bytes, what: str) -> None:
    if len(h) != HASH_SIZE:
        raise ProofError(f"{what} has {len(h)} bytes, want {HASH_SIZE}")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 section 2.1.3.2, returning the computed root."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is not below size {size}")
    _check_hash(leaf, "leaf hash")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        _check_hash(p, "proof hash")
        if sn == 0:
            raise ProofError("proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not (fn & 1 or fn == 0):
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof is too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ProofError unless `proof` shows leaf hash `leaf` at `index` in the tree (size, root)."""
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise ProofError("computed root does not match")


def verify_consistency(old: int, new: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes) -> None:
    """Raise ProofError unless `proof` shows tree (new, new_root) extends tree (old, old_root).

    A proof from the empty tree is meaningless and rejected (size1 = 0), as in the vectors.
    """
    if old > new:
        raise ProofError(f"old size {old} is greater than new size {new}")
    if old == 0:
        raise ProofError("a consistency proof from the empty tree is meaningless")
    if old == new:
        if proof:
            raise ProofError("sizes are equal but the proof is not empty")
        if old_root != new_root:
            raise ProofError("sizes are equal but the roots differ")
        return
    _verify_subtree_consistency(0, old, new, proof, old_root, new_root)


def is_valid_subtree(start: int, end: int) -> bool:
    """[start, end) is a subtree: start <= end and start is a multiple of BIT_CEIL(end - start)."""
    return 0 <= start <= end and start % bit_ceil(end - start) == 0


def verify_subtree_inclusion(index: int, start: int, end: int, leaf: bytes, proof: Sequence[bytes],
                             root: bytes) -> None:
    if not (start < end and is_valid_subtree(start, end)):
        raise ProofError(f"[{start}, {end}) is not a valid non-empty subtree")
    if not start <= index < end:
        raise ProofError(f"index {index} is outside [{start}, {end})")
    verify_inclusion(index - start, end - start, leaf, proof, root)


def verify_subtree_consistency(start: int, end: int, size: int, proof: Sequence[bytes], subtree_root: bytes,
                               root: bytes) -> None:
    """Raise ProofError unless `proof` shows the subtree [start, end) with hash `subtree_root` sits
    in the tree of `size` leaves with hash `root`."""
    if not is_valid_subtree(start, end):
        raise ProofError(f"[{start}, {end}) is not a valid subtree")
    if end > size:
        raise ProofError(f"subtree end {end} is beyond the tree size {size}")
    if start == end:
        if proof:
            raise ProofError("the subtree is empty but the proof is not")
        if subtree_root != EMPTY_ROOT:
            raise ProofError("the empty subtree's hash must be the empty root")
        return
    if start == 0 and end == size:
        if proof:
            raise ProofError("the subtree is the whole tree but the proof is not empty")
        if subtree_root != root:
            raise ProofError("the subtree is the whole tree but the hashes differ")
        return
    _verify_subtree_consistency(start, end, size, proof, subtree_root, root)


def _verify_subtree_consistency(start: int, end: int, size: int, proof: Sequence[bytes], node: bytes,
                                root: bytes) -> None:
    for p in proof:
        _check_hash(p, "proof hash")
    # fn, sn: first and last leaf of the subtree; tn: last leaf of the tree. Shifting all three
    # right by one moves up one level.
    fn, sn, tn = start, end - 1, size - 1
    if sn == tn:
        # The subtree is the (possibly ephemeral) right-border node where its ends meet.
        while fn != sn:
            fn, sn, tn = fn >> 1, sn >> 1, tn >> 1
        fr = sr = node
        rest = list(proof)
    else:
        # Climb to the largest complete node that ends at the subtree's last leaf.
        while fn != sn and sn & 1:
            fn, sn, tn = fn >> 1, sn >> 1, tn >> 1
        if fn == sn:
            fr = sr = node
            rest = list(proof)
        else:
            if not proof:
                raise ProofError("empty proof")
            fr = sr = proof[0]
            rest = list(proof[1:])
    for c in rest:
        while sn == tn and sn and not sn & 1:  # right border, no sibling at this level
            fn, sn, tn = fn >> 1, sn >> 1, tn >> 1
        if tn == 0:
            raise ProofError("proof is too long")
        if sn & 1:  # c is the left sibling
            if fn < sn:  # ... and lies inside the subtree
                fr = node_hash(c, fr)
            sr = node_hash(c, sr)
        else:
            sr = node_hash(sr, c)
        fn, sn, tn = fn >> 1, sn >> 1, tn >> 1
    while sn == tn and sn and not sn & 1:
        fn, sn, tn = fn >> 1, sn >> 1, tn >> 1
    if tn != 0:
        raise ProofError("proof is too short")
    if fr != node:
        raise ProofError("computed subtree (old) root does not match")
    if sr != root:
        raise ProofError("computed tree (new) root does not match")


# --------------------------------------------------------------------------- in-memory log


class MemoryLog:
    """A complete in-memory log: every complete node stored per level (for tests and the benchmark)."""

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = [[]]

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append_hash(self, h: bytes) -> int:
        levels = self.levels
        row = levels[0]
        index = i = len(row)
        row.append(h)
        level = 0
        while i & 1:
            h = sha256(b"\x01" + levels[level][i - 1] + h).digest()
            level += 1
            i >>= 1
            if len(levels) == level:
                levels.append([])
            levels[level].append(h)
        return index

    def append(self, entry: bytes) -> int:
        return self.append_hash(sha256(b"\x00" + entry).digest())

    def read(self, ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
        levels = self.levels
        out = {}
        for level, index in ids:
            if level < len(levels) and index < len(levels[level]):
                out[(level, index)] = levels[level][index]
        return out

    def root(self, size: int | None = None) -> bytes:
        return root_at(self.size if size is None else size, self.read)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self.read)

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        return consistency_proof(old, self.size if new is None else new, self.read)
