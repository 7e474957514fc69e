"""A hypothesis state machine over issue / use / claim / settle / expire, checked after every step
against a simple single-threaded model: budget balances (available and reserved, province and
city), each voucher's used and paid amounts, and a clean reconciliation."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from innoreform.books.models import Account
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict
from innoreform.core.models import Jurisdiction, OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.testing import make_actor, make_org
from innoreform.vouchers import models as m
from innoreform.vouchers import money, reconcile, services, settlement, use

from .conftest import listed_institution

PROVINCE_FUND = 2_000_000
CITY_FUND = 1_000_000


@dataclass
class VoucherModel:
    pk: int
    face: int
    city_reserved: int
    used: int = 0
    paid: int = 0
    released: int = 0
    active: bool = True


@dataclass
class Model:
    province_available: int = PROVINCE_FUND
    city_available: int = CITY_FUND
    province_reserved: int = 0
    city_reserved: int = 0
    vouchers: list[VoucherModel] = field(default_factory=list)


class VoucherMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self._atomic = transaction.atomic()
        self._atomic._from_testcase = True  # as a TestCase's block: services' durable blocks run inside it
        self._atomic.__enter__()
        dept = make_org(kind=OrgKind.DEPARTMENT, jurisdiction=Jurisdiction.PROVINCE)
        self.reviewer = make_actor(org=dept, role=Role.REVIEWER)
        self.approver = make_actor(org=dept, role=Role.APPROVER)
        year = timezone.localdate().year
        self.province = services.budget_open(actor=self.approver, year=year, level="province")
        self.city = services.budget_open(actor=self.approver, year=year, level="city", city=Region.FOSHAN)
        services.budget_appropriate(actor=self.approver, budget=self.province, amount_fen=PROVINCE_FUND)
        services.budget_appropriate(actor=self.approver, budget=self.city, amount_fen=CITY_FUND)
        self.inst_actor, self.service = listed_institution(self.reviewer, price_fen=100_000)
        self.model = Model()
        self.uses: list[int] = []  # redemption ids not yet claimed

    def teardown(self):
        if hasattr(self, "_atomic"):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    @rule(requested=st.integers(min_value=1, max_value=700_000))
    def issue(self, requested):
        enterprise = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR, region=Region.FOSHAN)
        application = services.application_submit(actor=enterprise, requested_fen=requested, purpose="p")
        face = min(requested, 50_000_000)
        city = money.share_of(face, services.scheme()[1].city_share)
        try:
            services.application_decide(actor=self.reviewer, application_id=application.pk, approve=True)
        except Conflict as exc:
            assert exc.code == "insufficient_funds"  # noqa: PT017 - a model check, not a test of raising
            assert face - city > self.model.province_available or city > self.model.city_available
            return
        voucher = m.Voucher.objects.get(application=application)
        assert voucher.face_fen == face
        self.enterprises = getattr(self, "enterprises", {})
        self.enterprises[voucher.pk] = enterprise
        self.model.vouchers.append(VoucherModel(pk=voucher.pk, face=face, city_reserved=city))
        self.model.province_available -= face - city
        self.model.city_available -= city
        self.model.province_reserved += face - city
        self.model.city_reserved += city

    @precondition(lambda self: self.model.vouchers)
    @rule(data=st.data(), fee=st.integers(min_value=2, max_value=900_000))
    def use_voucher(self, data, fee):
        v = data.draw(st.sampled_from(self.model.vouchers))
        share = money.share_of(fee, m.Voucher.objects.get(pk=v.pk).share)
        enterprise = self.enterprises[v.pk]
        try:
            order = use.order_create(actor=enterprise, voucher_id=v.pk, service_id=self.service.pk, fee_fen=fee)
            redemption = use.deduct(actor=self.inst_actor, order_id=order.pk)
        except Conflict:
            assert not v.active or v.used + share > v.face
            return
        assert v.active and v.used + share <= v.face
        v.used += share
        self.uses.append(redemption.pk)

    @precondition(lambda self: self.uses)
    @rule(data=st.data())
    def claim_and_approve(self, data):
        redemption_id = data.draw(st.sampled_from(self.uses))
        self.uses.remove(redemption_id)
        redemption = m.Redemption.objects.get(pk=redemption_id)
        claim = use.claim_submit(actor=self.inst_actor, redemption_id=redemption_id, contract_no="c",
                                 invoice_no=f"INV-SM-{redemption_id}", invoice_amount_fen=redemption.order.fee_fen,
                                 invoice_date=timezone.localdate(), deliverable="d")
        use.claim_review(actor=self.reviewer, claim_id=claim.pk, note="ok", clear_flags=bool(claim.flags))
        use.claim_approve(actor=self.approver, claim_id=claim.pk)

    @rule()
    def settle(self):
        try:
            batch = settlement.batch_build(actor=self.reviewer)
        except Conflict:
            assert not m.Claim.objects.filter(status=m.ClaimStatus.APPROVED).exists()
            return
        settlement.batch_approve(actor=self.approver, batch_id=batch.pk)
        settlement.batch_run(actor=self.reviewer, batch_id=batch.pk)
        for item in batch.items.select_related("claim__redemption"):
            v = next(x for x in self.model.vouchers if x.pk == item.claim.redemption.voucher_id)
            v.paid += item.amount_fen
            self.model.province_reserved -= item.province_fen
            self.model.city_reserved -= item.city_fen

    @precondition(lambda self: any(v.active for v in self.model.vouchers))
    @rule(data=st.data())
    def expire(self, data):
        v = data.draw(st.sampled_from([x for x in self.model.vouchers if x.active]))
        yesterday = timezone.localdate() - timedelta(days=1)
        m.Voucher.objects.filter(pk=v.pk).update(expires_on=yesterday)
        services.vouchers_expire_due(actor=Actor.system())
        release = m.Release.objects.get(voucher_id=v.pk, tag="expiry")
        assert release.amount_fen == v.face - v.used
        v.active, v.released = False, v.face - v.used
        self.model.province_available += release.province_fen
        self.model.city_available += release.city_fen
        self.model.province_reserved -= release.province_fen
        self.model.city_reserved -= release.city_fen

    @invariant()
    def books_match_model(self):
        if not hasattr(self, "model"):
            return
        balances = dict(Account.objects.filter(pk__in=[
            self.province.available_account_id, self.province.reserved_account_id,
            self.city.available_account_id, self.city.reserved_account_id]).values_list("pk", "balance_fen"))
        assert balances[self.province.available_account_id] == self.model.province_available
        assert balances[self.city.available_account_id] == self.model.city_available
        assert balances[self.province.reserved_account_id] == self.model.province_reserved
        assert balances[self.city.reserved_account_id] == self.model.city_reserved
        assert self.model.province_reserved + self.model.city_reserved == sum(
            v.face - v.paid - v.released for v in self.model.vouchers)
        for v in self.model.vouchers:
            row = m.Voucher.objects.get(pk=v.pk)
            assert (row.used_fen, row.paid_fen, row.released_fen) == (v.used, v.paid, v.released)
            assert row.paid_fen <= row.used_fen <= row.face_fen

    @invariant()
    def reconciliation_clean(self):
        if hasattr(self, "model"):
            report = reconcile.reconcile()
            assert report.clean, report.as_dict()["breaks"][:3]


@pytest.mark.django_db
def test_voucher_state_machine(registry):
    # Examples from the profile (root conftest); too_slow: every step and every draw from the
    # machine's bundles goes through the database, which a loaded CI machine makes slow.
    VoucherMachine.TestCase.settings = settings(stateful_step_count=12, suppress_health_check=[HealthCheck.too_slow])
    VoucherMachine.TestCase().runTest()
