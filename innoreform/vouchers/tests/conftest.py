import itertools
from dataclasses import replace
from datetime import date

import pytest
from django.utils import timezone

from innoreform.core.actor import Actor
from innoreform.core.models import Jurisdiction, OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.testing import make_actor, make_org
from innoreform.vouchers import models as m
from innoreform.vouchers import registry_adapter, services, settlement, use
from innoreform.vouchers.models import BudgetLevel

_invoice = itertools.count(1)

ELIGIBLE = registry_adapter.EnterpriseFacts(
    registry_id=1, credit_code="", name="", region=Region.FOSHAN, registered_on=date(2018, 1, 1),
    legal_representative="张三", actual_controller_key="", actual_controller_name="", shareholders=frozenset(),
    staff_total=80, sales_fen=30_000_000_00, indicators_year=2025, tech_sme_listed=True,
    tech_sme_registration="2026440600A0001", restricted=False,
)


class FakeRegistry:
    """Stands in for the registry (tests of the registry itself live in that app): facts per
    organisation id, controller groups as sets of organisation ids."""

    def __init__(self):
        self.facts: dict[int, registry_adapter.EnterpriseFacts | None] = {}
        self.groups: list[set[int]] = []

    def enterprise_facts(self, organisation):
        if organisation is None:
            return None
        if organisation.pk in self.facts:
            return self.facts[organisation.pk]
        if organisation.kind != OrgKind.ENTERPRISE:
            return None
        return replace(ELIGIBLE, credit_code=organisation.credit_code or "", name=organisation.name,
                       region=organisation.region)

    def group_organisation_ids(self, organisation):
        for group in self.groups:
            if organisation.pk in group:
                return set(group)
        return {organisation.pk}


@pytest.fixture
def registry(monkeypatch):
    fake = FakeRegistry()
    monkeypatch.setattr(registry_adapter, "enterprise_facts", fake.enterprise_facts)
    monkeypatch.setattr(registry_adapter, "institution_registry_facts", fake.enterprise_facts)
    monkeypatch.setattr(registry_adapter, "group_organisation_ids", fake.group_organisation_ids)
    return fake


@pytest.fixture
def province_dept(db):
    return make_org(kind=OrgKind.DEPARTMENT, region=Region.GUANGZHOU, jurisdiction=Jurisdiction.PROVINCE)


@pytest.fixture
def reviewer(province_dept):
    return make_actor(org=province_dept, role=Role.REVIEWER)


@pytest.fixture
def approver(province_dept):
    return make_actor(org=province_dept, role=Role.APPROVER)


@pytest.fixture
def budgets(approver):
    year = timezone.localdate().year
    province = services.budget_open(actor=approver, year=year, level=BudgetLevel.PROVINCE)
    foshan = services.budget_open(actor=approver, year=year, level=BudgetLevel.CITY, city=Region.FOSHAN)
    services.budget_appropriate(actor=approver, budget=province, amount_fen=10_000_000_00, note="省级")
    services.budget_appropriate(actor=approver, budget=foshan, amount_fen=5_000_000_00, note="佛山")
    return province, foshan


@pytest.fixture
def enterprise(db):
    return make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR, region=Region.FOSHAN)


def listed_institution(reviewer, *, region=Region.HONG_KONG, price_fen=1_000_000, **extra):
    """A listed institution (notice period passed) with one testing service; returns (actor, service)."""
    inst_actor = make_actor(kind=OrgKind.SERVICE_INSTITUTION, role=Role.ADMINISTRATOR, region=region)
    fields = dict(founded_on=date(2015, 3, 1), categories=["testing", "design"], legal_representative="陈大文",
                  address="香港科学园1号", phone="+852 2345 6789",
                  documents=[("licence", "br.pdf", b"%PDF-1.4 business registration")])
    fields.update(extra)
    inst = services.institution_apply(actor=inst_actor, **fields)
    long_ago = timezone.now() - timezone.timedelta(days=30)
    services.institution_review(actor=reviewer, institution_id=inst.pk, approve=True, now=long_ago)
    assert services.institutions_publish_due(actor=Actor.system()) >= 1
    service = services.service_publish(actor=inst_actor, category="testing", name="EMC 测试", price_fen=price_fen)
    return inst_actor, service


@pytest.fixture
def institution(reviewer):
    return listed_institution(reviewer)


def issue_voucher(enterprise, reviewer, requested_fen=50_000_000, **extra):
    application = services.application_submit(actor=enterprise, requested_fen=requested_fen, purpose="产品检测",
                                              **extra)
    assert application.status == m.ApplicationStatus.SUBMITTED, application.eligibility
    services.application_decide(actor=reviewer, application_id=application.pk, approve=True)
    return m.Voucher.objects.get(application=application)


@pytest.fixture
def voucher(enterprise, reviewer, budgets, registry):
    return issue_voucher(enterprise, reviewer)


def use_and_claim(enterprise, inst_actor, service, voucher, *, fee_fen=None, invoice_no=None, **order_extra):
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk, fee_fen=fee_fen,
                             **order_extra)
    redemption = use.deduct(actor=inst_actor, order_id=order.pk)
    claim = use.claim_submit(actor=inst_actor, redemption_id=redemption.pk, contract_no="HT-1",
                             invoice_no=invoice_no or f"INV{next(_invoice):08d}", invoice_amount_fen=order.fee_fen,
                             invoice_date=timezone.localdate(), deliverable="检测报告")
    return claim


def approve_claim(claim, reviewer, approver):
    use.claim_review(actor=reviewer, claim_id=claim.pk, note="ok", clear_flags=bool(claim.flags))
    return use.claim_approve(actor=approver, claim_id=claim.pk)


def settle(reviewer, approver):
    batch = settlement.batch_build(actor=reviewer)
    settlement.batch_approve(actor=approver, batch_id=batch.pk)
    settlement.batch_run(actor=reviewer, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch
