"""Object-level authorization across institutions and enterprises: another tenant's ids are 404
on every object route, through services, selectors and both APIs; role-level refusals are 403."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from innoreform.core.errors import NotFound, PermissionDenied
from innoreform.core.models import Jurisdiction, OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.testing import make_actor, make_org
from innoreform.financing import selectors, services
from innoreform.financing.services import loans
from innoreform.registry import services as registry_services

from .conftest import api_client, make_need, make_product

pytestmark = pytest.mark.django_db
BANK = "/api/bank/v1/financing"


@pytest.fixture
def world(sme, bank, other_bank):
    product = make_product(bank)
    need = make_need(sme)
    version, _ = registry_services.consent_notice()
    application = services.application_submit(actor=sme, need_id=need.pk, product_id=product.pk, categories=["basic"],
                                              valid_until=timezone.localdate() + timedelta(days=30),
                                              notice_version=version)
    loan = loans.loan_contract(actor=bank, borrower_credit_code=sme.organisation.credit_code, contract_no="A-1",
                               contract_on=timezone.localdate(), principal_fen=1_000_000, annual_rate="0.04",
                               term_months=12)
    return {"product": product, "need": need, "application": application, "loan": loan}


def test_other_bank_gets_404_everywhere(world, other_bank):
    client = api_client(other_bank)
    a, loan, product = world["application"], world["loan"], world["product"]
    for url in (f"{BANK}/applications/{a.pk}", f"{BANK}/applications/{a.pk}/data", f"{BANK}/loans/{loan.pk}",
                f"{BANK}/products/{product.pk}/matching-needs"):
        assert client.get(url).status_code == 404, url
    for i, (url, body) in enumerate((
            (f"{BANK}/applications/{a.pk}/accept", {}),
            (f"{BANK}/applications/{a.pk}/decide", {"approve": False, "reason": "no"}),
            (f"{BANK}/loans/{loan.pk}/disburse", {"disbursed_on": timezone.localdate().isoformat()}),
            (f"{BANK}/loans/{loan.pk}/repayments", {"amount_fen": 1, "paid_on": timezone.localdate().isoformat()}),
            (f"{BANK}/loans/{loan.pk}/default", {"on": timezone.localdate().isoformat(), "reason": "x"}),
            (f"{BANK}/products/{product.pk}/withdraw", {}))):
        r = client.post(url, body, content_type="application/json", headers={"Idempotency-Key": f"x{i}"})
        assert r.status_code == 404, (url, r.content)
    assert client.get(f"{BANK}/loans").json() == []
    assert client.get(f"{BANK}/applications").json() == []


def test_other_enterprise_and_departments(world, sme):
    stranger = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR, region=Region.FOSHAN)
    with pytest.raises(NotFound):
        selectors.need_get(actor=stranger, need_id=world["need"].pk)
    with pytest.raises(NotFound):
        selectors.match_need(actor=stranger, need_id=world["need"].pk)
    with pytest.raises(NotFound):
        selectors.loan_get(actor=stranger, loan_id=world["loan"].pk)
    with pytest.raises(NotFound):
        services.application_withdraw(actor=stranger, application_id=world["application"].pk)
    assert selectors.loan_get(actor=sme, loan_id=world["loan"].pk)  # the borrower sees its loan
    foshan = make_org(kind=OrgKind.DEPARTMENT, region=Region.FOSHAN, jurisdiction=Jurisdiction.CITY, line="science")
    city = make_actor(org=foshan, role=Role.REVIEWER)
    assert not selectors.loan_list(actor=city).exists()  # a Foshan department does not see Dongguan loans
    province = make_org(kind=OrgKind.DEPARTMENT, region=Region.GUANGZHOU, jurisdiction=Jurisdiction.PROVINCE)
    assert selectors.loan_list(actor=make_actor(org=province)).count() == 1
    with pytest.raises(PermissionDenied):  # enterprises cannot publish products
        make_product(sme)


def test_institutions_cannot_see_match_explanations(world, bank):
    with pytest.raises(NotFound):
        selectors.match_need(actor=bank, need_id=world["need"].pk)
    rows = selectors.product_matching_needs(actor=bank, product_id=world["product"].pk)
    assert [r["need"].pk for r in rows] == [world["need"].pk]


def test_portal_api_scoping(world, sme):
    client = Client()
    client.force_login(sme.user)
    assert client.get(f"/api/v1/financing/needs/{world['need'].pk}/matches").status_code == 200
    stranger = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR)
    other = Client()
    other.force_login(stranger.user)
    assert other.get(f"/api/v1/financing/needs/{world['need'].pk}/matches").status_code == 404
    assert other.get(f"/api/v1/financing/loans/{world['loan'].pk}").status_code == 404
