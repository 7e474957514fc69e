"""T03 ledger_state_machine: random contribute / transfer / approve / pay / reverse / replay steps.

After every step: each transaction sums to zero, cached balances equal the sum of postings, no
guarded account is negative, and the database equals a simple in-memory model (the oracle)."""

import itertools

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from innoreform.books import services
from innoreform.books.models import Account, AccountPurpose, Posting, Transaction
from innoreform.books.reconciliation import reconcile
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict
from innoreform.core.models import OrgKind
from innoreform.core.testing import make_org

AMOUNTS = st.integers(min_value=1, max_value=200_000)
# Examples come from the hypothesis profile (root conftest): HYPOTHESIS_PROFILE=nightly for more.
_run = itertools.count()


class BooksMachine(RuleBasedStateMachine):
    posted = Bundle("posted")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.actor = Actor.system()
        run = next(_run)
        province = make_org(kind=OrgKind.DEPARTMENT)
        city = make_org(kind=OrgKind.DEPARTMENT)
        banks = [make_org(kind=OrgKind.BANK), make_org(kind=OrgKind.BANK)]
        acc = lambda owner, purpose, key="": services.account_for(  # noqa: E731
            actor=self.actor, owner=owner, purpose=purpose, key=f"sm{run}{key}")
        self.sources = [acc(province, AccountPurpose.FUNDING_SOURCE), acc(city, AccountPurpose.FUNDING_SOURCE)]
        self.pools = [acc(province, AccountPurpose.POOL), acc(city, AccountPurpose.POOL)]
        self.expense = acc(None, AccountPurpose.EXPENSE)
        self.payables = [acc(b, AccountPurpose.INSTITUTION_PAYABLE) for b in banks]
        self.world = acc(None, AccountPurpose.EXTERNAL)
        self.accounts = [*self.sources, *self.pools, self.expense, *self.payables, self.world]
        self.model = {a.pk: 0 for a in self.accounts}
        self.guarded = {a.pk for a in self.accounts if not a.may_go_negative}
        self.sign = {a.pk: a.sign for a in self.accounts}
        self.txns: dict[str, dict[int, int]] = {}
        self.reversed: set[str] = set()
        self.seq = itertools.count()
        self.run = run

    def teardown(self):
        report = reconcile()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        assert report.clean, report.as_dict()

    # --- the oracle ---------------------------------------------------------------------------

    def _apply(self, kind: str, lines: list[tuple[Account, int]], reference: str | None = None):
        reference = reference or f"sm{self.run}:{next(self.seq)}"
        after = dict(self.model)
        for account, amount in lines:
            after[account.pk] += self.sign[account.pk] * amount
        should_fail = any(after[pk] < 0 for pk in self.guarded)
        refused = None
        try:
            services.post_transaction(actor=self.actor, kind=kind, reference=reference, lines=lines)
        except Conflict as exc:
            refused = exc.code
        if refused is not None:
            assert should_fail, f"refused but the model allows it: {refused}"
            assert refused == "insufficient_funds"
            return None
        assert not should_fail, "posted although a guarded account would go negative"
        self.model = after
        self.txns[reference] = {a.pk: amt for a, amt in lines}
        return reference

    # --- rules --------------------------------------------------------------------------------

    @rule(target=posted, i=st.integers(0, 1), amount=AMOUNTS)
    def contribute(self, i, amount):
        return self._apply("contribute", [(self.pools[i], amount), (self.sources[i], -amount)]) or "none"

    @rule(target=posted, i=st.integers(0, 1), amount=AMOUNTS)
    def transfer(self, i, amount):
        return self._apply("transfer", [(self.pools[1 - i], amount), (self.pools[i], -amount)]) or "none"

    @rule(target=posted, j=st.integers(0, 1), amount=AMOUNTS)
    def approve(self, j, amount):
        return self._apply("approve", [(self.expense, amount), (self.payables[j], -amount)]) or "none"

    @rule(target=posted, i=st.integers(0, 1), j=st.integers(0, 1), amount=AMOUNTS)
    def pay(self, i, j, amount):
        # The pool pays what is owed to a bank; the money leaves through the bank settlement.
        return self._apply("pay", [(self.payables[j], amount), (self.pools[i], -amount)]) or "none"

    @rule(target=posted, i=st.integers(0, 1), j=st.integers(0, 1), extra=st.integers(-1, 2))
    def pay_at_the_boundary(self, i, j, extra):
        # Exactly what is left, one fen less, or a little more: where a guard bug would show.
        amount = max(1, min(self.model[self.pools[i].pk], self.model[self.payables[j].pk]) + extra)
        return self._apply("pay", [(self.payables[j], amount), (self.pools[i], -amount)]) or "none"

    @rule(target=posted, i=st.integers(0, 1), extra=st.integers(0, 2))
    def transfer_everything(self, i, extra):
        amount = max(1, self.model[self.pools[i].pk] + extra)
        return self._apply("transfer", [(self.pools[1 - i], amount), (self.pools[i], -amount)]) or "none"

    @rule(amount=AMOUNTS)
    def external_in_out(self, amount):
        # A 3-line transaction: money from outside into a pool and straight into the expense.
        self._apply("mixed", [(self.pools[0], amount), (self.expense, amount), (self.world, -2 * amount)])

    @rule(reference=consumes(posted))
    def reverse(self, reference):
        if reference not in self.txns:
            return
        txn = Transaction.objects.get(reference=reference)
        lines = self.txns[reference]
        after = dict(self.model)
        for pk, amount in lines.items():
            after[pk] -= self.sign[pk] * amount
        should_fail = reference in self.reversed or any(after[pk] < 0 for pk in self.guarded)
        refused = None
        try:
            services.reverse_transaction(actor=self.actor, transaction=txn, reason="test")
        except Conflict as exc:
            refused = exc.code
        if refused is not None:
            assert should_fail, refused
            return
        assert not should_fail
        self.model = after
        self.reversed.add(reference)

    @rule(reference=posted)
    def replay_is_refused(self, reference):
        if reference not in self.txns:
            return
        lines = [(Account.objects.get(pk=pk), amt) for pk, amt in self.txns[reference].items()]
        with pytest.raises(Conflict) as exc:
            services.post_transaction(actor=self.actor, kind="replay", reference=reference, lines=lines)
        assert exc.value.code == "duplicate_reference"

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def database_equals_model(self):
        cached = dict(Account.objects.filter(pk__in=self.model).values_list("id", "balance_fen"))
        assert cached == self.model
        sums = dict(Posting.objects.filter(account_id__in=list(self.model)).values("account_id")
                    .annotate(s=Sum("amount_fen")).values_list("account_id", "s"))
        derived = {pk: self.sign[pk] * (sums.get(pk) or 0) for pk in self.model}
        assert derived == self.model

    @invariant()
    def guarded_accounts_not_negative(self):
        assert all(self.model[pk] >= 0 for pk in self.guarded)

    @invariant()
    def every_transaction_balanced(self):
        assert not (Posting.objects.values("transaction_id").annotate(s=Sum("amount_fen")).exclude(s=0).exists())

    @invariant()
    def the_whole_book_sums_to_zero(self):
        assert (Posting.objects.aggregate(s=Sum("amount_fen"))["s"] or 0) == 0


@pytest.mark.django_db
def test_books_state_machine():
    run_state_machine_as_test(
        BooksMachine,
        # too_slow: every step goes through the database, which a loaded CI machine makes slow.
        settings=settings(stateful_step_count=25, suppress_health_check=[HealthCheck.too_slow]),
    )
