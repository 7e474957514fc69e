"""Reads for financing, scoped to the actor. Objects the actor may not see raise NotFound.

Scopes: an enterprise sees its own needs, applications and loans; an institution sees its own
products, the applications made to it and its loans; a guarantor or insurer sees the programmes
(and their loans) it is assigned to; a province department and the platform operator see
everything, a city department its city. Open needs are visible to institutions (published).

Other apps (the risk-compensation pools) read loans and default events through
`loan_for_claim`, `defaults_for_pools` and `recoveries_of_default`.
"""

import time
from collections import defaultdict
from statistics import median

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound
from innoreform.core.models import Jurisdiction, Organisation, OrgKind
from innoreform.core.selectors import policy_in_force

from . import facts as facts_mod
from . import matching
from . import models as m
from .permissions import FINANCIAL, can
from .policies import MATCHING_KEY


def _jurisdiction(actor: Actor, qs: QuerySet, region_field: str) -> QuerySet:
    org = actor.organisation
    if org is not None and org.kind == OrgKind.DEPARTMENT and org.jurisdiction != Jurisdiction.PROVINCE:
        return qs.filter(**{region_field: org.region})
    return qs


def sees_all(actor: Actor) -> bool:
    return actor.is_system or can(actor, "financing.view_all")


# --- needs and products -------------------------------------------------------------------------------


def need_list(*, actor: Actor, status: str | None = None) -> QuerySet[m.FinancingNeed]:
    qs = m.FinancingNeed.objects.select_related("enterprise")
    if sees_all(actor):
        qs = _jurisdiction(actor, qs, "enterprise__region")
    elif actor.kind == OrgKind.ENTERPRISE:
        qs = qs.filter(enterprise_id=actor.organisation_id)
    elif actor.kind in FINANCIAL:
        qs = qs.filter(status=m.FinancingNeed.Status.OPEN)
    else:
        return qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def need_get(*, actor: Actor, need_id: int) -> m.FinancingNeed:
    need = need_list(actor=actor).filter(pk=need_id).first()
    if need is None:
        raise NotFound()
    return need


def product_list(*, actor: Actor, kind: str | None = None, mine: bool = False) -> QuerySet[m.Product]:
    qs = m.Product.objects.select_related("institution")
    if mine:
        qs = qs.filter(institution_id=actor.organisation_id)
    elif actor.organisation is None and not actor.is_system:
        return qs.none()
    else:
        qs = qs.filter(Q(status=m.Product.Status.ACTIVE) | Q(institution_id=actor.organisation_id))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("id")


def product_get(*, actor: Actor, product_id: int) -> m.Product:
    product = product_list(actor=actor).filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    return product


# --- matching -----------------------------------------------------------------------------------------


def weights() -> matching.Weights:
    return matching.Weights.from_policy(policy_in_force(MATCHING_KEY).parameters)


def institution_speed_days() -> dict[int, float]:
    """Median days from application to decision, per institution (decided applications)."""
    per: dict[int, list[int]] = defaultdict(list)
    for inst, seconds in m.Application.objects.filter(decision_seconds__isnull=False).values_list(
            "institution_id", "decision_seconds"):
        per[inst].append(seconds)
    return {inst: median(v) / 86400 for inst, v in per.items()}


def product_spec(product: m.Product, speed: dict[int, float] | None = None) -> matching.ProductSpec:
    speed = speed if speed is not None else institution_speed_days()
    return matching.ProductSpec(
        id=product.pk, kind=product.kind, name=product.name, institution_id=product.institution_id,
        institution_name=product.institution.name, min_amount_fen=product.min_amount_fen,
        max_amount_fen=product.max_amount_fen, min_term_months=product.min_term_months,
        max_term_months=product.max_term_months, min_rate=float(product.min_rate), rules=product.rules,
        speed_days=speed.get(product.institution_id))


def need_spec(need: m.FinancingNeed) -> matching.NeedSpec:
    return matching.NeedSpec(amount_fen=need.amount_fen, term_months=need.term_months, purpose=need.purpose,
                             collateral=tuple(need.collateral), preferred_kinds=tuple(need.preferred_kinds))


_catalog: dict = {}
CATALOG_CHECK_SECONDS = 5.0


def catalog_invalidate() -> None:
    """Called after products change in this process; other processes see it within the check interval."""
    _catalog.clear()


