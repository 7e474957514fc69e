"""Core API operations.

Portal (/api/v1/core): who am I, organisations, API keys, policy versions, notifications, jobs.
Bank (/api/bank/v1/institution): who am I (the key's organisation), and an idempotent echo of a
payment instruction so integrators can test their Idempotency-Key handling end to end.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from . import audit, selectors, services
from .api_support import DbId, Fen, Name, OkOut, responses
from .idempotency import IdempotencyKeyHeader, idempotent
from .models import OrgKind
from .notifications import render as render_notification
from .regions import Region

router = Router(tags=["core"])
bank_router = Router(tags=["institution"])

MAX_PAGE = 200


class OrganisationOut(Schema):
    id: int
    name: str
    name_en: str
    kind: str
    region: str
    district: str
    credit_code: str | None
    jurisdiction: str
    line: str
    is_demo: bool


class MeOut(Schema):
    username: str | None
    display_name: str
    organisation: OrganisationOut | None
    role: str | None
    api_key_prefix: str | None = None


class OrganisationIn(Schema):
    name: Name = Field(..., min_length=1, max_length=200)
    name_en: Name = Field("", max_length=200)
    kind: OrgKind
    region: Region
    district: str = Field("", max_length=64)
    credit_code: str | None = Field(None, max_length=40)
    jurisdiction: str = Field("", max_length=16)
    line: str = Field("", max_length=32)


class Page(Schema):
    count: int
    offset: int
    limit: int


class OrganisationPage(Page):
    items: list[OrganisationOut]


class OrganisationFilter(Schema):
    kind: OrgKind | None = None
    region: Region | None = None
    q: str | None = Field(None, max_length=100)
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(50, ge=1, le=MAX_PAGE)


def _me(actor) -> dict[str, Any]:
    return {
        "username": actor.user.username if actor.user else None,
        "display_name": str(actor.user) if actor.user else (actor.organisation.name if actor.organisation else ""),
        "organisation": actor.organisation,
        "role": actor.role,
        "api_key_prefix": actor.api_key.prefix if actor.api_key else None,
    }


@router.get("/me", response=responses(MeOut), operation_id="core_me")
def me(request):
    return _me(request.auth)


@router.get("/organisations", response=responses(OrganisationPage), operation_id="core_organisation_list")
def organisation_list(request, filters: Query[OrganisationFilter]):
    qs = selectors.organisation_list(actor=request.auth, kind=filters.kind, region=filters.region, q=filters.q)
    return {"count": qs.count(), "offset": filters.offset, "limit": filters.limit,
            "items": list(qs[filters.offset: filters.offset + filters.limit])}


@router.get("/organisations/{organisation_id}", response=responses(OrganisationOut, 404),
            operation_id="core_organisation_get")
def organisation_get(request, organisation_id: DbId):
    return selectors.organisation_get(actor=request.auth, organisation_id=organisation_id)


@router.post("/organisations", response=responses({201: OrganisationOut}, 403),
             operation_id="core_organisation_create")
def organisation_create(request, payload: OrganisationIn):
    org = services.organisation_create(actor=request.auth, **payload.dict())
    return Status(201, org)


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    secret: str = Field(..., description="The full key. It is shown only once.")


class ApiKeyIn(Schema):
    name: Name = Field(..., min_length=1, max_length=100)


@router.get("/api-keys", response=responses(list[ApiKeyOut]), operation_id="core_api_key_list")
def api_key_list(request):
    return list(selectors.api_key_list(actor=request.auth)[:MAX_PAGE])


@router.post("/api-keys", response=responses({201: ApiKeyCreatedOut}, 403), operation_id="core_api_key_create")
def api_key_create(request, payload: ApiKeyIn):
    key, secret = services.api_key_create(actor=request.auth, name=payload.name)
    return Status(201, {**ApiKeyOut.from_orm(key).dict(), "secret": secret})


@router.post("/api-keys/{key_id}/revoke", response=responses(ApiKeyOut, 404, 409),
             operation_id="core_api_key_revoke")
def api_key_revoke(request, key_id: DbId):
    key = selectors.api_key_get(actor=request.auth, key_id=key_id)
    return services.api_key_revoke(actor=request.auth, key=key)


class PolicyOut(Schema):
    id: int
    key: str
    version: int
    title: str
    parameters: dict[str, Any]
    effective_from: date
    effective_to: date | None
    status: str
    created_by_id: int | None
    approved_by_id: int | None


class PolicyIn(Schema):
    key: str = Field(..., min_length=1, max_length=100)
    parameters: dict[str, Any]
    effective_from: date
    effective_to: date | None = None
    title: Name = Field("", max_length=200)
    source: str = Field("", max_length=300)


class PolicyDecisionIn(Schema):
    approve: bool


class PolicyFilter(Schema):
    key: str | None = Field(None, max_length=100)


@router.get("/policies", response=responses(list[PolicyOut]), operation_id="core_policy_list")
def policy_list(request, filters: Query[PolicyFilter]):
    return list(selectors.policy_list(actor=request.auth, key=filters.key)[:MAX_PAGE])


@router.get("/policies/{policy_id}", response=responses(PolicyOut, 404), operation_id="core_policy_get")
def policy_get(request, policy_id: DbId):
    return selectors.policy_get(actor=request.auth, policy_id=policy_id)


@router.post("/policies", response=responses({201: PolicyOut}, 403), operation_id="core_policy_propose")
def policy_propose(request, payload: PolicyIn):
    return Status(201, services.policy_propose(actor=request.auth, **payload.dict()))


@router.post("/policies/{policy_id}/decision", response=responses(PolicyOut, 403, 404, 409),
             operation_id="core_policy_decide")
def policy_decide(request, policy_id: DbId, payload: PolicyDecisionIn):
    policy = selectors.policy_get(actor=request.auth, policy_id=policy_id)
    return services.policy_decide(actor=request.auth, policy=policy, approve=payload.approve)


class NotificationOut(Schema):
    id: int
    message: str
    url: str
    created_at: datetime
    read_at: datetime | None


class MarkReadIn(Schema):
    ids: list[DbId] = Field(..., max_length=MAX_PAGE, description="Notifications to mark read")


class CountOut(Schema):
    count: int


@router.get("/notifications", response=responses(list[NotificationOut]), operation_id="core_notification_list")
def notification_list(request):
    return [
        {"id": n.id, "message": render_notification(n.message_id, n.params), "url": n.url,
         "created_at": n.created_at, "read_at": n.read_at}
        for n in selectors.notification_list(actor=request.auth)[:MAX_PAGE]
    ]


@router.post("/notifications/read", response=responses(CountOut), operation_id="core_notification_mark_read")
def notification_mark_read(request, payload: MarkReadIn):
    return {"count": services.notifications_mark_read(actor=request.auth, ids=payload.ids)}


class JobOut(Schema):
    id: UUID
    kind: str
    status: str
    total: int
    done: int
    percent: int
    message: str
    result: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None


@router.post("/notifications/read-all", response=responses(CountOut),
             operation_id="core_notification_mark_all_read")
def notification_mark_all_read(request):
    return {"count": services.notifications_mark_read(actor=request.auth)}


@router.get("/jobs", response=responses(list[JobOut]), operation_id="core_job_list")
def job_list(request):
    return list(selectors.job_list(actor=request.auth)[:MAX_PAGE])


@router.get("/jobs/{job_id}", response=responses(JobOut, 404), operation_id="core_job_get")
def job_get(request, job_id: UUID):
    return selectors.job_get(actor=request.auth, job_id=job_id)


# --- bank / institution API ---------------------------------------------------------------------


@bank_router.get("/me", response=responses(MeOut), operation_id="institution_me")
def institution_me(request):
    return _me(request.auth)


class InstructionIn(Schema):
    reference: str = Field(..., min_length=1, max_length=64)
    amount_fen: Fen = Field(..., ge=1, le=10**15)


class InstructionOut(Schema):
    reference: str
    amount_fen: int
    accepted: bool
    audit_event_id: int


@bank_router.post(
    "/idempotency-check",
    response=responses({201: InstructionOut}, 400, 409),
    operation_id="institution_idempotency_check",
    summary="Test Idempotency-Key handling: records an audited test instruction once per key",
)
def institution_idempotency_check(request, payload: InstructionIn, idempotency_key: IdempotencyKeyHeader):
    def run():
        with transaction.atomic():
            event_id = audit.record(actor=request.auth, action="institution.idempotency_check",
                                    changes={"reference": payload.reference, "amount_fen": payload.amount_fen})
        return 201, {"reference": payload.reference, "amount_fen": payload.amount_fen, "accepted": True,
                     "audit_event_id": event_id}

    return idempotent(request, key=idempotency_key, run=run)


@router.post("/sessions/end-all", response=responses(OkOut), operation_id="core_sessions_end_all")
def sessions_end_all(request):
    services.sessions_end_all(actor=request.auth, user=request.auth.user)
    return {"ok": True}
