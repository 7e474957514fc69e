"""Pools API. Portal (/api/v1/pools): departments manage pools, record contributions, review and
decide claims, read reports and run the payout job; claimants read their claims. Bank
(/api/bank/v1/pools): institutions file claims, attach documents, follow them and withdraw.
Every state-changing bank call and every money-moving portal call takes an Idempotency-Key."""

from django.db.models import Sum
from ninja import File, Form, Router, Status, UploadedFile

from innoreform.core.api_support import DbId, responses
from innoreform.core.idempotency import IdempotencyKeyHeader, idempotent

from . import payouts, selectors, services
from .models import ClaimStatus, RecoveryShare
from .permissions import require
from .schemas import (
    ClaimIn,
    ClaimOut,
    ContributionIn,
    ContributionOut,
    CoverageIn,
    DecideIn,
    DocumentOut,
    InvestorClaimIn,
    KeyListIn,
    KeyListOut,
    LossRatioIn,
    LossRatioReportOut,
    PoolIn,
    PoolOut,
    ReportOut,
    ReverseIn,
    ReviewIn,
    RunOut,
    StakeRecoveryIn,
    StakeRecoveryOut,
    TrailOut,
)

router = Router(tags=["pools"])
bank_router = Router(tags=["pools"])
LIMIT = 200


def pool_out(summary) -> dict:
    p = summary.pool
    return {"id": p.pk, "name": p.name, "level": p.level, "region": p.region, "district": p.district,
            "manager_id": p.owner_id, "status": p.status, "leverage_target": p.leverage_target,
            "institution_ids": sorted(o.pk for o in p.institutions.all()),
            "programme_ids": sorted(x.pk for x in p.programmes.all()),
            "balance_fen": summary.balance_fen, "contributed_fen": summary.contributed_fen,
            "paid_fen": summary.paid_fen, "returned_fen": summary.returned_fen, "waiting_fen": summary.waiting_fen,
            "waiting_items": summary.waiting_items, "covered_outstanding_fen": summary.covered_outstanding_fen,
            "leverage": summary.leverage, "books_account_id": p.books_account_id}


def _pool(actor, pool_id: int) -> dict:
    pool = selectors.pool_get(actor=actor, pool_id=pool_id)
    return pool_out(selectors.pool_summaries(actor=actor, pools=[pool])[0])


def contribution_out(c) -> dict:
    return {"id": c.pk, "pool_id": c.pool_id, "contributor_id": c.contributor_id, "amount_fen": c.amount_fen,
            "received_on": c.received_on, "note": c.note, "books_reference": c.books_reference,
            "reversed": c.reversed_at is not None}


def claim_out(claim) -> dict:
    return {
        "id": claim.pk, "institution_id": claim.institution_id, "loan_id": claim.loan_id,
        "contract_no": claim.loan.contract_no, "mode": claim.mode, "stake_id": claim.stake_id, "status": claim.status,
        "principal_fen": claim.principal_fen, "loss_fen": claim.loss_fen, "key_list_firm": claim.key_list_firm,
        "ip_pledge": claim.ip_pledge, "central_bank_relending": claim.central_bank_relending,
        "loss_ratio": claim.loss_ratio, "loss_ratio_source": claim.loss_ratio_source,
        "sharing_vector": claim.sharing_vector, "policy_version": claim.policy_version, "eligible": claim.eligible,
        "rate": claim.rate, "total_fen": claim.total_fen, "layers": claim.layers, "lines": claim.rule_lines,
        "payouts": list(claim.payouts.order_by("id")),
        "documents": list(claim.documents.order_by("id")),
        "returned_fen": RecoveryShare.objects.filter(claim=claim).aggregate(s=Sum("amount_fen"))["s"] or 0,
        "filed_at": claim.filed_at, "paid_at": claim.paid_at,
    }


def _claim(actor, claim_id: int) -> dict:
    return claim_out(selectors.claim_get(actor=actor, claim_id=claim_id))


def _run(request, key: str, status: int, fn):
    return idempotent(request, key=key, run=lambda: (status, fn()))


# --- portal ---------------------------------------------------------------------------------------------


