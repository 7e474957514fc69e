"""Voucher API.

Portal (/api/v1/vouchers, session): enterprises apply and order; institutions deduct and claim;
departments decide, review, approve, settle, report and reconcile.
Bank/institution API (/api/bank/v1/vouchers, X-API-Key): a listed institution's systems read
their orders, deduct the voucher share and submit claims. Money-moving calls need an
Idempotency-Key (a replay returns the stored answer; the effect happens once).
"""

from ninja import Field, Query, Router, Schema, Status

from innoreform.core.api_support import DbId, Fen, responses
from innoreform.core.errors import NotFound
from innoreform.core.idempotency import IdempotencyKeyHeader, idempotent, idempotent_service

from . import reports, selectors, services, settlement, use
from . import schemas as s
from .permissions import can
from .reconcile import reconcile

router = Router(tags=["vouchers"])
bank_router = Router(tags=["vouchers"])

MAX_PAGE = 200


class VoucherPageQuery(Schema):
    offset: int = 0
    limit: int = 50
    status: str | None = None

    def window(self, qs):
        offset = min(max(self.offset, 0), 10_000_000)
        limit = min(max(self.limit, 1), MAX_PAGE)
        if self.status:
            qs = qs.filter(status=self.status[:20])
        return qs[offset:offset + limit]


# --- enterprise ---------------------------------------------------------------------------------------


@router.get("/vouchers", response=responses(list[s.VoucherOut]), operation_id="vouchers_list")
def vouchers_list(request, page: Query[VoucherPageQuery]):
    return [s.VoucherOut.of(v) for v in page.window(selectors.voucher_list(actor=request.auth))]


@router.get("/vouchers/{voucher_id}", response=responses(s.VoucherOut, 404), operation_id="vouchers_get")
def vouchers_get(request, voucher_id: DbId):
    return s.VoucherOut.of(selectors.voucher_get(actor=request.auth, voucher_id=voucher_id))


@router.post("/applications", response=responses({201: s.VoucherApplicationOut}, 409), operation_id="vouchers_apply")
def vouchers_apply(request, payload: s.VoucherApplicationIn):
    return Status(201, s.VoucherApplicationOut.of(services.application_submit(actor=request.auth, **payload.dict())))


@router.get("/applications", response=responses(list[s.VoucherApplicationOut]), operation_id="vouchers_applications")
def vouchers_applications(request, page: Query[VoucherPageQuery]):
    return [s.VoucherApplicationOut.of(a) for a in page.window(selectors.application_list(actor=request.auth))]


@router.post("/applications/{application_id}/decision", response=responses(s.VoucherApplicationOut, 404, 409),
             operation_id="vouchers_application_decide")
def vouchers_application_decide(request, application_id: DbId, payload: s.VoucherDecisionIn):
    selectors.application_get(actor=request.auth, application_id=application_id)
    return s.VoucherApplicationOut.of(services.application_decide(actor=request.auth, application_id=application_id,
                                                           approve=payload.approve, note=payload.note))


@router.get("/institutions", response=responses(list[s.VoucherInstitutionOut]), operation_id="vouchers_institutions")
def vouchers_institutions(request, page: Query[VoucherPageQuery]):
    return [s.VoucherInstitutionOut.of(i) for i in page.window(selectors.institution_list(actor=request.auth))]


@router.get("/services", response=responses(list[s.VoucherServiceOut]), operation_id="vouchers_services")
def vouchers_services(request, page: Query[VoucherPageQuery]):
    qs = selectors.service_list(actor=request.auth)
    offset, limit = min(max(page.offset, 0), 10_000_000), min(max(page.limit, 1), MAX_PAGE)
    return [s.VoucherServiceOut.of(x) for x in qs[offset:offset + limit]]


@router.post("/orders", response=responses({201: s.VoucherOrderOut}, 404, 409), operation_id="vouchers_order_create")
def vouchers_order_create(request, payload: s.VoucherOrderIn):
    return Status(201, s.VoucherOrderOut.of(use.order_create(actor=request.auth, **payload.dict())))


@router.get("/orders", response=responses(list[s.VoucherOrderOut]), operation_id="vouchers_orders")
def vouchers_orders(request, page: Query[VoucherPageQuery]):
    return [s.VoucherOrderOut.of(o) for o in page.window(selectors.order_list(actor=request.auth))]


def _deduct(request, order_id: int, key: str):
    actor = request.auth
    if can(actor, "vouchers.institution"):
        order = use.deductible_order(actor=actor, order_id=order_id)  # 404 before a key is claimed
    elif selectors.order_list(actor=actor).filter(pk=order_id).exists():
        order = None  # visible but not deductible by this actor: deduct() answers 403
    else:
        raise NotFound()
    return idempotent_service(
        request, key=key, answer=lambda redemption: (201, s.VoucherRedemptionOut.of(redemption)),
        run=lambda claim: use.deduct(actor=actor, order_id=order_id, order=order, key=claim))


