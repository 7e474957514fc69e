"""Portal API (/api/v1/registry) and bank/institution API (/api/bank/v1/enterprises…)."""

from django.utils import translation
from ninja import Query, Router, Status

from innoreform.core.api_support import DbId, responses
from innoreform.core.idempotency import IdempotencyKeyHeader, idempotent

from . import models as m
from . import selectors, services
from .schemas import (
    AccessOut,
    AuthorisedEnterpriseOut,
    DeclarationDecideIn,
    DeclarationDetailOut,
    DeclarationOut,
    DeclarationReviewIn,
    EnterpriseDataOut,
    EnterpriseOut,
    EvaluationOut,
    FiguresIn,
    GrantIn,
    GrantOut,
    IndexOut,
    NoticeOut,
    OutcomeIn,
    OutcomeOut,
    RevokeIn,
)

router = Router(tags=["registry"])
bank_router = Router(tags=["registry"])


def _index_out(score: m.IndexScore | None) -> IndexOut | None:
    if score is None:
        return None
    return IndexOut(year=score.year, score=score.score, percentile_industry=score.percentile_industry,
                    percentile_city=score.percentile_city, contributions=score.contributions,
                    formula_version=score.policy_version)


# --- portal: enterprises -----------------------------------------------------------------------------------


@router.get("/enterprises/{credit_code}", response=responses(EnterpriseOut, 404),
            operation_id="registry_enterprise_get")
def enterprise_get(request, credit_code: str):
    e = selectors.enterprise_get(actor=request.auth, credit_code=credit_code)
    return EnterpriseOut(credit_code=e.credit_code, name=e.name, region=e.region, district=e.district,
                         industry_code=e.industry_code, legal_representative=e.legal_representative,
                         actual_controller=e.actual_controller.name if e.actual_controller else None,
                         listed=selectors.current_listing(e) is not None, index=_index_out(selectors.latest_index(e)))


# --- portal: declarations ------------------------------------------------------------------------------------


@router.post("/declarations/preview", response=responses(EvaluationOut, 403, 404),
             operation_id="registry_declaration_preview")
def declaration_preview(request, payload: FiguresIn):
    data = payload.model_dump()
    result = services.evaluation_preview(actor=request.auth, **data)
    return EvaluationOut.build(result.as_dict())


@router.post("/declarations", response=responses({201: DeclarationDetailOut}, 403, 404, 409),
             operation_id="registry_declaration_submit")
def declaration_submit(request, payload: FiguresIn):
    d = services.declaration_submit(actor=request.auth, **payload.model_dump())
    return Status(201, DeclarationDetailOut.build(d))


@router.get("/declarations", response=responses(list[DeclarationOut]), operation_id="registry_declaration_list")
def declaration_list(request, status: str | None = None, year: int | None = None, region: str | None = None):
    qs = selectors.declaration_list(actor=request.auth, status=status, year=year, region=region)[:500]
    return [DeclarationOut.build(d) for d in qs]


@router.get("/declarations/{declaration_id}", response=responses(DeclarationDetailOut, 404),
            operation_id="registry_declaration_get")
def declaration_get(request, declaration_id: DbId):
    return DeclarationDetailOut.build(selectors.declaration_get(actor=request.auth, declaration_id=declaration_id))


@router.post("/declarations/{declaration_id}/review", response=responses(DeclarationOut, 403, 404, 409),
             operation_id="registry_declaration_review")
def declaration_review(request, declaration_id: DbId, payload: DeclarationReviewIn):
    d = services.declaration_review(actor=request.auth, declaration_id=declaration_id, recommend=payload.recommend,
                                    note=payload.note)
    return DeclarationOut.build(d)


@router.post("/declarations/{declaration_id}/decide", response=responses(DeclarationOut, 403, 404, 409),
             operation_id="registry_declaration_decide")
def declaration_decide(request, declaration_id: DbId, payload: DeclarationDecideIn):
    d = services.declaration_decide(actor=request.auth, declaration_id=declaration_id, approve=payload.approve,
                                    note=payload.note)
    return DeclarationOut.build(d)


