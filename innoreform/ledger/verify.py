"""`innoreform ledger verify`: recompute the whole log from its entries and check everything.

Streams the entries in index order and checks, for each index i:
  - the row exists (no gap: a deleted row is named by its index), and no row lies beyond the head;
  - the entry is canonical JSON and its leaf hash is SHA-256(0x00 || entry);
  - the entry's `id` is unique (a duplicated/inserted copy is caught);
  - every stored subtree hash equals the one recomputed from the entries;
then checks the head, every stored checkpoint (the log's signature, its root against the root
recomputed at its size) and that consecutive checkpoints are consistent (a truncated or rewritten
log cannot match the signed roots). The first bad index is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import entries, keys, merkle, note, selectors
from .models import NODE_LEVEL_SHIFT, LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerNode, node_id

CHUNK = 5000


@dataclass
class Report:
    size: int = 0
    checked_entries: int = 0
    checked_nodes: int = 0
    checked_checkpoints: int = 0
    problems: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_index(self) -> int | None:
        idx = [i for i, _ in self.problems if i is not None]
        return min(idx) if idx else None

    def problem(self, index: int | None, message: str) -> None:
        if len(self.problems) < 100:
            self.problems.append((index, message))


def _stored_nodes(lo_index: int, hi_index: int, max_level: int) -> dict[tuple[int, int], bytes]:
    """Stored level>=1 nodes whose first leaf lies in [lo_index, hi_index)."""
    out = {}
    for level in range(1, max_level + 1):
        lo, hi = lo_index >> level, (hi_index + (1 << level) - 1) >> level
        for nid, h in LedgerNode.objects.filter(node_id__gte=node_id(level, lo),
                                                node_id__lt=node_id(level, hi)).values_list("node_id", "hash"):
            out[(level, nid & ((1 << NODE_LEVEL_SHIFT) - 1))] = bytes(h)
    return out


def verify_log(*, verifiers: list[note.Verifier] | None = None) -> Report:
    rep = Report()
    head = LedgerHead.objects.filter(pk=1).first()
    head_size = head.size if head else 0
    head_root = bytes(head.root) if head else merkle.EMPTY_ROOT
    rep.size = head_size
    verifiers = verifiers if verifiers is not None else keys.verifiers()

    checkpoints = list(LedgerCheckpoint.objects.order_by("size", "id"))
    want_roots = {cp.size for cp in checkpoints} | {head_size}
    roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT} if 0 in want_roots else {}
    max_level = max(head_size.bit_length(), 1)

    crange = merkle.CompactRange()
    seen_ids: dict[str, int] = {}
    tainted: set[tuple[int, int]] = set()
    expected = 0
    last = -1
    qs = LedgerEntry.objects.order_by("index").values_list("index", "body", "leaf_hash")
    while True:
        rows = list(qs.filter(index__gt=last)[:CHUNK])
        if not rows:
            break
        stored = _stored_nodes(rows[0][0], rows[-1][0] + 1, max_level)
        for index, body, stored_leaf in rows:
            last = index
            body = bytes(body)
            if index != expected:
                if index > expected:
                    rep.problem(expected, f"entries {expected}..{index - 1} are missing (deleted)")
                else:
                    rep.problem(index, "duplicate index")
                return _finish(rep, head_size, head_root, roots, checkpoints, verifiers, stopped=True)
            if index >= head_size:
                rep.problem(index, f"entry {index} lies beyond the head size {head_size} (inserted)")
                return _finish(rep, head_size, head_root, roots, checkpoints, verifiers, stopped=True)
            lh = merkle.leaf_hash(body)
            if lh != bytes(stored_leaf):
                rep.problem(index, f"entry {index} does not match its leaf hash (edited or reordered)")
                tainted.add((0, index))
            try:
                uid = entries.parse(body).get("id", "")
            except entries.EntryError as exc:
                rep.problem(index, f"entry {index}: {exc}")
                uid = ""
            if uid:
                if uid in seen_ids:
                    rep.problem(index, f"entry {index} repeats entry {seen_ids[uid]} (inserted copy)")
                seen_ids[uid] = index
            for level, ix, h in crange.append(lh):
                rep.checked_nodes += 1
                got = stored.get((level, ix))
                if got is None:
                    got = selectors.read_nodes([(level, ix)]).get((level, ix))
                if (level - 1, 2 * ix) in tainted or (level - 1, 2 * ix + 1) in tainted:
                    tainted.add((level, ix))  # a consequence of a problem already reported below it
                elif got != h:
                    tainted.add((level, ix))
                    rep.problem(ix << level, f"stored hash of node ({level}, {ix}) covering entries "
                                             f"{ix << level}..{((ix + 1) << level) - 1} does not match the entries")
            expected = index + 1
            rep.checked_entries += 1
            if expected in want_roots:
                roots[expected] = crange.root()
        if rep.problems:
            return _finish(rep, head_size, head_root, roots, checkpoints, verifiers, stopped=True)
    if expected < head_size:
        rep.problem(expected, f"the log ends at {expected} but the head says {head_size} (truncated)")
    elif head is not None and bytes(head.border or b"") not in (b"", crange.border_bytes()):
        rep.problem(None, "the head's stored border (used for the next append) does not match the entries")
    return _finish(rep, head_size, head_root, roots, checkpoints, verifiers, stopped=False)


def _finish(rep, head_size, head_root, roots, checkpoints, verifiers, *, stopped: bool) -> Report:
    if not stopped and head_size in roots and roots[head_size] != head_root:
        rep.problem(None, "the head root does not match the entries")
    prev = None
    for cp in checkpoints:
        rep.checked_checkpoints += 1
        try:
            c, _n = note.open_checkpoint(cp.note, verifiers)
        except note.NoteError as exc:
            rep.problem(None, f"checkpoint {cp.pk} (size {cp.size}): {exc}")
            continue
        if c.size != cp.size or c.root != bytes(cp.root):
            rep.problem(None, f"checkpoint {cp.pk}: its row does not match its signed note")
        if c.size > head_size:
            rep.problem(head_size, f"signed checkpoint of size {c.size} is beyond the log's {head_size} entries "
                                   "(truncated)")
        elif c.size in roots and roots[c.size] != c.root:
            rep.problem(None, f"signed checkpoint of size {c.size}: root does not match the entries")
        if prev is not None and 0 < prev.size < c.size and c.size <= head_size and not stopped:
            try:
                proof = selectors.consistency_proof(prev.size, c.size)
                merkle.verify_consistency(prev.size, c.size, proof, prev.root, c.root)
            except (merkle.ProofError, LookupError) as exc:
                rep.problem(None, f"checkpoints {prev.size} -> {c.size} are not consistent: {exc}")
        prev = c
    return rep