def catalog() -> dict:
    """The active products compiled for matching, kept per process and rebuilt when products,
    decision speeds or the weights change (a fingerprint query decides, at most every few seconds)."""
    global _catalog
    current = _catalog
    now = time.monotonic()
    if current and now - current["checked"] < CATALOG_CHECK_SECONDS:
        return current
    w = weights()
    agg = m.Product.objects.filter(status=m.Product.Status.ACTIVE).aggregate(n=Count("id"), mx=Max("id"),
                                                                             sm=Sum("id"))
    key = (agg["n"], agg["mx"], agg["sm"], m.Application.objects.filter(decision_seconds__isnull=False).count(), w)
    current = _catalog
    if current.get("key") != key:
        speed = institution_speed_days()
        specs = [product_spec(p, speed) for p in m.Product.objects.select_related("institution").filter(
            status=m.Product.Status.ACTIVE).order_by("id")]
        try:
            compiled = matching.compile_products(specs, w)
        except matching.NotVectorisable:
            compiled = None
        current = {"key": key, "specs": specs, "compiled": compiled, "weights": w}
    current["checked"] = now
    _catalog = current
    return current


def match_need(*, actor: Actor, need_id: int, limit: int = 20, near_misses: int = 10) -> list[matching.Match]:
    """The need's best products (up to `limit`, ranked) and the closest misses, each with the reason
    for every condition and for its place above the next. Only the enterprise itself (and
    oversight) sees them: they reveal its facts."""
    need = need_get(actor=actor, need_id=need_id)
    if actor.kind in FINANCIAL:
        raise NotFound()
    cat = catalog()
    facts = facts_mod.facts_for_organisation(need.enterprise)
    spec = need_spec(need)
    if cat["compiled"] is None:
        ranked = matching.rank(spec, facts, cat["specs"], cat["weights"])
        return [x for x in ranked if x.eligible][:limit] + [x for x in ranked if not x.eligible][:near_misses]
    chosen = matching.shortlist(spec, facts, cat["compiled"], cat["weights"], k=limit, near_misses=near_misses)
    return matching.rank(spec, facts, chosen, cat["weights"])


def match_one(*, need: m.FinancingNeed, product: m.Product) -> matching.Match:
    facts = facts_mod.facts_for_organisation(need.enterprise)
    return matching.rank(need_spec(need), facts, [product_spec(product)], weights())[0]


def product_matching_needs(*, actor: Actor, product_id: int) -> list[dict]:
    """Open needs whose enterprise meets every condition of the institution's own product. Only
    the fact that all conditions pass is shown, not the enterprise's underlying data."""
    product = m.Product.objects.select_related("institution").filter(
        pk=product_id, institution_id=actor.organisation_id).first()
    if product is None:
        raise NotFound()
    spec = product_spec(product)
    w = weights()
    out = []
    for need in m.FinancingNeed.objects.select_related("enterprise").filter(
            status=m.FinancingNeed.Status.OPEN).order_by("-id")[:500]:
        match = matching.rank(need_spec(need), facts_mod.facts_for_organisation(need.enterprise), [spec], w)[0]
        if match.eligible:
            out.append({"need": need, "score": match.score})
    out.sort(key=lambda row: (-row["score"], row["need"].pk))
    return out


# --- applications -------------------------------------------------------------------------------------


def application_list(*, actor: Actor, status: str | None = None) -> QuerySet[m.Application]:
    qs = m.Application.objects.select_related("need", "product", "enterprise", "institution")
    if sees_all(actor):
        qs = _jurisdiction(actor, qs, "enterprise__region")
    elif actor.kind == OrgKind.ENTERPRISE:
        qs = qs.filter(enterprise_id=actor.organisation_id)
    elif actor.kind in FINANCIAL:
        qs = qs.filter(institution_id=actor.organisation_id)
    else:
        return qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def application_get(*, actor: Actor, application_id: int) -> m.Application:
    a = application_list(actor=actor).filter(pk=application_id).first()
    if a is None:
        raise NotFound()
    return a


