"""The annual cycle: self-declaration, maker-checker review, public list with registration
numbers, on-site checks, revocation, bans and the update deadline."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from innoreform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innoreform.core.models import AuditEvent, Jurisdiction, OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.testing import make_actor, make_org
from innoreform.registry import models as m
from innoreform.registry import services
from innoreform.registry.demo_data import E1, E2, E3, E4
from innoreform.registry.policies import CYCLE_DEFAULTS, TechSmeCycleRules

from .conftest import enterprise_actor

pytestmark = pytest.mark.django_db
ON = date(2025, 3, 1)
YUAN = 100


def declare(actor, **overrides):
    figures = dict(staff_total=120, tech_staff=40, sales_fen=30_000_000 * YUAN, total_assets_fen=45_000_000 * YUAN,
                   rd_expense_fen=1_950_000 * YUAN, total_cost_fen=26_000_000 * YUAN)
    figures.update(overrides)
    return services.declaration_submit(actor=actor, year=2025, on=ON, **figures)


def test_declaration_is_evaluated_and_explained(demo_registry):
    decl = declare(enterprise_actor(E1))
    assert (decl.passed, decl.score, decl.route) == (True, 88, "")
    keys = [line["key"] for line in decl.evaluation["lines"]]
    assert keys[:8] == ["mainland_resident", "staff_limit", "sales_limit", "assets_limit", "industry_allowed",
                        "no_major_incident", "not_abnormal_operation", "not_seriously_dishonest"]
    results = next(line for line in decl.evaluation["lines"] if line["key"] == "results")
    assert results["params"] == {"class_one": 0, "class_two": 3} and results["points"] == 18
    assert decl.policy_version == 1
    assert AuditEvent.objects.filter(action="registry.declaration_submitted", object_id=str(decl.pk)).exists()


def test_direct_route_and_failures_from_registry_data(demo_registry):
    e2 = declare(enterprise_actor(E2), staff_total=260, tech_staff=0, sales_fen=80_000_000 * YUAN,
                 total_assets_fen=120_000_000 * YUAN, rd_expense_fen=0, total_cost_fen=70_000_000 * YUAN)
    assert (e2.passed, e2.route) == (True, "route_high_tech")
    e3 = declare(enterprise_actor(E3))
    assert not e3.passed
    assert "not_abnormal_operation" in e3.evaluation["failed_conditions"]
    e4 = declare(enterprise_actor(E4), staff_total=60, tech_staff=4)
    assert not e4.passed and "score_condition" in e4.evaluation["failed_conditions"]


def test_declaration_input_checks(demo_registry):
    actor = enterprise_actor(E1)
    with pytest.raises(ValidationFailed) as exc:
        declare(actor, tech_staff=121)
    assert "tech_staff" in exc.value.details
    with pytest.raises(ValidationFailed):
        declare(actor, rd_expense_fen=10**12)
    with pytest.raises(ValidationFailed):
        declare(actor, staff_total=-1)
    declare(actor)
    with pytest.raises(Conflict):
        declare(actor)  # one active declaration per year


def test_maker_checker_and_listing(demo_registry, reviewer, approver):
    decl = declare(enterprise_actor(E1))
    with pytest.raises(Conflict):
        services.declaration_decide(actor=approver, declaration_id=decl.pk, approve=True)  # skipped review
    with pytest.raises(PermissionDenied):
        services.declaration_review(actor=make_actor(org=reviewer.organisation, role=Role.MEMBER),
                                    declaration_id=decl.pk, recommend="approve")
    services.declaration_review(actor=approver, declaration_id=decl.pk, recommend="approve")
    with pytest.raises(PermissionDenied) as exc:
        services.declaration_decide(actor=approver, declaration_id=decl.pk, approve=True)  # own review
    assert exc.value.code == "maker_checker"
    other = make_actor(org=approver.organisation, role=Role.APPROVER)
    decl = services.declaration_decide(actor=other, declaration_id=decl.pk, approve=True)
    assert decl.status == "approved"
    batch = services.batch_publish(actor=other, year=2025, region=Region.GUANGZHOU)
    decl.refresh_from_db()
    assert decl.status == "listed"
    assert decl.registration_number == "2025440100" + "01" + "00001"
    assert batch.size == 1 and batch.sample_size == 1  # ceil(5% of 1)
    assert decl.sampled and decl.onsite_check_required


def test_failing_evaluation_cannot_be_approved(demo_registry, reviewer):
    decl = declare(enterprise_actor(E4), staff_total=60, tech_staff=4)
    with pytest.raises(Conflict):
        services.declaration_review(actor=reviewer, declaration_id=decl.pk, recommend="approve")
    with pytest.raises(ValidationFailed):
        services.declaration_review(actor=reviewer, declaration_id=decl.pk, recommend="reject")  # no reason
    services.declaration_review(actor=reviewer, declaration_id=decl.pk, recommend="reject", note="score 30")


def _approved(n, reviewer, approver):
    """n approved Guangzhou declarations built directly (the batch logic is what is tested)."""
    from innoreform.core.credit_code import make

    out = []
    for i in range(n):
        e = m.Enterprise.objects.create(credit_code=make("91", "440106", f"MA5B{i:04d}"), name=f"E{i}",
                                        region=Region.GUANGZHOU)
        out.append(m.Declaration.objects.create(
            enterprise=e, year=2025, status="approved", staff_total=10, tech_staff=5, sales_fen=1, total_assets_fen=1,
            rd_expense_fen=1, total_cost_fen=1, passed=True, score=70, policy_version=1,
            submitted_by=reviewer.user, reviewed_by=reviewer.user, risk_flags=["young_enterprise"] if i == 0 else []))
    return out


@pytest.mark.parametrize(("n", "sample"), [(20, 1), (21, 2), (40, 2), (41, 3)])
def test_random_sample_is_at_least_five_percent(reviewer, approver, n, sample):
    _approved(n, reviewer, approver)
    batch = services.batch_publish(actor=approver, year=2025, region=Region.GUANGZHOU)
    assert batch.sample_size == sample
    assert m.Declaration.objects.filter(batch=batch, sampled=True).count() == sample
    numbers = list(m.Declaration.objects.filter(batch=batch).values_list("registration_number", flat=True))
    assert len(set(numbers)) == n
    flagged = m.Declaration.objects.get(batch=batch, enterprise__name="E0")
    assert flagged.onsite_check_required  # a risk case is always checked


def test_risk_cases_are_flagged(demo_registry):
    # declares 200 staff while social security shows 118 insured: mismatch; sales far from tax data
    decl = declare(enterprise_actor(E1), staff_total=200, sales_fen=60_000_000 * YUAN)
    assert "staff_mismatch" in decl.risk_flags
    assert "tax_mismatch" in decl.risk_flags


def test_revocation_blocks_reentry_the_same_year(demo_registry, reviewer, approver):
    actor = enterprise_actor(E1)
    decl = declare(actor)
    services.declaration_review(actor=reviewer, declaration_id=decl.pk, recommend="approve")
    services.declaration_decide(actor=approver, declaration_id=decl.pk, approve=True)
    with pytest.raises(ValidationFailed):
        services.declaration_revoke(actor=approver, declaration_id=decl.pk, reason=" ")
    services.declaration_revoke(actor=approver, declaration_id=decl.pk, reason="data did not match tax records")
    with pytest.raises(Conflict) as exc:
        declare(actor)
    assert exc.value.code == "revoked_this_year"


@pytest.mark.parametrize(("year", "blocked"), [(2025, "falsification_ban"), (2028, "falsification_ban"),
                                               (2029, None)])
def test_falsification_bars_three_years(demo_registry, year, blocked):
    e1 = m.Enterprise.objects.get(credit_code=E1)
    m.Declaration.objects.create(
        enterprise=e1, year=2025, status="revoked", staff_total=1, tech_staff=0, sales_fen=0, total_assets_fen=0,
        rd_expense_fen=0, total_cost_fen=0, policy_version=1, submitted_by=demo_registry.user, falsification=True,
        revoked_at=timezone.make_aware(datetime(2025, 6, 1)))
    rules = TechSmeCycleRules(**CYCLE_DEFAULTS)
    assert services.entry_block(e1, year, rules) == blocked


def test_listing_lapses_when_not_updated_by_31_march(demo_registry, approver):
    e1 = m.Enterprise.objects.get(credit_code=E1)
    listed = m.Declaration.objects.create(
        enterprise=e1, year=2024, status="listed", staff_total=1, tech_staff=0, sales_fen=0, total_assets_fen=0,
        rd_expense_fen=0, total_cost_fen=0, policy_version=1, submitted_by=approver.user,
        registration_number="20244401000100001")
    assert services.listings_lapse_overdue(actor=approver, on=date(2025, 3, 31)) == 0  # deadline day itself
    assert services.listings_lapse_overdue(actor=approver, on=date(2025, 4, 1)) == 1
    listed.refresh_from_db()
    assert listed.status == "lapsed"


def test_city_department_sees_only_its_city(demo_registry):
    decl = declare(enterprise_actor(E1))  # Guangzhou
    shenzhen = make_org(kind=OrgKind.DEPARTMENT, region=Region.SHENZHEN, jurisdiction=Jurisdiction.CITY,
                        line="science")
    with pytest.raises(NotFound):
        services.declaration_review(actor=make_actor(org=shenzhen, role=Role.REVIEWER), declaration_id=decl.pk,
                                    recommend="approve")