@router.get("/pools", response=responses(list[PoolOut]), operation_id="pools_pool_list")
def pool_list(request):
    pools = selectors.pool_list(actor=request.auth).prefetch_related("institutions", "programmes")[:LIMIT]
    return [pool_out(s) for s in selectors.pool_summaries(actor=request.auth, pools=pools)]


@router.post("/pools", response=responses({201: PoolOut}, 404, 409), operation_id="pools_pool_create")
def pool_create(request, payload: PoolIn):
    pool = services.pool_create(actor=request.auth, **payload.model_dump())
    return Status(201, _pool(request.auth, pool.pk))


@router.get("/pools/{pool_id}", response=responses(PoolOut, 404), operation_id="pools_pool_get")
def pool_get(request, pool_id: DbId):
    return _pool(request.auth, pool_id)


@router.post("/pools/{pool_id}/coverage", response=responses(PoolOut, 404), operation_id="pools_pool_coverage")
def pool_coverage(request, pool_id: DbId, payload: CoverageIn):
    services.pool_set_coverage(actor=request.auth, pool_id=pool_id, **payload.model_dump())
    return _pool(request.auth, pool_id)


@router.get("/pools/{pool_id}/contributions", response=responses(list[ContributionOut], 404),
            operation_id="pools_contribution_list")
def contribution_list(request, pool_id: DbId):
    return [contribution_out(c) for c in selectors.contributions_of(actor=request.auth, pool_id=pool_id)[:LIMIT]]


@router.post("/pools/{pool_id}/contributions", response=responses({201: ContributionOut}, 404, 409),
             operation_id="pools_contribution_record")
def contribution_record(request, pool_id: DbId, payload: ContributionIn, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 201, lambda: contribution_out(services.contribution_record(
        actor=request.auth, pool_id=pool_id, **payload.model_dump())))


@router.post("/contributions/{contribution_id}/reverse", response=responses(ContributionOut, 404, 409),
             operation_id="pools_contribution_reverse")
def contribution_reverse(request, contribution_id: DbId, payload: ReverseIn, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 200, lambda: contribution_out(services.contribution_reverse(
        actor=request.auth, contribution_id=contribution_id, reason=payload.reason)))


@router.get("/claims", response=responses(list[ClaimOut]), operation_id="pools_claim_list")
def claim_list(request, status: ClaimStatus | None = None):
    return [claim_out(c) for c in selectors.claim_list(actor=request.auth, status=status)[:LIMIT]]


@router.get("/claims/{claim_id}", response=responses(ClaimOut, 404), operation_id="pools_claim_get")
def claim_get(request, claim_id: DbId):
    return _claim(request.auth, claim_id)


@router.get("/claims/{claim_id}/trail", response=responses(list[TrailOut], 404), operation_id="pools_claim_trail")
def claim_trail(request, claim_id: DbId):
    return selectors.claim_trail(actor=request.auth, claim_id=claim_id)


@router.post("/claims/{claim_id}/review", response=responses(ClaimOut, 404, 409), operation_id="pools_claim_review")
def claim_review(request, claim_id: DbId, payload: ReviewIn):
    services.claim_review(actor=request.auth, claim_id=claim_id, recommend=payload.recommend, note=payload.note)
    return _claim(request.auth, claim_id)


@router.post("/claims/{claim_id}/decide", response=responses(ClaimOut, 404, 409), operation_id="pools_claim_decide")
def claim_decide(request, claim_id: DbId, payload: DecideIn, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 200, lambda: claim_out(services.claim_decide(
        actor=request.auth, claim_id=claim_id, approve=payload.approve, note=payload.note)))


@router.get("/key-list", response=responses(list[KeyListOut]), operation_id="pools_keylist_list")
def keylist_list(request):
    return list(selectors.keylist(actor=request.auth)[:LIMIT * 5])


@router.post("/key-list", response=responses({201: KeyListOut}, 404, 409), operation_id="pools_keylist_add")
def keylist_add(request, payload: KeyListIn):
    return Status(201, services.keylist_add(actor=request.auth, **payload.model_dump()))


