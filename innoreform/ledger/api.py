"""Portal API (/api/v1/ledger) and bank API (/api/bank/v1/ledger): JSON proofs for convenience.

The same information is public as tlog tiles under /ledger/; these endpoints save a client the
tile arithmetic. Proofs are for sizes up to the latest published checkpoint.
"""

import base64

from ninja import Router

from innoreform.core.api_support import responses
from innoreform.core.errors import BadRequest, NotFound

from . import keys, selectors
from .permissions import can
from .schemas import CheckpointOut, ConsistencyOut, EntryOut, InclusionOut

router = Router(tags=["ledger"])
bank_router = Router(tags=["ledger"])


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def _published_size() -> int:
    cp = selectors.latest_checkpoint()
    return cp.size if cp else 0


def _checkpoint(request):
    cp = selectors.latest_checkpoint()
    if cp is None:
        raise NotFound()
    return CheckpointOut(origin=keys.origin(), size=cp.size, root=_b64(bytes(cp.root)), note=cp.note,
                         cosignatures=cp.cosignatures, cosigned=cp.cosigned, verifier_key=keys.verifier_key())


def _inclusion(request, index: int, size: int | None = None):
    limit = _published_size()
    size = limit if size is None else size
    if not 0 <= index < size or size > limit:
        raise BadRequest("need 0 <= index < size <= the published checkpoint size")
    e = selectors.entry(index)
    return InclusionOut(index=index, size=size, leaf_hash=_b64(bytes(e.leaf_hash)),
                        proof=[_b64(p) for p in selectors.inclusion_proof(index, size)],
                        root=_b64(selectors.root_at(size)), entry=bytes(e.body).decode())


def _consistency(request, old: int, new: int | None = None):
    limit = _published_size()
    new = limit if new is None else new
    if not 0 < old <= new <= limit:
        raise BadRequest("need 0 < old <= new <= the published checkpoint size")
    return ConsistencyOut(old=old, new=new, proof=[_b64(p) for p in selectors.consistency_proof(old, new)],
                          old_root=_b64(selectors.root_at(old)), new_root=_b64(selectors.root_at(new)))


for r, prefix in ((router, "portal"), (bank_router, "bank")):
    r.get("/checkpoint", response=responses(CheckpointOut, 404), operation_id=f"{prefix}_ledger_checkpoint",
          summary="Latest published checkpoint")(_checkpoint)
    r.get("/proofs/inclusion", response=responses(InclusionOut, 404), operation_id=f"{prefix}_ledger_inclusion",
          summary="Inclusion proof of an entry in a published tree size")(_inclusion)
    r.get("/proofs/consistency", response=responses(ConsistencyOut), operation_id=f"{prefix}_ledger_consistency",
          summary="Consistency proof between two tree sizes")(_consistency)


@router.get("/entries/mine", response=responses(list[EntryOut], 403), operation_id="portal_ledger_entries_mine",
            summary="Ledger entries about the caller's organisation")
def entries_mine(request, limit: int = 100):
    actor = request.auth
    if not can(actor, "ledger.view_own_entries"):
        return []
    rows = selectors.entries_about(actor)[: max(1, min(limit, 500))]
    return [EntryOut(index=e.index, time=e.created_at.isoformat(), entry_type=e.entry_type,
                     acting_organisation=str(e.organisation or ""), purpose=e.purpose,
                     proof_url=f"/api/v1/ledger/proofs/inclusion?index={e.index}") for e in rows]
