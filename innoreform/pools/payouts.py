"""Paying approved claims from the pools, exactly once, in order; and passing recoveries back.

- Each payout item (one layer of one claim from one pool) is paid in its own transaction: lock the
  item, skip it if paid, post the books transaction (reference "pools:payout:<item>", unique), mark
  it paid, write the ledger entry and the audit row; commit. A crash before the commit leaves
  nothing; after it, the item is paid and a rerun skips it. The books refuse to overdraw a pool
  (the pool account is locked while its balance is checked), so concurrent runners cannot
  overdraw it either.
- FIFO per pool: an item waits while an earlier item of the same pool waits. An item the pool
  cannot fund waits, and so do the later ones, until a contribution arrives (the contribution
  service calls pay_pool) or the job runs again.
- Recoveries received after filing (on the loan for bank and guarantor claims, on the stake for
  investor claims) flow back once the claim is paid: the payers' part of each
  recovery is cumulative recovered × paid / loss (rounded half up once, never above what was
  paid), split across the layers in proportion to what each paid, in integer fen summing exactly.

Crash points for tests: POOLS_CRASH_AT=<name in CRASH_POINTS> raises SimulatedCrash there;
POOLS_CRASH_MODE=kill makes the process SIGKILL itself instead.
"""

import os
import signal
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict

from . import facts, money
from .arith import pro_rata, round_fen
from .models import Claim, ClaimStatus, Mode, PayoutItem, RecoveryProcessed, RecoveryShare, StakeRecovery

CRASH_ENV = "POOLS_CRASH_AT"
CRASH_MODE_ENV = "POOLS_CRASH_MODE"
CRASH_POINTS = ("pay_before_posting", "pay_after_posting", "pay_after_commit", "flow_back_after_posting",
                "flow_back_after_commit")


class SimulatedCrash(BaseException):
    """Raised at a crash point (a BaseException, so no `except Exception` swallows it)."""


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        if os.environ.get(CRASH_MODE_ENV) == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise SimulatedCrash(name)


PAID, WAITING, SKIPPED = "paid", "waiting", "skipped"


def pay_item(*, actor: Actor, item_id: int) -> str:
    """Pay one item if it is next in its pool's queue and the pool can fund it."""
    with transaction.atomic():
        item = PayoutItem.objects.select_for_update().select_related("claim", "pool").get(pk=item_id)
        if item.status == PayoutItem.Status.PAID:
            return SKIPPED
        if PayoutItem.objects.filter(pool_id=item.pool_id, status=PayoutItem.Status.WAITING, id__lt=item.pk).exists():
            return WAITING
        crash_point("pay_before_posting")
        try:
            with transaction.atomic():
                txn = money.post_payout(actor, item)
        except Conflict as exc:
            if exc.code == "insufficient_funds":
                return WAITING
            raise
        reference = txn.reference
        item.status, item.books_reference, item.paid_at = PayoutItem.Status.PAID, reference, timezone.now()
        item.ledger_uid = txn.ledger_uid
        claim = item.claim
        item.save(update_fields=["status", "books_reference", "paid_at", "ledger_uid"])
        audit.record(actor=actor, action="pools.payout_paid", obj=item,
                     changes={"claim": claim.pk, "pool": item.pool_id, "level": item.level,
                              "amount_fen": item.amount_fen, "reference": reference})
        crash_point("pay_after_posting")
        if not PayoutItem.objects.filter(claim_id=claim.pk, status=PayoutItem.Status.WAITING).exists():
            Claim.objects.filter(pk=claim.pk, status=ClaimStatus.APPROVED).update(
                status=ClaimStatus.PAID, paid_at=timezone.now())
            audit.record(actor=actor, action="pools.claim_paid", obj=claim, changes={"total_fen": claim.total_fen})
    return PAID


def pay_pool(*, actor: Actor, pool_id: int) -> int:
    """Pay the pool's waiting items in order until one must wait. Returns how many were paid."""
    paid = 0
    for item_id in PayoutItem.objects.filter(pool_id=pool_id, status=PayoutItem.Status.WAITING).order_by(
            "id").values_list("id", flat=True):
        result = pay_item(actor=actor, item_id=item_id)
        if result == WAITING:
            break
        if result == PAID:
            paid += 1
            crash_point("pay_after_commit")
    return paid


