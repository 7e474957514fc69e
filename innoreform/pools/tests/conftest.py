from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from innoreform.core.credit_code import make as make_credit_code
from innoreform.core.models import Jurisdiction, OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.testing import make_actor, make_org, make_user
from innoreform.financing import services as financing
from innoreform.pools import services
from innoreform.registry import models as rm

_codes = iter(range(1, 10**6))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class World:
    """A province department (reviewer, approver), Guangzhou's finance bureau, a bank, a guarantor
    and a borrower; helpers to build defaulted loans."""

    def __init__(self):
        self.province = make_org(kind=OrgKind.DEPARTMENT, region=Region.GUANGZHOU, jurisdiction=Jurisdiction.PROVINCE,
                                 line="science")
        self.reviewer = make_actor(org=self.province, role=Role.REVIEWER)
        self.approver = make_actor(org=self.province, role=Role.APPROVER)
        self.city_org = make_org(kind=OrgKind.DEPARTMENT, region=Region.GUANGZHOU, jurisdiction=Jurisdiction.CITY,
                                 line="finance")
        self.city = make_actor(org=self.city_org, role=Role.APPROVER)
        self.bank = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR, region=Region.GUANGZHOU)
        self.guarantor = make_actor(kind=OrgKind.GUARANTOR, role=Role.ADMINISTRATOR, region=Region.GUANGZHOU)
        self.today = timezone.localdate()

    def pools(self, *, province_fen=0, city_fen=0):
        inst = [self.bank.organisation_id, self.guarantor.organisation_id]
        if hasattr(self, "investor"):
            inst.append(self.investor.organisation_id)
        self.province_pool = services.pool_create(actor=self.reviewer, name="省级风险补偿资金池", level="province",
                                                  institution_ids=inst)
        self.city_pool = services.pool_create(actor=self.city, name="广州市风险补偿资金池", level="city",
                                              region=Region.GUANGZHOU, institution_ids=inst)
        if province_fen:
            self.contribute(self.province_pool, province_fen)
        if city_fen:
            self.contribute(self.city_pool, city_fen)
        return self.province_pool, self.city_pool

    def contribute(self, pool, amount_fen):
        actor = self.reviewer if pool.level == "province" else self.city
        return services.contribution_record(actor=actor, pool_id=pool.pk, amount_fen=amount_fen,
                                            received_on=self.today)

    def borrower(self):
        n = next(_codes)
        return make_org(kind=OrgKind.ENTERPRISE, region=Region.GUANGZHOU,
                        credit_code=make_credit_code("91", "440100", f"PL{n:06d}"))

    def loan(self, *, principal_fen=400_000_000, kind="ip_pledge", borrower=None, default=True, relending=False):
        borrower = borrower or self.borrower()
        n = next(_codes)
        start = self.today - timedelta(days=30)
        loan = financing.loan_contract(actor=self.bank, contract_no=f"PL-{n}", contract_on=start,
                                   borrower_credit_code=borrower.credit_code, principal_fen=principal_fen,
                                   annual_rate="0.04", term_months=12, kind=kind, central_bank_relending=relending)
        if kind == "ip_pledge":
            self.pledge(loan, borrower)
        financing.loan_disburse(actor=self.bank, loan_id=loan.pk, disbursed_on=start)
        if default:
            financing.loan_default_declare(actor=self.bank, loan_id=loan.pk, on=start, reason="借款人停止经营")
        loan.refresh_from_db()
        return loan

    def pledge(self, loan, borrower):
        e = self.pledge_registry(borrower)
        number = f"ZL2023{loan.pk:07d}.0"
        rm.IntellectualProperty.objects.create(enterprise=e, kind="invention_patent", number=number,
                                               title=f"专利 {number}", status="valid")
        financing.ip_pledge(actor=self.bank, loan_id=loan.pk, pledges=[{"number": number,
                                                                       "appraised_value_fen": loan.principal_fen}])

    def investor_stake(self, *, amount_fen=500_000_000, default=True):
        """An investor's stake in a firm, linked to the bank's investment-linked loan to that firm."""
        if not hasattr(self, "investor"):
            self.investor = make_actor(kind=OrgKind.INVESTOR, role=Role.ADMINISTRATOR, region=Region.GUANGZHOU)
        firm = self.borrower()
        self.pledge_registry(firm)
        stake = financing.stake_record(actor=self.investor, credit_code=firm.credit_code, amount_fen=amount_fen,
                                     share_percent="10", invested_on=self.today - timedelta(days=60),
                                     partner_bank_id=self.bank.organisation_id)
        loan = self.loan(principal_fen=200_000_000, kind="investment_linked", borrower=firm, default=False)
        financing.loan_link_stake(actor=self.bank, loan_id=loan.pk, stake_id=stake.pk)
        if default:
            financing.loan_default_declare(actor=self.bank, loan_id=loan.pk, on=loan.disbursed_on,
                                           reason="借款人停止经营")
        stake.refresh_from_db()
        return stake

    def pledge_registry(self, borrower):
        return rm.Enterprise.objects.filter(credit_code=borrower.credit_code).first() or rm.Enterprise.objects.create(
            credit_code=borrower.credit_code, name=borrower.name, organisation=borrower, region=borrower.region,
            industry_code="C40", registered_on=date(2018, 5, 1))

    def approve(self, claim):
        services.claim_review(actor=self.reviewer, claim_id=claim.pk, recommend=True, note="材料齐全")
        return services.claim_decide(actor=self.approver, claim_id=claim.pk, approve=True, note="同意")


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def other_user():
    return make_user()
