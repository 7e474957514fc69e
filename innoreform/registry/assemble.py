"""Build the engines' inputs (evaluation Facts, batch rows, index inputs) from the database,
for one enterprise or for the whole registry with a fixed number of queries."""

from collections import defaultdict
from datetime import date

from django.db.models import Count, Q, Sum

from innoreform.core.regions import Region

from . import evaluation as ev
from . import models as m
from .index import IndexInputs, IndexRules, ipc_subclasses

PATENT_KINDS = ("invention_patent", "utility_model", "design_patent")


def _active(qs, on: date):
    return qs.filter(listed_on__lte=on).filter(Q(removed_on__isnull=True) | Q(removed_on__gt=on))


def facts_for(enterprise: m.Enterprise, *, year: int, on: date, staff_total: int, tech_staff: int,
              sales_fen: int, total_assets_fen: int, rd_expense_fen: int, total_cost_fen: int,
              major_incident: bool = False) -> ev.Facts:
    """Facts for a declaration: the declared figures plus what the registry knows."""
    ip_counts = dict(
        enterprise.ip_rights.filter(status=m.IpStatus.VALID).values_list("kind").annotate(n=Count("id"))
    )
    return ev.Facts(
        evaluation_year=year, on_date=on, staff_total=staff_total, tech_staff=tech_staff, sales_fen=sales_fen,
        total_assets_fen=total_assets_fen, rd_expense_fen=rd_expense_fen, total_cost_fen=total_cost_fen,
        ip_counts=ip_counts,
        mainland_resident=enterprise.region not in (Region.HONG_KONG, Region.MACAO),
        industry_restricted=enterprise.industry_restricted,
        major_incident=major_incident or enterprise.major_incident,
        on_abnormal_list=_active(enterprise.abnormal_entries.all(), on).exists(),
        on_serious_dishonest_list=_active(enterprise.dishonest_entries.all(), on).exists(),
        qualifications=[ev.Qualification(q.kind, q.valid_from, q.valid_to) for q in enterprise.qualifications.all()],
        awards=[ev.Award(a.level, a.rank, a.year) for a in enterprise.awards.all()],
        rd_institution_levels=list(enterprise.rd_institutions.values_list("level", flat=True)),
        standards=[ev.Standard(s.level, s.year, s.led) for s in enterprise.standards.all()],
    )


def batch_rows(year: int, on: date, rules: ev.Rules) -> tuple[list[int], list[ev.BatchRow]]:
    """Evaluation rows for every enterprise with indicators for year-1 (registry data only)."""
    ids, rows = [], []
    indicators = {
        i["enterprise_id"]: i
        for i in m.YearlyIndicator.objects.filter(year=year - 1).values(
            "enterprise_id", "staff_total", "tech_staff", "sales_fen", "total_assets_fen", "rd_expense_fen",
            "total_cost_fen")
    }
    one_kinds, two_kinds = sorted(rules.class_one_kinds), sorted(rules.class_two_kinds)
    ip = defaultdict(lambda: [0, 0])
    for row in (m.IntellectualProperty.objects.filter(status=m.IpStatus.VALID, kind__in=one_kinds + two_kinds)
                .values("enterprise_id", "kind").annotate(n=Count("id"))):
        ip[row["enterprise_id"]][0 if row["kind"] in rules.class_one_kinds else 1] += row["n"]
    blocked = set(_active(m.AbnormalOperationEntry.objects.all(), on).values_list("enterprise_id", flat=True))
    blocked |= set(_active(m.DishonestDebtorEntry.objects.all(), on).values_list("enterprise_id", flat=True))
    blocked |= set(m.Enterprise.objects.filter(Q(industry_restricted=True) | Q(major_incident=True)
                                               | Q(region__in=[Region.HONG_KONG, Region.MACAO]))
                   .values_list("id", flat=True))
    window = year - rules.recent_years
    routes = set(m.Qualification.objects.filter(kind="high_tech", valid_from__lte=on, valid_to__gte=on)
                 .values_list("enterprise_id", flat=True))
    routes |= set(m.Award.objects.filter(level="national", rank__gte=1, rank__lte=rules.national_award_max_rank,
                                         year__gt=window, year__lte=year).values_list("enterprise_id", flat=True))
    routes |= set(m.RdInstitution.objects.filter(level__in=sorted(rules.rd_institution_levels))
                  .values_list("enterprise_id", flat=True))
    routes |= set(m.StandardRecord.objects.filter(led=True, level__in=sorted(rules.standard_levels), year__gt=window,
                                                  year__lte=year).values_list("enterprise_id", flat=True))
    for eid, i in indicators.items():
        one, two = ip.get(eid, (0, 0))
        ids.append(eid)
        # A missing staff, sales or assets figure stays None: the evaluation fails it as missing
        # (evaluation.missing_figures) instead of reading it as 0, which is within every limit.
        rows.append(ev.BatchRow(i["staff_total"], i["tech_staff"] or 0, i["sales_fen"],
                                i["total_assets_fen"], i["rd_expense_fen"] or 0, i["total_cost_fen"] or 0,
                                one, two, eid not in blocked, eid in routes))
    return ids, rows