def run_payouts(*, actor: Actor) -> dict:
    """The job: pay every pool's queue, then pass back recoveries of paid claims. Safe to rerun."""
    pools = sorted(set(PayoutItem.objects.filter(status=PayoutItem.Status.WAITING).values_list("pool_id", flat=True)))
    paid = sum(pay_pool(actor=actor, pool_id=p) for p in pools)
    returned = 0
    while True:
        now = sum(flow_back_claim(actor=actor, claim_id=claim_id) for claim_id in
                  Claim.objects.filter(status=ClaimStatus.PAID).order_by("id").values_list("id", flat=True))
        returned += now
        if not now:
            break
        # Money returned to the pools pays what waits in them; a claim paid that way has its own
        # recoveries passed back in the next round (each recovery is shared out once, so this ends).
        for p in sorted(set(PayoutItem.objects.filter(status=PayoutItem.Status.WAITING).values_list("pool_id",
                                                                                                  flat=True))):
            paid += pay_pool(actor=actor, pool_id=p)
    waiting = PayoutItem.objects.filter(status=PayoutItem.Status.WAITING).count()
    return {"paid": paid, "returned_fen": returned, "waiting": waiting}


def _recoveries(claim: Claim) -> list:
    """The recoveries that flow back on this claim, oldest first: the loan's recoveries received
    after filing (bank and guarantor claims), or the investor's recoveries on its stake."""
    if claim.mode == Mode.INVESTOR_PRINCIPAL:
        return list(StakeRecovery.objects.filter(claim_id=claim.pk).order_by("id"))
    return list(facts.recoveries_after(default_id=claim.default_id, after_id=claim.last_recovery_id))


def _source(claim: Claim, rec) -> dict:
    return {"stake_recovery": rec} if claim.mode == Mode.INVESTOR_PRINCIPAL else {"recovery": rec}


def flow_back_claim(*, actor: Actor, claim_id: int) -> int:
    """Share out each new recovery of a paid claim; returns the fen passed back now."""
    claim = Claim.objects.get(pk=claim_id)
    if claim.status != ClaimStatus.PAID:
        return 0
    total = 0
    for rec in _recoveries(claim):
        total += _flow_back_one(actor, claim.pk, rec)
    return total


def _flow_back_one(actor: Actor, claim_id: int, rec) -> int:
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("loan").get(pk=claim_id)
        source = _source(claim, rec)
        if RecoveryProcessed.objects.filter(claim=claim, **source).exists():
            return 0
        items = list(PayoutItem.objects.filter(claim=claim, status=PayoutItem.Status.PAID).order_by("id"))
        paid = sum(i.amount_fen for i in items)
        done = RecoveryProcessed.objects.filter(claim=claim)
        cumulative = sum(r.amount_fen for r in _recoveries(claim) if r.pk <= rec.pk)
        target = min(paid, round_fen(Decimal(cumulative) * paid / Decimal(claim.loss_fen))) if claim.loss_fen else 0
        already = sum(done.values_list("returned_fen", flat=True))
        refund = max(target - already, 0)
        parts = pro_rata(refund, [i.amount_fen for i in items])
        shares = []
        for item, part in zip(items, parts, strict=True):
            if part <= 0:
                continue
            share = RecoveryShare.objects.create(claim=claim, payout=item, amount_fen=part, **source)
            share.books_reference = money.post_flow_back(actor, share).reference
            share.save(update_fields=["books_reference"])
            shares.append([share.pk, item.pool_id, part])
        crash_point("flow_back_after_posting")
        RecoveryProcessed.objects.create(claim=claim, returned_fen=refund, **source)
        audit.record(actor=actor, action="pools.recovery_flowed_back", obj=claim,
                     changes={"recovery": rec.pk, "recovery_fen": rec.amount_fen, "returned_fen": refund,
                              "shares": shares})
    crash_point("flow_back_after_commit")
    return refund
