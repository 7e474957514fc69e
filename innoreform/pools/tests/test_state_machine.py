"""T03 for the pools: random contribute / disburse / default / claim / invest (an investor's
principal-loss claim on an investment-linked loan) / pay / recover (on a loan) / stake_recover (on an
investor's stake) / reverse.
After every step: each transaction sums to zero, no guarded account (pools included) is negative,
every cached balance equals the sum of its postings, the pools' reconciliation is clean, and the
database equals a simple model (pool balances, which payouts are paid, what flowed back)."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from innoreform.books import reconciliation
from innoreform.books.models import Account, Posting
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict
from innoreform.core.models import OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.testing import make_actor
from innoreform.financing.services import loans
from innoreform.pools import payouts, services
from innoreform.pools.models import PayoutItem, RecoveryShare

from .conftest import World


def half_up(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class PoolsMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.w = World()
        self.w.investor = make_actor(kind=OrgKind.INVESTOR, role=Role.ADMINISTRATOR, region=Region.GUANGZHOU)
        self.w.pools()
        services.loss_ratio_record(actor=self.w.reviewer, institution_id=self.w.bank.organisation_id, ratio="0.01",
                                   as_of=self.w.today)
        self.pools = {"province": self.w.province_pool, "city": self.w.city_pool}
        self.balance = {"province": 0, "city": 0}
        self.queue = {"province": [], "city": []}  # [claim key, amount] in FIFO order
        self.paid = {}  # (claim id, level) -> amount
        self.contributions = []  # [contribution, level, reversed]
        self.loans = []  # [loan, defaulted, recovered, claim]
        self.returned = {}  # claim id -> fen flowed back so far
        self.investor_claims = 0
        self.investments = []

    # --- model helpers ---------------------------------------------------------------------------

    def _drain(self, level):
        q = self.queue[level]
        while q and q[0][1] <= self.balance[level]:
            claim_id, amount = q.pop(0)
            self.balance[level] -= amount
            self.paid[(claim_id, level)] = amount

    def _claim_paid(self, claim_id) -> bool:
        return all(key[0] != claim_id for q in self.queue.values() for key in q)

    # --- rules -------------------------------------------------------------------------------------

    @rule(level=st.sampled_from(["province", "city"]), amount=st.integers(1, 60_000_000))
    def contribute(self, level, amount):
        c = self.w.contribute(self.pools[level], amount)
        self.contributions.append([c, level, False])
        self.balance[level] += amount
        self._drain(level)

    @precondition(lambda self: any(self.queue.values()))
    @rule(level=st.sampled_from(["province", "city"]), extra=st.integers(0, 1_000_000))
    def fund_queue(self, level, extra):
        """A contribution large enough to clear what waits in the pool (so paid claims, and what
        flows back on them, are reached often)."""
        amount = max(sum(a for _c, a in self.queue[level]) - self.balance[level], 0) + extra
        if amount:
            self.contribute(level, amount)

    @precondition(lambda self: len(self.loans) < 6)
    @rule(principal=st.integers(1, 500) .map(lambda k: k * 100_000))
    def disburse(self, principal):
        loan = self.w.loan(principal_fen=principal, kind="standard", default=False)
        self.loans.append([loan, False, 0, None])

    @precondition(lambda self: any(not x[1] for x in self.loans))
    @rule(data=st.data())
    def default(self, data):
        entry = data.draw(st.sampled_from([x for x in self.loans if not x[1]]))
        loans.loan_default_declare(actor=self.w.bank, loan_id=entry[0].pk, on=entry[0].disbursed_on, reason="违约")
        entry[1] = True

    @precondition(lambda self: any(x[1] and x[3] is None and x[2] < x[0].principal_fen for x in self.loans))
    @rule(data=st.data())
    def claim(self, data):
        entry = data.draw(st.sampled_from([x for x in self.loans if x[1] and x[3] is None
                                           and x[2] < x[0].principal_fen]))
        loan = entry[0]
        claim = services.claim_file(actor=self.w.bank, loan_id=loan.pk)
        loss = loan.principal_fen - entry[2]
        total = half_up(Decimal(loss) * Decimal("0.40"))
        province = half_up(Decimal(total) * Decimal("0.5"))
        assert claim.total_fen == total and claim.loss_fen == loss
        claim = self.w.approve(claim)
        entry[3] = claim.pk
        entry.append(entry[2])  # recovered before filing: these do not flow back
        entry.append(loss)
        for level, amount in (("province", province), ("city", total - province)):
            if amount:
                self.queue[level].append([claim.pk, amount])
                self._drain(level)

    @precondition(lambda self: self.investor_claims < 3)
    @rule(invested=st.integers(1, 200).map(lambda k: k * 1_000_000), percent=st.integers(1, 100))
    def invest(self, invested, percent):
        """An investor's stake linked to a defaulted investment-linked loan; the investor claims
        30% of its principal loss (at most 3 M yuan), split province:city 1:1. The bank may claim
        on the same loan, and that loan's recoveries flow back only on the bank's claim."""
        stake = self.w.investor_stake(amount_fen=invested)
        loss = max(1, invested * percent // 100)
        claim = services.investor_claim_file(actor=self.w.investor, stake_id=stake.pk, loss_fen=loss)
        total = min(half_up(Decimal(loss) * Decimal("0.30")), 300_000_000)
        province = half_up(Decimal(total) * Decimal("0.5"))
        assert claim.total_fen == total and claim.mode == "investor_principal"
        claim = self.w.approve(claim)
        self.investor_claims += 1
        self.investments.append([claim.pk, loss, 0])  # [claim, loss, recovered on the stake]
        self.loans.append([stake.loan, True, 0, None])
        for level, amount in (("province", province), ("city", total - province)):
            if amount:
                self.queue[level].append([claim.pk, amount])
                self._drain(level)

    def _flow(self, claim_id, recovered_after, loss):
        """The model of the flow-back: the payers' part of what was recovered after filing,
        cumulative, split by what each layer paid (largest remainder; ties to the earlier item)."""
        paid = [(lvl, self.paid[(claim_id, lvl)]) for lvl in ("province", "city") if (claim_id, lvl) in self.paid]
        total_paid = sum(a for _l, a in paid)
        target = min(total_paid, half_up(Decimal(recovered_after) * total_paid / Decimal(loss)))
        refund = target - self.returned.get(claim_id, 0)
        self.returned[claim_id] = target
        parts = [refund * a // total_paid for _l, a in paid] if total_paid else []
        rems = sorted(((refund * a % total_paid, -i) for i, (_l, a) in enumerate(paid)), reverse=True)
        for _r, neg_i in rems[:refund - sum(parts)]:
            parts[-neg_i] += 1
        for (lvl, _a), part in zip(paid, parts, strict=True):
            self.balance[lvl] += part
            self._drain(lvl)
        return refund

    @rule()
    def pay(self):
        """The job: money passed back pays waiting claims, whose own recoveries then pass back too,
        until nothing more moves."""
        payouts.run_payouts(actor=Actor.system())
        moved = True
        while moved:
            moved = False
            for entry in self.loans:
                claim_id = entry[3]
                if claim_id is not None and self._claim_paid(claim_id):
                    moved |= self._flow(claim_id, entry[2] - entry[4], entry[5]) > 0
            for claim_id, loss, recovered in self.investments:
                if self._claim_paid(claim_id):
                    moved |= self._flow(claim_id, recovered, loss) > 0

    @precondition(lambda self: any(x[2] < x[1] for x in self.investments))
    @rule(data=st.data(), fraction=st.integers(1, 100))
    def stake_recover(self, data, fraction):
        """The investor recovers part of its loss on the stake; on a paid claim it flows back at once."""
        entry = data.draw(st.sampled_from([x for x in self.investments if x[2] < x[1]]))
        amount = max(1, (entry[1] - entry[2]) * fraction // 100)
        services.stake_recovery_record(actor=self.w.investor, claim_id=entry[0], amount_fen=amount,
                                       received_on=self.w.today)
        entry[2] += amount
        if self._claim_paid(entry[0]):
            self._flow(entry[0], entry[2], entry[1])

    @precondition(lambda self: any(x[1] and x[2] < x[0].principal_fen for x in self.loans))
    @rule(data=st.data(), fraction=st.integers(1, 100))
    def recover(self, data, fraction):
        entry = data.draw(st.sampled_from([x for x in self.loans if x[1] and x[2] < x[0].principal_fen]))
        left = entry[0].principal_fen - entry[2]
        amount = max(1, left * fraction // 100)
        loans.recovery_record(actor=self.w.bank, loan_id=entry[0].pk, amount_fen=amount, received_on=self.w.today,
                              source="borrower")
        entry[2] += amount

    @precondition(lambda self: any(not x[2] for x in self.contributions))
    @rule(data=st.data())
    def reverse(self, data):
        entry = data.draw(st.sampled_from([x for x in self.contributions if not x[2]]))
        c, level = entry[0], entry[1]
        if self.balance[level] >= c.amount_fen:
            services.contribution_reverse(actor=self.w.approver if level == "province" else self.w.city,
                                          contribution_id=c.pk, reason="录入错误")
            entry[2] = True
            self.balance[level] -= c.amount_fen
        else:
            with pytest.raises(Conflict):
                services.contribution_reverse(actor=self.w.approver if level == "province" else self.w.city,
                                              contribution_id=c.pk, reason="录入错误")

    # --- invariants ----------------------------------------------------------------------------------

    def _db_balance(self, level) -> int:
        return Account.objects.get(pk=self.pools[level].books_account_id).balance_fen

    @invariant()
    def books_consistent(self):
        assert not Posting.objects.values("transaction_id").annotate(s=Sum("amount_fen")).exclude(s=0).exists()
        for account in Account.objects.all():
            derived = account.sign * (account.postings.aggregate(s=Sum("amount_fen"))["s"] or 0)
            assert derived == account.balance_fen
            assert account.may_go_negative or account.balance_fen >= 0

    @invariant()
    def db_equals_model(self):
        for level in ("province", "city"):
            assert self._db_balance(level) == self.balance[level]
            assert self._db_balance(level) >= 0
            waiting = list(PayoutItem.objects.filter(pool=self.pools[level], status="waiting").order_by("id")
                           .values_list("claim_id", "amount_fen"))
            assert waiting == [tuple(x) for x in self.queue[level]]
        paid = {(c, lvl): a for c, lvl, a in PayoutItem.objects.filter(
            pool__in=self.pools.values(), status="paid").values_list("claim_id", "level", "amount_fen")}
        assert paid == self.paid
        returned = dict(RecoveryShare.objects.filter(payout__pool__in=self.pools.values()).values("claim_id")
                        .annotate(s=Sum("amount_fen")).values_list("claim_id", "s"))
        assert returned == {k: v for k, v in self.returned.items() if v}

    def teardown(self):
        assert reconciliation.reconcile(include_sources=True).clean


def test_pools_state_machine(db):
    # Examples from the profile (root conftest); too_slow: every step goes through the database.
    run_state_machine_as_test(PoolsMachine, settings=settings(
        stateful_step_count=16, suppress_health_check=[HealthCheck.too_slow]))