def decision_times(*, actor: Actor) -> list[dict]:
    """Per institution: applications, decided, approved, approval rate, mean and median hours to decide."""
    rows: dict[int, dict] = {}
    for a in application_list(actor=actor).exclude(status=m.Application.Status.WITHDRAWN):
        row = rows.setdefault(a.institution_id, {"institution_id": a.institution_id, "institution": a.institution.name,
                                                 "applications": 0, "decided": 0, "approved": 0, "seconds": []})
        row["applications"] += 1
        if a.decision_seconds is not None:
            row["decided"] += 1
            row["seconds"].append(a.decision_seconds)
            row["approved"] += a.status == m.Application.Status.APPROVED
    out = []
    for row in rows.values():
        seconds = row.pop("seconds")
        row["approval_rate"] = round(row["approved"] / row["decided"], 4) if row["decided"] else None
        row["mean_hours"] = round(sum(seconds) / len(seconds) / 3600, 2) if seconds else None
        row["median_hours"] = round(median(seconds) / 3600, 2) if seconds else None
        out.append(row)
    return sorted(out, key=lambda r: r["institution_id"])


# --- programmes ---------------------------------------------------------------------------------------


def programme_list(*, actor: Actor) -> QuerySet[m.Programme]:
    qs = m.Programme.objects.select_related("department", "guarantor", "insurer")
    if actor.is_system or actor.kind == OrgKind.PLATFORM_OPERATOR:
        return qs
    org = actor.organisation
    if org is None:
        return qs.none()
    if org.kind == OrgKind.DEPARTMENT:
        if org.jurisdiction == Jurisdiction.PROVINCE:
            return qs
        return qs.filter(Q(department=org) | Q(department__region=org.region))
    if org.kind in FINANCIAL:
        return qs.filter(Q(guarantor=org) | Q(insurer=org) | Q(credit_lines__bank=org)).distinct()
    return qs.none()


def programme_get(*, actor: Actor, programme_id: int) -> m.Programme:
    programme = programme_list(actor=actor).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound()
    return programme


def programme_line_used(*, programme: m.Programme, bank_id: int) -> int:
    return m.Loan.objects.filter(programme=programme, institution_id=bank_id).aggregate(
        s=Sum("principal_fen"))["s"] or 0


def programme_summary(*, actor: Actor, programme_id: int) -> dict:
    programme = programme_get(actor=actor, programme_id=programme_id)
    loans = loan_list(actor=actor).filter(programme=programme)
    lines = []
    for line in programme.credit_lines.select_related("bank"):
        lines.append({"bank": line.bank.name, "bank_id": line.bank_id, "line_fen": line.line_fen,
                      "used_fen": programme_line_used(programme=programme, bank_id=line.bank_id)})
    repaid = m.Repayment.objects.filter(loan__in=loans).aggregate(p=Sum("principal_fen"), i=Sum("interest_fen"))
    defaults = m.LoanDefault.objects.filter(loan__in=loans)
    d = defaults.aggregate(n=Count("id"), amount=Sum("amount_fen"), recovered=Sum("recovered_fen"))
    return {
        "programme": programme,
        "members": programme.members.filter(included=True).count(),
        "lines": lines,
        "loans": loans.count(),
        "principal_fen": loans.aggregate(s=Sum("principal_fen"))["s"] or 0,
        "outstanding_fen": loans.aggregate(s=Sum("principal_outstanding_fen"))["s"] or 0,
        "repaid_principal_fen": repaid["p"] or 0,
        "repaid_interest_fen": repaid["i"] or 0,
        "defaults": d["n"] or 0,
        "default_amount_fen": d["amount"] or 0,
        "recovered_fen": d["recovered"] or 0,
        # order_by(): loan_list orders by id, which would otherwise split every group into single loans
        "by_category": {row["classification"]: row["n"] for row in loans.order_by().values("classification")
                        .annotate(n=Count("id"))},
    }


# --- loans --------------------------------------------------------------------------------------------


def loan_list(*, actor: Actor, status: str | None = None, kind: str | None = None) -> QuerySet[m.Loan]:
    qs = m.Loan.objects.select_related("institution", "programme")
    if sees_all(actor):
        qs = _jurisdiction(actor, qs, "region")
    elif actor.kind == OrgKind.ENTERPRISE:
        qs = qs.filter(borrower_id=actor.organisation_id)
    elif actor.kind == OrgKind.BANK:
        qs = qs.filter(institution_id=actor.organisation_id)
    elif actor.kind in (OrgKind.GUARANTOR, OrgKind.INSURER):
        qs = qs.filter(Q(programme__guarantor_id=actor.organisation_id)
                       | Q(programme__insurer_id=actor.organisation_id))
    elif actor.kind == OrgKind.INVESTOR:
        qs = qs.filter(stakes__investor_id=actor.organisation_id).distinct()
    else:
        return qs.none()
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-id")