@router.get("/loss-ratios", response=responses(list[LossRatioReportOut]), operation_id="pools_loss_ratio_list")
def loss_ratio_list(request):
    return list(selectors.loss_ratio_reports(actor=request.auth)[:LIMIT])


@router.post("/loss-ratios", response=responses({201: LossRatioReportOut}, 404), operation_id="pools_loss_ratio_record")
def loss_ratio_record(request, payload: LossRatioIn):
    """A reported ratio: it overrides the ratio computed from the institution's loans."""
    return Status(201, services.loss_ratio_record(actor=request.auth, **payload.model_dump()))


@router.get("/reports", response=responses(ReportOut, 404), operation_id="pools_report")
def report(request):
    r = selectors.report(actor=request.auth)
    return {**r, "pools": [pool_out(s) for s in r["pools"]]}


@router.post("/payouts/run", response=responses(RunOut, 403), operation_id="pools_payouts_run")
def payouts_run(request):
    require(request.auth, "pools.run_payouts")
    return payouts.run_payouts(actor=request.auth)


# --- bank ----------------------------------------------------------------------------------------------


@bank_router.post("/claims", response=responses({201: ClaimOut}, 404, 409), operation_id="pools_bank_claim_file")
def bank_claim_file(request, payload: ClaimIn, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 201, lambda: claim_out(services.claim_file(
        actor=request.auth, **payload.model_dump())))


@bank_router.post("/investor-claims", response=responses({201: ClaimOut}, 404, 409),
                  operation_id="pools_bank_investor_claim_file")
def bank_investor_claim_file(request, payload: InvestorClaimIn, idempotency_key: IdempotencyKeyHeader):
    """投贷联动: an investor claims for its principal loss on a stake linked to a defaulted loan."""
    return _run(request, idempotency_key, 201, lambda: claim_out(services.investor_claim_file(
        actor=request.auth, **payload.model_dump())))


@bank_router.post("/claims/{claim_id}/stake-recoveries", response=responses({201: StakeRecoveryOut}, 404, 409),
                  operation_id="pools_bank_stake_recovery_record")
def bank_stake_recovery_record(request, claim_id: DbId, payload: StakeRecoveryIn,
                               idempotency_key: IdempotencyKeyHeader):
    """An investor's recovery on its stake; on a paid claim the pools' part flows back at once."""
    return _run(request, idempotency_key, 201, lambda: _stake_recovery_out(services.stake_recovery_record(
        actor=request.auth, claim_id=claim_id, **payload.model_dump())))


def _stake_recovery_out(r) -> dict:
    return {"id": r.pk, "claim_id": r.claim_id, "amount_fen": r.amount_fen, "received_on": r.received_on,
            "note": r.note}


@bank_router.get("/claims", response=responses(list[ClaimOut]), operation_id="pools_bank_claim_list")
def bank_claim_list(request, status: ClaimStatus | None = None):
    return [claim_out(c) for c in selectors.claim_list(actor=request.auth, status=status)[:LIMIT]]


@bank_router.get("/claims/{claim_id}", response=responses(ClaimOut, 404), operation_id="pools_bank_claim_get")
def bank_claim_get(request, claim_id: DbId):
    return _claim(request.auth, claim_id)


@bank_router.post("/claims/{claim_id}/documents", response=responses({201: DocumentOut}, 404, 409),
                  operation_id="pools_bank_claim_document")
def bank_claim_document(request, claim_id: DbId, file: File[UploadedFile],
                        title: str = Form(..., min_length=1, max_length=200)):
    # Not behind an Idempotency-Key: a multipart body cannot be fingerprinted after parsing, and a
    # document attached twice moves no money (both copies carry the same sha256).
    content = file.read(services.MAX_DOCUMENT_BYTES + 1)
    doc = services.claim_document_add(actor=request.auth, claim_id=claim_id, title=title,
                                      filename=file.name or "", content=content)
    return Status(201, doc)


@bank_router.post("/claims/{claim_id}/withdraw", response=responses(ClaimOut, 404, 409),
                  operation_id="pools_bank_claim_withdraw")
def bank_claim_withdraw(request, claim_id: DbId, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 200, lambda: claim_out(services.claim_withdraw(
        actor=request.auth, claim_id=claim_id)))