@router.post("/orders/{order_id}/deduct", response=responses({201: s.VoucherRedemptionOut}, 404, 409),
             operation_id="vouchers_order_deduct")
def vouchers_order_deduct(request, order_id: DbId, idempotency_key: IdempotencyKeyHeader):
    return _deduct(request, order_id, idempotency_key)


def _claim(request, redemption_id: int, payload: s.VoucherClaimIn, key: str):
    selectors.redemption_get(actor=request.auth, redemption_id=redemption_id)
    return idempotent(request, key=key, run=lambda: (
        201, s.VoucherClaimOut.of(use.claim_submit(actor=request.auth, redemption_id=redemption_id, **payload.dict()))))


@router.post("/redemptions/{redemption_id}/claims", response=responses({201: s.VoucherClaimOut}, 404, 409),
             operation_id="vouchers_claim_submit")
def vouchers_claim_submit(request, redemption_id: DbId, payload: s.VoucherClaimIn,
                          idempotency_key: IdempotencyKeyHeader):
    return _claim(request, redemption_id, payload, idempotency_key)


@router.get("/claims", response=responses(list[s.VoucherClaimOut]), operation_id="vouchers_claims")
def vouchers_claims(request, page: Query[VoucherPageQuery]):
    return [s.VoucherClaimOut.of(c) for c in page.window(selectors.claim_list(actor=request.auth))]


@router.get("/claims/{claim_id}", response=responses(s.VoucherClaimOut, 404), operation_id="vouchers_claim_get")
def vouchers_claim_get(request, claim_id: DbId):
    return s.VoucherClaimOut.of(selectors.claim_get(actor=request.auth, claim_id=claim_id))


@router.post("/claims/{claim_id}/review", response=responses(s.VoucherClaimOut, 404, 409),
             operation_id="vouchers_claim_review")
def vouchers_claim_review(request, claim_id: DbId, payload: s.VoucherReviewIn):
    selectors.claim_get(actor=request.auth, claim_id=claim_id)
    return s.VoucherClaimOut.of(use.claim_review(actor=request.auth, claim_id=claim_id, note=payload.note,
                                          clear_flags=payload.clear_flags))


@router.post("/claims/{claim_id}/approve", response=responses(s.VoucherClaimOut, 404, 409),
             operation_id="vouchers_claim_approve")
def vouchers_claim_approve(request, claim_id: DbId, idempotency_key: IdempotencyKeyHeader):
    selectors.claim_get(actor=request.auth, claim_id=claim_id)
    return idempotent(request, key=idempotency_key, run=lambda: (
        200, s.VoucherClaimOut.of(use.claim_approve(actor=request.auth, claim_id=claim_id))))


@router.post("/claims/{claim_id}/reject", response=responses(s.VoucherClaimOut, 404, 409),
             operation_id="vouchers_claim_reject")
def vouchers_claim_reject(request, claim_id: DbId, payload: s.VoucherReasonIn):
    selectors.claim_get(actor=request.auth, claim_id=claim_id)
    return s.VoucherClaimOut.of(use.claim_reject(actor=request.auth, claim_id=claim_id, reason=payload.reason))


@router.post("/claims/{claim_id}/fraud", response=responses(s.VoucherClaimOut, 404, 409),
             operation_id="vouchers_claim_fraud")
def vouchers_claim_fraud(request, claim_id: DbId, payload: s.VoucherReasonIn):
    selectors.claim_get(actor=request.auth, claim_id=claim_id)
    return s.VoucherClaimOut.of(use.claim_confirm_fraud(actor=request.auth, claim_id=claim_id, reason=payload.reason))


class VoucherFundingIn(Schema):
    enterprise_id: int = Field(..., ge=1, le=2**63 - 1)
    project_code: str = Field(..., min_length=1, max_length=64)
    programme: str = Field(..., min_length=1, max_length=200)
    amount_fen: Fen = Field(0, ge=0, le=10**13)


class VoucherFundingOut(Schema):
    id: int
    enterprise_id: int
    project_code: str
    programme: str


@router.post("/programme-fundings", response=responses({201: VoucherFundingOut}, 404),
             operation_id="vouchers_programme_funding")
def vouchers_programme_funding(request, payload: VoucherFundingIn):
    """Record a project already funded by a science programme (for the double-funding rule)."""
    record = services.programme_funding_record(actor=request.auth, **payload.dict())
    return Status(201, VoucherFundingOut(id=record.pk, enterprise_id=record.enterprise_id,
                                         project_code=record.project_code, programme=record.programme))


