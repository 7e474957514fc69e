"""Special-goods API.

Portal (/api/v1/biomed, session + CSRF): enterprises register items, apply, declare batches and
report on follow-ups; customs assesses and decides; customs and the department read statistics.
Bank/institution API (/api/bank/v1/biomed, X-API-Key): customs systems read approvals and the
write-off ledger and record declarations. A declaration consumes quantity, so it needs an
Idempotency-Key (a replay returns the stored answer; the batch is written off once).
"""

import base64
import binascii

from ninja import Field, Query, Router, Schema, Status

from innoreform.core.api_support import DbId, responses
from innoreform.core.errors import field_error
from innoreform.core.idempotency import IdempotencyKeyHeader, idempotent

from . import schemas as s
from . import selectors, services

router = Router(tags=["biomed"])
bank_router = Router(tags=["biomed"])

MAX_PAGE = 200


class BiomedWindowQuery(Schema):
    offset: int = 0
    limit: int = 50

    def window(self, qs):
        offset = min(max(self.offset, 0), 10_000_000)
        limit = min(max(self.limit, 1), MAX_PAGE)
        return qs[offset:offset + limit]


class BiomedPageQuery(BiomedWindowQuery):
    status: str | None = None

    def window(self, qs):
        return super().window(qs.filter(status=self.status[:20]) if self.status else qs)


class BiomedStatisticsQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


def _decode(attachments: list[s.BiomedAttachmentIn]) -> list[tuple[str, str, bytes]]:
    decoded = []
    for a in attachments:
        try:
            decoded.append((a.kind, a.filename, base64.b64decode(a.content_base64, validate=True)))
        except (binascii.Error, ValueError) as exc:
            raise field_error("attachments", "content_base64 is not valid base64") from exc
    return decoded


def _declare(request, approval_id: int, payload: s.BiomedBatchIn, key: str):
    def run():
        batch = services.batch_declare(actor=request.auth, approval_id=approval_id, **payload.dict())
        return 201, s.BiomedBatchOut.of(batch)

    return idempotent(request, key=key, run=run)


# --- portal -------------------------------------------------------------------------------------------------


@router.get("/items", response=responses(list[s.BiomedItemOut]), operation_id="biomed_items")
def biomed_items(request, page: Query[BiomedWindowQuery]):
    return [s.BiomedItemOut.of(i) for i in page.window(selectors.item_list(actor=request.auth))]


@router.post("/items", response=responses({201: s.BiomedItemOut}, 409), operation_id="biomed_item_register")
def biomed_item_register(request, payload: s.BiomedItemIn):
    return Status(201, s.BiomedItemOut.of(services.item_register(actor=request.auth, **payload.dict())))


@router.get("/applications", response=responses(list[s.BiomedApplicationOut]), operation_id="biomed_applications")
def biomed_applications(request, page: Query[BiomedPageQuery]):
    return [s.BiomedApplicationOut.of(a) for a in page.window(selectors.application_list(actor=request.auth))]


@router.post("/applications", response=responses({201: s.BiomedApplicationOut}, 404),
             operation_id="biomed_apply")
def biomed_apply(request, payload: s.BiomedApplicationIn):
    data = payload.dict()
    data["attachments"] = _decode(payload.attachments)
    return Status(201, s.BiomedApplicationOut.of(services.application_submit(actor=request.auth, **data)))


@router.get("/applications/{application_id}", response=responses(s.BiomedApplicationOut, 404),
            operation_id="biomed_application_get")
def biomed_application_get(request, application_id: DbId):
    return s.BiomedApplicationOut.of(selectors.application_get(actor=request.auth, application_id=application_id))


@router.post("/applications/{application_id}/assessment", response=responses(s.BiomedApplicationOut, 404, 409),
             operation_id="biomed_application_assess")
def biomed_application_assess(request, application_id: DbId, payload: s.BiomedAssessmentIn):
    selectors.application_get(actor=request.auth, application_id=application_id)
    return s.BiomedApplicationOut.of(services.application_assess(actor=request.auth, application_id=application_id,
                                                                 **payload.dict()))


@router.post("/applications/{application_id}/decision", response=responses(s.BiomedApplicationOut, 404, 409),
             operation_id="biomed_application_decide")
def biomed_application_decide(request, application_id: DbId, payload: s.BiomedDecisionIn):
    selectors.application_get(actor=request.auth, application_id=application_id)
    return s.BiomedApplicationOut.of(services.application_decide(actor=request.auth, application_id=application_id,
                                                                 **payload.dict()))


