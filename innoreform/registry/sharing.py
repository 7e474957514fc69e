"""What each data category contains when an institution reads an enterprise under a grant.

Only the granted categories are built; nothing else about the enterprise leaves the platform.
Money is in fen; dates are ISO strings."""

from django.db.models import Q
from django.utils import timezone

from . import models as m


def _d(value):
    return value.isoformat() if value else None


def _basic(e: m.Enterprise) -> dict:
    return {"name": e.name, "credit_code": e.credit_code, "region": e.region, "district": e.district,
            "industry_code": e.industry_code, "registered_on": _d(e.registered_on),
            "registered_capital_fen": e.registered_capital_fen, "legal_representative": e.legal_representative}


def _ownership(e: m.Enterprise) -> dict:
    group = []
    if e.actual_controller_id:
        group = list(m.Enterprise.objects.filter(actual_controller_id=e.actual_controller_id).exclude(pk=e.pk)
                     .values_list("credit_code", flat=True))
    return {
        "shareholders": [{"name": s.name, "kind": s.kind, "credit_code": s.credit_code,
                          "share_percent": str(s.share_percent)} for s in e.shareholders.order_by("-share_percent")],
        "actual_controller": e.actual_controller.name if e.actual_controller else None,
        "controller_group": group,
    }


def _indicators(e: m.Enterprise) -> list[dict]:
    return list(e.indicators.order_by("-year").values(
        "year", "staff_total", "insured_staff", "tech_staff", "sales_fen", "total_assets_fen", "rd_expense_fen",
        "total_cost_fen", "import_fen", "export_fen"))


def _qualifications(e: m.Enterprise) -> list[dict]:
    return [{"kind": q.kind, "certificate_no": q.certificate_no, "valid_from": _d(q.valid_from),
             "valid_to": _d(q.valid_to)} for q in e.qualifications.order_by("kind", "valid_from")]


def _ip(e: m.Enterprise) -> list[dict]:
    return [{"kind": r.kind, "number": r.number, "title": r.title, "status": r.status, "filed_on": _d(r.filed_on),
             "granted_on": _d(r.granted_on), "citations": r.citations, "family_size": r.family_size, "ipc": r.ipc}
            for r in e.ip_rights.order_by("kind", "number")]


def _honours(e: m.Enterprise) -> dict:
    return {
        "awards": list(e.awards.order_by("-year").values("level", "name", "year", "rank")),
        "rd_institutions": list(e.rd_institutions.values("level", "name", "recognised_year")),
        "standards": list(e.standards.order_by("-year").values("level", "code", "name", "year", "led")),
    }


def _judicial(e: m.Enterprise) -> dict:
    today = timezone.localdate()
    active = Q(removed_on__isnull=True) | Q(removed_on__gt=today)
    return {
        "judgments": [{"case_number": j.case_number, "court": j.court, "judged_on": _d(j.judged_on), "role": j.role,
                       "cause": j.cause, "amount_fen": j.amount_fen} for j in e.judgments.order_by("-judged_on")],
        "dishonest_debtor": [{"case_number": d.case_number, "court": d.court, "listed_on": _d(d.listed_on),
                              "removed_on": _d(d.removed_on)} for d in e.dishonest_entries.order_by("-listed_on")],
        "abnormal_operation": [{"listed_on": _d(a.listed_on), "reason": a.reason, "removed_on": _d(a.removed_on)}
                               for a in e.abnormal_entries.order_by("-listed_on")],
        "currently_dishonest": e.dishonest_entries.filter(active).exists(),
        "currently_abnormal": e.abnormal_entries.filter(active).exists(),
    }


def _evaluation(e: m.Enterprise) -> dict:
    listing = e.declarations.filter(status=m.DeclarationStatus.LISTED).order_by("-year").first()
    latest = e.declarations.order_by("-year", "-id").first()
    return {
        "listed": listing is not None,
        "registration_number": listing.registration_number if listing else None,
        "listed_year": listing.year if listing else None,
        "latest": None if latest is None else {
            "year": latest.year, "status": latest.status, "score": latest.score, "passed": latest.passed,
            "route": latest.route or None, "rule_version": latest.policy_version,
            "lines": latest.evaluation.get("lines", []),
        },
    }


def _index(e: m.Enterprise) -> dict | None:
    s = e.index_scores.order_by("-year").first()
    if s is None:
        return None
    return {"year": s.year, "score": str(s.score), "percentile_industry": str(s.percentile_industry),
            "percentile_city": str(s.percentile_city), "contributions": s.contributions,
            "formula_version": s.policy_version}


BUILDERS = {
    m.DataCategory.BASIC: _basic,
    m.DataCategory.OWNERSHIP: _ownership,
    m.DataCategory.INDICATORS: _indicators,
    m.DataCategory.QUALIFICATIONS: _qualifications,
    m.DataCategory.IP: _ip,
    m.DataCategory.HONOURS: _honours,
    m.DataCategory.JUDICIAL: _judicial,
    m.DataCategory.EVALUATION: _evaluation,
    m.DataCategory.INNOVATION_INDEX: _index,
}


def payload(enterprise: m.Enterprise, categories: list[str]) -> dict:
    return {c: BUILDERS[c](enterprise) for c in categories if c in BUILDERS}