# --- settlement, reports, reconciliation -----------------------------------------------------------------


@router.post("/batches", response=responses({201: s.VoucherBatchOut}, 409), operation_id="vouchers_batch_build")
def vouchers_batch_build(request):
    return Status(201, s.VoucherBatchOut.of(settlement.batch_build(actor=request.auth)))


@router.get("/batches", response=responses(list[s.VoucherBatchOut]), operation_id="vouchers_batches")
def vouchers_batches(request, page: Query[VoucherPageQuery]):
    return [s.VoucherBatchOut.of(b) for b in page.window(selectors.batch_list(actor=request.auth))]


@router.post("/batches/{batch_id}/approve", response=responses(s.VoucherBatchOut, 404, 409),
             operation_id="vouchers_batch_approve")
def vouchers_batch_approve(request, batch_id: DbId):
    selectors.batch_get(actor=request.auth, batch_id=batch_id)
    return s.VoucherBatchOut.of(settlement.batch_approve(actor=request.auth, batch_id=batch_id))


@router.post("/batches/{batch_id}/run", response=responses(s.VoucherBatchOut, 404, 409),
             operation_id="vouchers_batch_run")
def vouchers_batch_run(request, batch_id: DbId, idempotency_key: IdempotencyKeyHeader):
    batch = selectors.batch_get(actor=request.auth, batch_id=batch_id)

    def run():
        settlement.batch_run(actor=request.auth, batch_id=batch.pk)
        batch.refresh_from_db()
        return 200, s.VoucherBatchOut.of(batch)

    return idempotent(request, key=idempotency_key, run=run)


@router.get("/batches/{batch_id}/payment-file", response=responses(list[s.VoucherPaymentRowOut], 404),
            operation_id="vouchers_payment_file")
def vouchers_payment_file(request, batch_id: DbId):
    return settlement.payment_file_rows(selectors.batch_get(actor=request.auth, batch_id=batch_id))


class VoucherReportQuery(Schema):
    dimension: str = "city"
    year: int | None = None


@router.get("/reports", response=responses(s.VoucherReportOut, 404), operation_id="vouchers_report")
def vouchers_report(request, query: Query[VoucherReportQuery]):
    year = query.year if query.year and 2000 <= query.year <= 2100 else None
    return s.VoucherReportOut(dimension=query.dimension,
                       rows=reports.report(actor=request.auth, dimension=query.dimension, year=year))


@router.get("/reconciliation", response=responses(s.VoucherReconciliationOut, 404),
            operation_id="vouchers_reconciliation")
def vouchers_reconciliation(request):
    if not selectors.sees_all(request.auth) or selectors.city_scope(request.auth):
        raise NotFound()
    return reconcile().as_dict()


# --- bank / institution API ------------------------------------------------------------------------------


@bank_router.get("/orders", response=responses(list[s.VoucherOrderOut]), operation_id="bank_vouchers_orders")
def bank_vouchers_orders(request, page: Query[VoucherPageQuery]):
    return [s.VoucherOrderOut.of(o) for o in page.window(selectors.order_list(actor=request.auth))]


@bank_router.get("/orders/{order_id}", response=responses(s.VoucherOrderOut, 404),
                 operation_id="bank_vouchers_order_get")
def bank_vouchers_order_get(request, order_id: DbId):
    return s.VoucherOrderOut.of(selectors.order_get(actor=request.auth, order_id=order_id))


@bank_router.post("/orders/{order_id}/deduct", response=responses({201: s.VoucherRedemptionOut}, 404, 409),
                  operation_id="bank_vouchers_order_deduct")
def bank_vouchers_order_deduct(request, order_id: DbId, idempotency_key: IdempotencyKeyHeader):
    return _deduct(request, order_id, idempotency_key)


@bank_router.post("/redemptions/{redemption_id}/claims", response=responses({201: s.VoucherClaimOut}, 404, 409),
                  operation_id="bank_vouchers_claim_submit")
def bank_vouchers_claim_submit(request, redemption_id: DbId, payload: s.VoucherClaimIn,
                               idempotency_key: IdempotencyKeyHeader):
    return _claim(request, redemption_id, payload, idempotency_key)


@bank_router.get("/claims/{claim_id}", response=responses(s.VoucherClaimOut, 404),
                 operation_id="bank_vouchers_claim_get")
def bank_vouchers_claim_get(request, claim_id: DbId):
    return s.VoucherClaimOut.of(selectors.claim_get(actor=request.auth, claim_id=claim_id))
