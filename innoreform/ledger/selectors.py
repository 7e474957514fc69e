"""Reads of the ledger. The log itself is public (anyone may fetch tiles and proofs); evidence and
the "entries about my organisation" view are scoped to the actor's organisation."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound

from . import merkle, tiles
from .models import NODE_LEVEL_SHIFT, Evidence, LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerNode, node_id

_INDEX_MASK = (1 << NODE_LEVEL_SHIFT) - 1


def head() -> tuple[int, bytes]:
    h = LedgerHead.objects.filter(pk=1).first()
    return (h.size, bytes(h.root)) if h else (0, merkle.EMPTY_ROOT)


def read_nodes(ids: Iterable[merkle.NodeId]) -> dict[merkle.NodeId, bytes]:
    """Stored hashes for complete nodes: level 0 from the entries, levels >= 1 from LedgerNode.

    Two primary-key lookups with raw SQL: a proof needs at most ~2*log2(n) hashes and the ORM's
    query building would cost more than the reads.
    """
    ids = set(ids)
    leaves = [i for lv, i in ids if lv == 0]
    others = [node_id(lv, i) for lv, i in ids if lv > 0]
    out: dict[merkle.NodeId, bytes] = {}
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        if leaves:
            marks = ", ".join(["%s"] * len(leaves))
            cur.execute(f"SELECT {q('index')}, leaf_hash FROM {q(LedgerEntry._meta.db_table)} "  # noqa: S608
                        f"WHERE {q('index')} IN ({marks})", leaves)
            for idx, h in cur.fetchall():
                out[(0, idx)] = bytes(h)
        if others:
            marks = ", ".join(["%s"] * len(others))
            cur.execute(f"SELECT node_id, hash FROM {q(LedgerNode._meta.db_table)} "  # noqa: S608
                        f"WHERE node_id IN ({marks})", others)
            for nid, h in cur.fetchall():
                out[(nid >> NODE_LEVEL_SHIFT, nid & _INDEX_MASK)] = bytes(h)
    return out


def root_at(size: int) -> bytes:
    return merkle.root_at(size, read_nodes)


def inclusion_proof(index: int, size: int) -> list[bytes]:
    return merkle.inclusion_proof(index, size, read_nodes)


def consistency_proof(old: int, new: int) -> list[bytes]:
    return merkle.consistency_proof(old, new, read_nodes)


def latest_checkpoint(*, published_only: bool = True) -> LedgerCheckpoint | None:
    qs = LedgerCheckpoint.objects.order_by("-size", "-id")
    if published_only:
        qs = qs.filter(cosigned=True)
    return qs.first()


def checkpoint_covering(index: int) -> LedgerCheckpoint | None:
    """The newest published checkpoint that includes `index`."""
    return LedgerCheckpoint.objects.filter(cosigned=True, size__gt=index).order_by("-size", "-id").first()


def tile(level: int, n: int, width: int) -> bytes | None:
    """The bytes of a hash tile, or None when the log does not (yet) have those hashes."""
    size, _root = head()
    if width > tiles.available_width(level, n, size):
        return None
    ids = tiles.tile_node_ids(level, n, width)
    got = read_nodes(ids)
    return b"".join(got[i] for i in ids)


def entry_bundle(n: int, width: int) -> bytes | None:
    size, _root = head()
    if width > tiles.available_width(0, n, size):
        return None
    start = n * tiles.WIDTH
    bodies = LedgerEntry.objects.filter(index__gte=start, index__lt=start + width).order_by("index")
    return tiles.encode_bundle(bytes(b) for b in bodies.values_list("body", flat=True))


def entry(index: int) -> LedgerEntry:
    e = LedgerEntry.objects.filter(index=index).first()
    if e is None:
        raise NotFound()
    return e


def entry_by_uid(uid) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(uid=uid).first()


def entries_about(actor: Actor) -> QuerySet[LedgerEntry]:
    """Entries the actor's organisation is a party to, newest first: about its data (who read it,
    when, why) or made by it (its reads of others' data, its disbursements). Every party to an
    entry sees it."""
    if actor.organisation is None:
        return LedgerEntry.objects.none()
    org = actor.organisation_id
    return (LedgerEntry.objects.filter(Q(subject_organisation_id=org) | Q(organisation_id=org))
            .select_related("organisation", "subject_organisation").order_by("-index"))


def evidence_list(actor: Actor) -> QuerySet[Evidence]:
    if actor.organisation is None:
        return Evidence.objects.none()
    return Evidence.objects.filter(organisation_id=actor.organisation_id).order_by("-id")


def evidence_get(actor: Actor, uid) -> Evidence:
    ev = evidence_list(actor).filter(uid=uid).first()
    if ev is None:
        raise NotFound()
    return ev
