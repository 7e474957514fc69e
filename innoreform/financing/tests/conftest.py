from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from innoreform.core.models import Jurisdiction, OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.services import api_key_create
from innoreform.core.testing import make_actor, make_org
from innoreform.financing import services
from innoreform.registry import models as rm


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_catalogue():
    from innoreform.financing import selectors

    selectors.catalog_invalidate()
    yield
    selectors.catalog_invalidate()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def registry_enterprise(org, *, region=Region.DONGGUAN, industry="C40", listed=True, index="72.50",
                        qualifications=("high_tech",), patents=("ZL202310000001.0", "ZL202310000002.9")):
    """A registry record for an enterprise account (test setup writes the rows directly)."""
    e = rm.Enterprise.objects.create(credit_code=org.credit_code, name=org.name, organisation=org, region=region,
                                     industry_code=industry, registered_on=date(2018, 5, 1))
    today = timezone.localdate()
    for n, kind in enumerate(qualifications):
        rm.Qualification.objects.create(enterprise=e, kind=kind, certificate_no=f"GR{org.pk}{n}",
                                        valid_from=today - timedelta(days=100), valid_to=today + timedelta(days=900))
    for number in patents:
        rm.IntellectualProperty.objects.create(enterprise=e, kind="invention_patent", number=number,
                                               title=f"专利 {number}", status="valid")
    if index is not None:
        rm.IndexScore.objects.create(enterprise=e, year=today.year - 1, score=index, percentile_industry=50,
                                     percentile_city=50, policy_version=1)
    if listed:
        user = org.memberships.first().user if org.memberships.exists() else None
        if user is not None:
            rm.Declaration.objects.create(enterprise=e, year=today.year, status="listed", staff_total=50, tech_staff=20,
                                          sales_fen=1, total_assets_fen=1, rd_expense_fen=1, total_cost_fen=1,
                                          policy_version=1, submitted_by=user)
    return e


@pytest.fixture
def sme(db):
    """A Dongguan tech SME (administrator) in the registry: listed, index 72.5, high-tech, 2 patents."""
    actor = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR, region=Region.DONGGUAN)
    registry_enterprise(actor.organisation)
    return actor


def bank_actor(role=Role.ADMINISTRATOR):
    return make_actor(kind=OrgKind.BANK, role=role, region=Region.GUANGZHOU)


@pytest.fixture
def bank(db):
    return bank_actor()


@pytest.fixture
def other_bank(db):
    return bank_actor()


def api_client(actor) -> Client:
    _key, secret = api_key_create(actor=actor, name="loan system")
    return Client(headers={"X-API-Key": secret})


@pytest.fixture
def province(db):
    org = make_org(kind=OrgKind.DEPARTMENT, region=Region.GUANGZHOU, jurisdiction=Jurisdiction.PROVINCE,
                   line="finance")
    return org


@pytest.fixture
def dept_reviewer(province):
    return make_actor(org=province, role=Role.REVIEWER)


@pytest.fixture
def dept_approver(province):
    return make_actor(org=province, role=Role.APPROVER)


RULES = [
    {"field": "region", "op": "in", "value": [Region.DONGGUAN, Region.GUANGZHOU]},
    {"field": "tech_sme", "op": "is_true", "value": None},
    {"field": "innovation_index", "op": "gte", "value": 60},
]


def make_product(actor, **kw):
    data = {"kind": "loan", "name": "科技贷", "min_amount_fen": 100_000_00, "max_amount_fen": 5_000_000_00,
            "min_term_months": 6, "max_term_months": 36, "min_rate": "0.0345", "max_rate": "0.0500", "rules": RULES}
    data.update(kw)
    return services.product_create(actor=actor, **data)


def make_need(actor, **kw):
    data = {"amount_fen": 1_000_000_00, "term_months": 12, "purpose": "working_capital", "collateral": ["ip"],
            "preferred_kinds": []}
    data.update(kw)
    return services.need_publish(actor=actor, **data)