def index_inputs(year: int, rules: IndexRules, enterprise_ids: list[int] | None = None,
                 on: date | None = None) -> dict[int, IndexInputs]:
    """Index inputs for every enterprise (or the given ones) using indicators of `year` and
    `year - 1` (growth)."""
    on = on or date(year, 12, 31)
    enterprises = m.Enterprise.objects.all()
    if enterprise_ids is not None:
        enterprises = enterprises.filter(pk__in=enterprise_ids)
    ids = list(enterprises.values_list("id", flat=True))
    scope = {} if enterprise_ids is None else {"enterprise_id__in": ids}

    ind = {(r["enterprise_id"], r["year"]): r for r in m.YearlyIndicator.objects.filter(
        year__in=[year, year - 1], **scope).values("enterprise_id", "year", "staff_total", "tech_staff",
                                                    "sales_fen", "rd_expense_fen")}
    inventions = dict(m.IntellectualProperty.objects.filter(kind="invention_patent", status=m.IpStatus.VALID, **scope)
                      .values_list("enterprise_id").annotate(n=Count("id")))
    other = dict(m.IntellectualProperty.objects.filter(status=m.IpStatus.VALID, **scope)
                 .exclude(kind="invention_patent").values_list("enterprise_id").annotate(n=Count("id")))
    patent_stats = {r["enterprise_id"]: r for r in m.IntellectualProperty.objects.filter(
        kind__in=PATENT_KINDS, **scope).exclude(status=m.IpStatus.INVALIDATED).values("enterprise_id").annotate(
        cites=Sum("citations"), fam=Sum("family_size"), n=Count("id"))}
    ipc: dict[int, set[str]] = defaultdict(set)
    for eid, codes in m.IntellectualProperty.objects.filter(kind__in=PATENT_KINDS, **scope).exclude(
            ipc="").values_list("enterprise_id", "ipc"):
        ipc[eid] |= ipc_subclasses(codes)
    awards: dict[int, float] = defaultdict(float)
    for eid, level in m.Award.objects.filter(year__gt=year - 5, year__lte=year, **scope).values_list(
            "enterprise_id", "level"):
        awards[eid] = max(awards[eid], rules.award_level_values.get(level, 0.0))
    quals: dict[int, float] = defaultdict(float)
    for eid, kind in m.Qualification.objects.filter(valid_from__lte=on, valid_to__gte=on, **scope).values_list(
            "enterprise_id", "kind").distinct():
        quals[eid] = min(1.0, quals[eid] + rules.qualification_values.get(kind, 0.0))
    standards: dict[int, float] = defaultdict(float)
    for eid, level in m.StandardRecord.objects.filter(led=True, **scope).values_list("enterprise_id", "level"):
        standards[eid] = max(standards[eid], rules.standard_level_values.get(level, 0.0))

    out = {}
    for eid in ids:
        cur, prev = ind.get((eid, year)), ind.get((eid, year - 1))
        rd_intensity = rd_growth = share = None
        if cur:
            if cur["sales_fen"] and cur["rd_expense_fen"] is not None:
                rd_intensity = 100.0 * cur["rd_expense_fen"] / cur["sales_fen"]
            if cur["staff_total"] and cur["tech_staff"] is not None:
                share = 100.0 * cur["tech_staff"] / cur["staff_total"]
            if prev and prev["rd_expense_fen"] and cur["rd_expense_fen"] is not None:
                rd_growth = 100.0 * (cur["rd_expense_fen"] - prev["rd_expense_fen"]) / prev["rd_expense_fen"]
        stats = patent_stats.get(eid)
        out[eid] = IndexInputs(
            invention_patents=inventions.get(eid, 0), citations=(stats or {}).get("cites") or 0,
            family_size=(stats["fam"] / stats["n"]) if stats and stats["n"] else 0.0,
            ipc_breadth=len(ipc.get(eid, ())), other_ip=other.get(eid, 0), rd_intensity=rd_intensity,
            rd_growth=rd_growth, tech_staff_share=share, awards=awards.get(eid, 0.0),
            qualifications=quals.get(eid, 0.0), standards=standards.get(eid, 0.0),
        )
    return out