@router.get("/approvals", response=responses(list[s.BiomedApprovalOut]), operation_id="biomed_approvals")
def biomed_approvals(request, page: Query[BiomedPageQuery]):
    return [s.BiomedApprovalOut.of(a) for a in page.window(selectors.approval_list(actor=request.auth))]


@router.get("/approvals/{approval_id}", response=responses(s.BiomedApprovalOut, 404),
            operation_id="biomed_approval_get")
def biomed_approval_get(request, approval_id: DbId):
    return s.BiomedApprovalOut.of(selectors.approval_get(actor=request.auth, approval_id=approval_id))


@router.get("/approvals/{approval_id}/batches", response=responses(list[s.BiomedBatchOut], 404),
            operation_id="biomed_approval_batches")
def biomed_approval_batches(request, approval_id: DbId):
    approval = selectors.approval_get(actor=request.auth, approval_id=approval_id)
    return [s.BiomedBatchOut.of(b, approval.number)
            for b in selectors.batch_list(actor=request.auth, approval_id=approval.pk)[:10_000]]


@router.post("/approvals/{approval_id}/batches", response=responses({201: s.BiomedBatchOut}, 404, 409),
             operation_id="biomed_batch_declare")
def biomed_batch_declare(request, approval_id: DbId, payload: s.BiomedBatchIn, idempotency_key: IdempotencyKeyHeader):
    return _declare(request, approval_id, payload, idempotency_key)


@router.get("/follow-ups", response=responses(list[s.BiomedFollowUpOut]), operation_id="biomed_follow_ups")
def biomed_follow_ups(request, page: Query[BiomedPageQuery]):
    return [s.BiomedFollowUpOut.of(f) for f in page.window(selectors.follow_up_list(actor=request.auth))]


@router.post("/follow-ups/{follow_up_id}/report", response=responses(s.BiomedFollowUpOut, 404, 409),
             operation_id="biomed_follow_up_report")
def biomed_follow_up_report(request, follow_up_id: DbId, payload: s.BiomedFollowUpReportIn):
    selectors.follow_up_get(actor=request.auth, follow_up_id=follow_up_id)
    return s.BiomedFollowUpOut.of(services.followup_report(actor=request.auth, follow_up_id=follow_up_id,
                                                           report=payload.report))


@router.get("/statistics", response=responses(s.BiomedStatisticsOut, 404), operation_id="biomed_statistics")
def biomed_statistics(request, query: Query[BiomedStatisticsQuery]):
    return s.BiomedStatisticsOut(**selectors.statistics(actor=request.auth, year=query.year))


# --- customs systems (API keys) -----------------------------------------------------------------------------


@bank_router.get("/approvals", response=responses(list[s.BiomedApprovalOut]), operation_id="bank_biomed_approvals")
def bank_biomed_approvals(request, page: Query[BiomedPageQuery]):
    return [s.BiomedApprovalOut.of(a) for a in page.window(selectors.approval_list(actor=request.auth))]


@bank_router.get("/approvals/{approval_id}", response=responses(s.BiomedApprovalOut, 404),
                 operation_id="bank_biomed_approval_get")
def bank_biomed_approval_get(request, approval_id: DbId):
    return s.BiomedApprovalOut.of(selectors.approval_get(actor=request.auth, approval_id=approval_id))


@bank_router.get("/approvals/{approval_id}/batches", response=responses(list[s.BiomedBatchOut], 404),
                 operation_id="bank_biomed_approval_batches")
def bank_biomed_approval_batches(request, approval_id: DbId):
    approval = selectors.approval_get(actor=request.auth, approval_id=approval_id)
    return [s.BiomedBatchOut.of(b, approval.number)
            for b in selectors.batch_list(actor=request.auth, approval_id=approval.pk)[:10_000]]


@bank_router.post("/approvals/{approval_id}/batches", response=responses({201: s.BiomedBatchOut}, 404, 409),
                  operation_id="bank_biomed_batch_declare")
def bank_biomed_batch_declare(request, approval_id: DbId, payload: s.BiomedBatchIn,
                              idempotency_key: IdempotencyKeyHeader):
    return _declare(request, approval_id, payload, idempotency_key)


@bank_router.get("/statistics", response=responses(s.BiomedStatisticsOut, 404),
                 operation_id="bank_biomed_statistics")
def bank_biomed_statistics(request, query: Query[BiomedStatisticsQuery]):
    return s.BiomedStatisticsOut(**selectors.statistics(actor=request.auth, year=query.year))
