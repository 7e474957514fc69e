"""Portal API (/api/v1/patents) and bank/institution API (/api/bank/v1/patents)."""

from django.http import HttpRequest
from ninja import File, Form, Router, Status, UploadedFile

from innoreform.core.api_support import DbId, responses

from . import selectors, services
from .schemas import (
    AliasIn,
    AliasOut,
    DatasetOut,
    IndustryOut,
    IndustryRuleIn,
    LandscapeOut,
    RuleOut,
    RuleSetOut,
    TopicPageOut,
)

router = Router(tags=["patents"])
bank_router = Router(tags=["patents"])


def _dataset_out(d) -> dict:
    return {"id": d.pk, "name": d.name, "status": d.status, "patents": d.patents, "rows_read": d.rows_read,
            "rows_rejected": d.rows_rejected, "rows_with_warnings": d.rows_with_warnings,
            "data_version": d.data_version, "cutoff_date": d.cutoff_date,
            "job_id": str(d.job_id) if d.job_id else None}


@router.get("/datasets", response=responses(list[DatasetOut]), operation_id="patents_dataset_list")
def dataset_list(request: HttpRequest):
    return [_dataset_out(d) for d in selectors.dataset_list(actor=request.auth)[:200]]


@router.post("/datasets", response=responses({201: DatasetOut}, 403), operation_id="patents_dataset_import")
def dataset_import(request: HttpRequest, name: Form[str] = "", file: File[UploadedFile] = None):
    files = [(file.name, file.read())] if file is not None else []
    dataset = services.dataset_import_start(actor=request.auth, name=name, files=files)
    dataset.refresh_from_db()
    return Status(201, _dataset_out(dataset))


@router.get("/datasets/{dataset_id}", response=responses(DatasetOut, 404), operation_id="patents_dataset_get")
def dataset_get(request: HttpRequest, dataset_id: DbId):
    return _dataset_out(selectors.dataset_get(actor=request.auth, dataset_id=dataset_id))


@router.get("/industries", response=responses(list[IndustryOut]), operation_id="patents_industry_list")
def industry_list(request: HttpRequest):
    return [{"code": c, "name_zh": zh, "name_en": en} for c, zh, en in
            selectors.industry_list(selectors.ruleset_in_force())]


@router.get("/datasets/{dataset_id}/industries/{industry}/landscape", response=responses(LandscapeOut, 404),
            operation_id="patents_landscape_get")
def landscape_get(request: HttpRequest, dataset_id: DbId, industry: str):
    dataset = selectors.dataset_get(actor=request.auth, dataset_id=dataset_id, ready=True)
    result = selectors.landscape_get(actor=request.auth, dataset=dataset, industry=industry)
    return {"industry": industry, "rules_version": result["rules_version"], "data_version": result["data_version"],
            "cutoff_date": result["cutoff_date"], "last_complete_year": result["last_complete_year"],
            "landscape": result}


@router.get("/datasets/{dataset_id}/industries/{industry}/patents", response=responses(TopicPageOut, 404),
            operation_id="patents_topic_list")
def topic_list(request: HttpRequest, dataset_id: DbId, industry: str, q: str = "", segment: str = "",
               city: str = "", limit: int = 50, offset: int = 0):
    dataset = selectors.dataset_get(actor=request.auth, dataset_id=dataset_id, ready=True)
    total, rows = selectors.topic_rows(actor=request.auth, dataset=dataset, industry=industry, q=q[:100],
                                       segment=segment[:40], city=city[:8], limit=max(1, min(limit, 500)),
                                       offset=max(0, offset))
    for row in rows:
        row.pop("total", None)
        for key, value in row.items():
            if hasattr(value, "isoformat"):
                row[key] = value.isoformat()
    return {"total": total, "rows": rows}


@router.get("/aliases", response=responses(list[AliasOut]), operation_id="patents_alias_list")
def alias_list(request: HttpRequest):
    return [{"id": a.pk, "alias": a.alias, "canonical": a.canonical, "kind": a.kind, "city": a.city}
            for a in selectors.alias_list()[:1000]]


@router.post("/aliases", response=responses(AliasOut, 403), operation_id="patents_alias_save")
def alias_save(request: HttpRequest, payload: AliasIn):
    a = services.alias_save(actor=request.auth, alias=payload.alias, canonical=payload.canonical,
                            kind=payload.kind, city=payload.city)
    return {"id": a.pk, "alias": a.alias, "canonical": a.canonical, "kind": a.kind, "city": a.city}


# --- the industry rule table (versioned; a draft is approved by a second person) -----------------

RULE_FIELDS = ("industry", "industry_zh", "industry_en", "segment", "segment_zh", "segment_en", "position",
               "include", "exclude", "keywords", "note")


def _ruleset_out(ruleset) -> dict:
    return {"version": ruleset.version, "status": ruleset.status, "note": ruleset.note,
            "rules": [{"id": r.pk, **{f: getattr(r, f) for f in RULE_FIELDS}} for r in ruleset.rules.all()]}


@router.get("/rulesets/{version}", response=responses(RuleSetOut, 404), operation_id="patents_ruleset_get")
def ruleset_get(request: HttpRequest, version: int):
    return _ruleset_out(selectors.ruleset_get(version=version))


@router.post("/rulesets", response=responses({201: RuleSetOut}, 403, 409), operation_id="patents_ruleset_draft")
def ruleset_draft(request: HttpRequest, note: str = ""):
    return Status(201, _ruleset_out(services.ruleset_draft_create(actor=request.auth, note=note)))


@router.post("/rulesets/{version}/rules", response=responses({201: RuleOut}, 403, 404, 409),
             operation_id="patents_rule_add")
def rule_add(request: HttpRequest, version: int, payload: IndustryRuleIn):
    rule = services.rule_save(actor=request.auth, ruleset=selectors.ruleset_get(version=version),
                              **payload.model_dump())
    return Status(201, {"id": rule.pk, **{f: getattr(rule, f) for f in RULE_FIELDS}})


@router.put("/rulesets/{version}/rules/{rule_id}", response=responses(RuleOut, 403, 404, 409),
            operation_id="patents_rule_update")
def rule_update(request: HttpRequest, version: int, rule_id: DbId, payload: IndustryRuleIn):
    ruleset = selectors.ruleset_get(version=version)
    rule = selectors.rule_get(ruleset=ruleset, rule_id=rule_id)
    rule = services.rule_save(actor=request.auth, ruleset=ruleset, rule=rule, **payload.model_dump())
    return {"id": rule.pk, **{f: getattr(rule, f) for f in RULE_FIELDS}}


@router.post("/rulesets/{version}/approve", response=responses(RuleSetOut, 403, 404, 409),
             operation_id="patents_ruleset_approve")
def ruleset_approve(request: HttpRequest, version: int):
    return _ruleset_out(services.ruleset_approve(actor=request.auth, ruleset=selectors.ruleset_get(version=version)))