@router.post("/declarations/{declaration_id}/revoke", response=responses(DeclarationOut, 403, 404, 409),
             operation_id="registry_declaration_revoke")
def declaration_revoke(request, declaration_id: DbId, payload: RevokeIn):
    d = services.declaration_revoke(actor=request.auth, declaration_id=declaration_id, reason=payload.reason,
                                    falsification=payload.falsification)
    return DeclarationOut.build(d)


# --- portal: consent ----------------------------------------------------------------------------------------


@router.get("/consent-notice", response=responses(NoticeOut), operation_id="registry_consent_notice")
def consent_notice(request):
    version, params = services.consent_notice()
    text = params["text_en"] if translation.get_language() == "en" else params["text_zh"]
    return NoticeOut(version=version, text=text)


@router.get("/grants", response=responses(list[GrantOut]), operation_id="registry_grant_list")
def grant_list(request):
    return [GrantOut.build(g) for g in selectors.grant_list(actor=request.auth)[:500]]


@router.post("/grants", response=responses({201: GrantOut}, 403, 404, 409), operation_id="registry_grant_create")
def grant_create(request, payload: GrantIn):
    g = services.grant_create(actor=request.auth, **payload.model_dump())
    return Status(201, GrantOut.build(g))


@router.post("/grants/{grant_id}/revoke", response=responses(GrantOut, 403, 404, 409),
             operation_id="registry_grant_revoke")
def grant_revoke(request, grant_id: DbId):
    return GrantOut.build(services.grant_revoke(actor=request.auth, grant_id=grant_id))


@router.get("/access-history", response=responses(list[AccessOut]), operation_id="registry_access_history")
def access_history(request):
    return [AccessOut.build(a) for a in selectors.access_history(actor=request.auth)[:1000]]


# --- bank API -----------------------------------------------------------------------------------------------


@bank_router.get("/enterprises/{credit_code}", response=responses(EnterpriseDataOut, 403, 404),
                 operation_id="registry_bank_enterprise_read")
def bank_enterprise_read(request, credit_code: str, purpose: Query[str]):
    """The granted categories of an enterprise's data; 404 without a valid grant for this purpose."""
    return services.bank_read(actor=request.auth, credit_code=credit_code.strip().upper()[:18], purpose=purpose)


@bank_router.get("/enterprises", response=responses(list[AuthorisedEnterpriseOut], 403),
                 operation_id="registry_bank_enterprise_list")
def bank_enterprise_list(request):
    """Enterprises that granted this institution access (valid today), with listing and index."""
    out = []
    for row in selectors.bank_enterprises(actor=request.auth):
        e, grants, listing = row["enterprise"], row["grants"], row["listing"]
        out.append(AuthorisedEnterpriseOut(
            credit_code=e.credit_code, name=e.name, region=e.region, industry_code=e.industry_code,
            purposes=sorted({g.purpose for g in grants}), categories=sorted({c for g in grants for c in g.categories}),
            valid_until=max(g.valid_until for g in grants), listed=listing is not None,
            registration_number=listing.registration_number if listing else None, index=_index_out(row["index"])))
    return out


@bank_router.post("/enterprises/{credit_code}/financing-outcomes", response=responses({201: OutcomeOut}, 403, 404, 409),
                  operation_id="registry_bank_outcome_report")
def bank_outcome_report(request, credit_code: str, payload: OutcomeIn, idempotency_key: IdempotencyKeyHeader = None):
    """Report what became of a financing request (needs a valid grant for the purpose)."""

    def run():
        o = services.financing_outcome_report(actor=request.auth, credit_code=credit_code.strip().upper()[:18],
                                              **payload.model_dump())
        return 201, OutcomeOut(id=o.pk, credit_code=credit_code, reference=o.reference, outcome=o.outcome,
                               amount_fen=o.amount_fen, annual_rate=o.annual_rate, term_months=o.term_months,
                               decided_on=o.decided_on, reported_at=o.reported_at)

    return idempotent(request, key=idempotency_key, run=run)