def loan_get(*, actor: Actor, loan_id: int) -> m.Loan:
    loan = loan_list(actor=actor).filter(pk=loan_id).first()
    if loan is None:
        raise NotFound()
    return loan


def equipment_list(*, actor: Actor) -> QuerySet[m.Equipment]:
    return m.Equipment.objects.filter(loan__in=loan_list(actor=actor)).select_related("loan").order_by("id")


def subsidy_list(*, actor: Actor, year: int | None = None, quarter: int | None = None) -> QuerySet[m.Subsidy]:
    qs = m.Subsidy.objects.select_related("loan", "department")
    if sees_all(actor):
        qs = _jurisdiction(actor, qs, "loan__region")
    else:
        qs = qs.filter(loan__in=loan_list(actor=actor))
    if year:
        qs = qs.filter(year=year)
    if quarter:
        qs = qs.filter(quarter=quarter)
    return qs


# --- for the risk-compensation pools (issue 8) ------------------------------------------------------


def defaults_for_pools(*, actor: Actor, since=None) -> QuerySet[m.LoanDefault]:
    """Default events the actor may see (a bank: its own loans; oversight: all), oldest first.
    Each carries the loan (kind, programme, region, lender, relending flag) and amounts in fen."""
    qs = m.LoanDefault.objects.select_related("loan", "loan__programme", "loan__institution").filter(
        loan__in=loan_list(actor=actor))
    if since is not None:
        qs = qs.filter(created_at__gt=since)
    return qs.order_by("id")


def loan_for_claim(*, actor: Actor, loan_id: int) -> dict:
    """A loan's facts for a compensation claim: kind, amounts in fen, programme and its loss-sharing
    vector, default and recoveries. NotFound unless the actor may see the loan."""
    loan = loan_get(actor=actor, loan_id=loan_id)
    default = getattr(loan, "default_event", None)
    return {
        "loan_id": loan.pk, "contract_no": loan.contract_no, "kind": loan.kind, "institution_id": loan.institution_id,
        "borrower_credit_code": loan.borrower_credit_code, "borrower_id": loan.borrower_id, "region": loan.region,
        "principal_fen": loan.principal_fen, "principal_outstanding_fen": loan.principal_outstanding_fen,
        "central_bank_relending": loan.central_bank_relending, "status": loan.status,
        "classification": loan.classification,
        "programme_id": loan.programme_id,
        "loss_sharing": loan.programme.loss_sharing if loan.programme_id else None,
        "default": None if default is None else {
            "id": default.pk, "declared_on": default.declared_on, "principal_fen": default.principal_fen,
            "interest_fen": default.interest_fen, "amount_fen": default.amount_fen,
            "recovered_fen": default.recovered_fen},
    }


def recoveries_of_default(*, actor: Actor, default_id: int) -> QuerySet[m.Recovery]:
    default = defaults_for_pools(actor=actor).filter(pk=default_id).first()
    if default is None:
        raise NotFound()
    return default.recoveries.order_by("id")


def investor_linked_stakes(*, actor: Actor) -> QuerySet[m.EquityStake]:
    """The actor's (an investor's) equity stakes linked to an investment-linked loan, newest first,
    with the loan and its default event."""
    return (m.EquityStake.objects.filter(investor_id=actor.organisation_id, loan__isnull=False)
            .select_related("loan", "loan__default_event").order_by("-id"))


# System reads for the risk-compensation pools (no actor): the pools app computes loss ratios and
# coverage over many institutions' loans for oversight, and serialises claims on a loan. Anything shown
# to a user goes through the actor-scoped selectors above.


def programme_ids_existing(programme_ids) -> set[int]:
    """System read: which of these programme ids exist."""
    return set(m.Programme.objects.filter(pk__in=list(programme_ids)).values_list("id", flat=True))


def loan_lock(*, loan_id: int) -> m.Loan:
    """System lock: the loan row, locked FOR UPDATE until the caller's transaction ends (callers use it
    to serialise their own writes about one loan, e.g. compensation claims). Call inside
    transaction.atomic() after checking the actor may see the loan."""
    return m.Loan.objects.select_for_update().get(pk=loan_id)


def institution_disbursed_loans(institution_id: int) -> QuerySet[m.Loan]:
    """System read: the institution's disbursed loans on the platform."""
    return m.Loan.objects.filter(institution_id=institution_id, disbursed_on__isnull=False)


def default_totals(loans: QuerySet[m.Loan]) -> dict[str, int]:
    """System read: the defaulted amount and the amount recovered on these loans, in fen (one query)."""
    d = m.LoanDefault.objects.filter(loan__in=loans).aggregate(a=Sum("amount_fen"), r=Sum("recovered_fen"))
    return {"amount_fen": d["a"] or 0, "recovered_fen": d["r"] or 0}


def live_loans_covered(*, region: str | None = None, district: str | None = None, institution_ids=(),
                       programme_ids=()) -> QuerySet[m.Loan]:
    """System read: active or defaulted loans in the region (city) and the borrower's district when
    given, lent by one of the institutions, under one of the programmes or guaranteed by one of the
    institutions through its programme."""
    qs = m.Loan.objects.filter(status__in=[m.LoanStatus.ACTIVE, m.LoanStatus.DEFAULTED])
    if region:
        qs = qs.filter(region=region)
    if district:
        qs = qs.filter(borrower__district=district)
    inst, progs = list(institution_ids), list(programme_ids)
    return qs.filter(Q(institution_id__in=inst) | Q(programme_id__in=progs) | Q(programme__guarantor_id__in=inst))


def recoveries_after(*, default_id: int, after_id: int) -> QuerySet[m.Recovery]:
    """System read: the recoveries on a default after the one with id `after_id`, oldest first."""
    return m.Recovery.objects.filter(default_id=default_id, id__gt=after_id).order_by("id")


def last_recovery_id(default_id: int) -> int:
    """System read: the id of the latest recovery on a default; 0 when it has none."""
    last = m.Recovery.objects.filter(default_id=default_id).order_by("-id").values_list("id", flat=True).first()
    return last or 0


# --- dashboard ----------------------------------------------------------------------------------------


def dashboard(*, actor: Actor) -> dict:
    if not sees_all(actor):
        raise NotFound()
    loans = loan_list(actor=actor)
    grouped = loans.order_by()  # without loan_list's order by id, which would split every group
    by_city = {r["region"]: {"n": r["n"], "principal_fen": r["p"] or 0} for r in
               grouped.values("region").annotate(n=Count("id"), p=Sum("principal_fen"))}
    by_kind = {r["kind"]: {"n": r["n"], "principal_fen": r["p"] or 0} for r in
               grouped.values("kind").annotate(n=Count("id"), p=Sum("principal_fen"))}
    by_institution = [{"institution": r["institution__name"], "n": r["n"], "principal_fen": r["p"] or 0} for r in
                      loans.values("institution__name").annotate(n=Count("id"), p=Sum("principal_fen"))
                      .order_by("institution__name")]
    by_category = {r["classification"]: r["n"] for r in grouped.values("classification").annotate(n=Count("id"))}
    products_by_kind = {r["kind"]: r["n"] for r in m.Product.objects.filter(status="active").values("kind").annotate(
        n=Count("id"))}
    apps = application_list(actor=actor)
    defaults = m.LoanDefault.objects.filter(loan__in=loans).aggregate(n=Count("id"), a=Sum("amount_fen"),
                                                                     r=Sum("recovered_fen"))
    return {
        "as_of": timezone.localdate(),
        "loans": loans.count(),
        "principal_fen": loans.aggregate(s=Sum("principal_fen"))["s"] or 0,
        "outstanding_fen": loans.aggregate(s=Sum("principal_outstanding_fen"))["s"] or 0,
        "needs_open": need_list(actor=actor, status="open").count(),
        "applications": apps.count(),
        "by_city": by_city, "by_kind": by_kind, "by_institution": by_institution, "by_category": by_category,
        "products_by_kind": products_by_kind,
        "decision_times": decision_times(actor=actor),
        "defaults": defaults["n"] or 0, "default_amount_fen": defaults["a"] or 0,
        "recovered_fen": defaults["r"] or 0,
        "subsidies_fen": subsidy_list(actor=actor).filter(status="approved").aggregate(
            s=Sum("amount_fen"))["s"] or 0,
    }


def institutions(*, kind: str) -> QuerySet[Organisation]:
    """Active banks, guarantors or insurers a department may put into a programme (a public list)."""
    return Organisation.objects.filter(kind=kind, is_active=True).order_by("name", "id")


def loan_import_get(*, actor: Actor, import_id: int) -> m.LoanImport:
    """An institution sees its own loan imports only; anything else is 404."""
    batch = m.LoanImport.objects.filter(pk=import_id, institution_id=actor.organisation_id).defer("content").first()
    if batch is None or actor.organisation_id is None:
        raise NotFound()
    return batch
