"""Settlement batches on the scheme's cadence, paid exactly once even when a run crashes.

- batch_build: every approved claim not yet in a batch becomes an item (a claim can be in one
  batch only: unique constraint on the item's claim, and on batch+claim).
- batch_approve: another person approves the batch (maker-checker).
- batch_run: pays item by item, each in its own transaction: lock the unpaid item, post the
  payment (reference "vouchers:pay:<claim>", unique in the books), mark item, claim and voucher
  paid. A crash before the commit leaves nothing; after it, the item is paid and a rerun skips it.
  Several runners at once are safe for the same reason (row lock + conditional re-check). There
  is no batch lease to get stuck.
- payment_file_rows: the treasury file (Excel and CSV/JSON), the same rows every time.

Crash points for tests: set VOUCHERS_CRASH_AT to a name in CRASH_POINTS; VOUCHERS_CRASH_MODE=kill
makes the process SIGKILL itself there instead of raising SimulatedCrash; VOUCHERS_CRASH_CHANCE=0.3
crashes at any point with that probability (random crash times).
"""

import os
import random
import signal
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, F, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, PermissionDenied
from innoreform.core.permissions import is_maker_checker_violation

from . import models as m
from . import money
from .permissions import require
from .policies import Cadence, Flow
from .services import budgets_for, scheme

CRASH_ENV = "VOUCHERS_CRASH_AT"
CRASH_MODE_ENV = "VOUCHERS_CRASH_MODE"
CRASH_CHANCE_ENV = "VOUCHERS_CRASH_CHANCE"  # crash at any point with this probability
CRASH_POINTS = ("build_after_items", "pay_before_posting", "pay_after_posting", "pay_after_commit",
                "finish_before")


class SimulatedCrash(BaseException):
    """Raised at a crash point (a BaseException, so no `except Exception` swallows it)."""


def crash_point(name: str) -> None:
    chance = os.environ.get(CRASH_CHANCE_ENV)
    if os.environ.get(CRASH_ENV) == name or (chance and random.random() < float(chance)):
        if os.environ.get(CRASH_MODE_ENV) == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise SimulatedCrash(name)


def period_for(day: date, cadence: str) -> str:
    if cadence == Cadence.MONTHLY:
        return f"{day.year}-{day.month:02d}"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def batch_build(*, actor: Actor, on: date | None = None) -> m.SettlementBatch:
    require(actor, "vouchers.settle")
    today = on or timezone.localdate()
    _version, params = scheme(today)
    try:
        with transaction.atomic():
            claims = list(m.Claim.objects.select_for_update(of=("self",))
                          .filter(status=m.ClaimStatus.APPROVED)
                          .exclude(pk__in=m.BatchItem.objects.values("claim_id"))
                          .select_related("redemption__voucher").order_by("pk"))
            if not claims:
                raise Conflict(_("There are no approved claims to settle."), code="nothing_to_settle")
            batch = m.SettlementBatch.objects.create(period=period_for(today, params.cadence),
                                                     cadence=params.cadence, created_by=actor.user)
            m.BatchItem.objects.bulk_create([
                m.BatchItem(batch=batch, claim=c, payee_id=c.payee_id, amount_fen=c.amount_fen,
                            province_fen=c.province_fen, city_fen=c.city_fen, city=c.redemption.voucher.city)
                for c in claims
            ])
            batch.total_fen = sum(c.amount_fen for c in claims)
            batch.province_fen = sum(c.province_fen for c in claims)
            batch.city_fen = sum(c.city_fen for c in claims)
            batch.save()
            crash_point("build_after_items")
            audit.record(actor=actor, action="vouchers.batch_built", obj=batch,
                         changes={"items": len(claims), "total_fen": batch.total_fen, "period": batch.period})
            return batch
    except IntegrityError as exc:
        raise Conflict(_("Another batch took some of these claims; build again."), code="batch_race") from exc


def batch_approve(*, actor: Actor, batch_id: int) -> m.SettlementBatch:
    require(actor, "vouchers.approve")
    with transaction.atomic():
        batch = m.SettlementBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise NotFound()
        if batch.status != m.BatchStatus.BUILT:
            raise Conflict(_("Only a built batch can be approved."), code="bad_step")
        if actor.user is None or is_maker_checker_violation(submitted_by_id=batch.created_by_id,
                                                            approver_id=actor.user.pk):
            raise PermissionDenied(_("Whoever built the batch cannot approve it."), code="maker_checker")
        batch.status, batch.approved_by, batch.approved_at = m.BatchStatus.APPROVED, actor.user, timezone.now()
        batch.save()
        audit.record(actor=actor, action="vouchers.batch_approved", obj=batch, changes={"total_fen": batch.total_fen})
    return batch


def _pay_item(actor: Actor, item_id: int) -> bool:
    with transaction.atomic():
        item = m.BatchItem.objects.select_for_update().filter(pk=item_id, paid=False).first()
        if item is None:
            return False  # paid by an earlier (crashed) run or a concurrent runner
        crash_point("pay_before_posting")
        claim = m.Claim.objects.select_for_update(of=("self",)).select_related("redemption", "payee").get(
            pk=item.claim_id)
        voucher = m.Voucher.objects.select_for_update().get(pk=claim.redemption.voucher_id)
        if claim.status != m.ClaimStatus.APPROVED:
            raise Conflict(_("Claim #%(id)s is not approved.") % {"id": claim.pk}, code="claim_not_approved")
        province, city = budgets_for(voucher)
        payable = money.payable_account(actor=actor, payee=claim.payee,
                                        institution=claim.redemption.flow == Flow.TONGDUI)
        reference = f"vouchers:pay:{claim.pk}"
        money.post(actor=actor, kind=money.KIND_PAY, reference=reference,
                   lines=money.pay_lines(payable=payable, province=province, city=city,
                                         province_fen=item.province_fen, city_fen=item.city_fen),
                   subject_type=money.SUBJECT_CLAIM, subject_id=claim.pk, correlation=f"vouchers:batch:{item.batch_id}",
                   memo=claim.invoice_no, entry_type="vouchers.claim_paid", subject_organisation=voucher.enterprise_id)
        crash_point("pay_after_posting")
        now = timezone.now()
        m.BatchItem.objects.filter(pk=item.pk).update(paid=True, books_reference=reference, paid_at=now)
        m.Claim.objects.filter(pk=claim.pk).update(status=m.ClaimStatus.PAID, paid_at=now)
        m.Voucher.objects.filter(pk=voucher.pk).update(
            paid_fen=F("paid_fen") + Value(item.amount_fen, output_field=BigIntegerField()))
        audit.record(actor=actor, action="vouchers.claim_paid", obj=claim,
                     changes={"batch": item.batch_id, "amount_fen": item.amount_fen,
                              "province_fen": item.province_fen, "city_fen": item.city_fen})
    return True


def batch_run(*, actor: Actor, batch_id: int, progress=None) -> dict:
    """Pay every unpaid item of an approved batch; safe to rerun after any crash."""
    require(actor, "vouchers.settle")
    batch = m.SettlementBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound()
    if batch.status not in (m.BatchStatus.APPROVED, m.BatchStatus.PAID):
        raise Conflict(_("The batch must be approved before it is paid."), code="not_approved")
    ids = list(batch.items.filter(paid=False).order_by("pk").values_list("pk", flat=True))
    paid = 0
    for n, item_id in enumerate(ids, start=1):
        paid += _pay_item(actor, item_id)
        crash_point("pay_after_commit")
        if progress:
            progress(n, len(ids))
    crash_point("finish_before")
    with transaction.atomic():
        batch = m.SettlementBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != m.BatchStatus.PAID and not batch.items.filter(paid=False).exists():
            batch.status, batch.finished_at = m.BatchStatus.PAID, timezone.now()
            batch.save(update_fields=["status", "finished_at"])
            audit.record(actor=actor, action="vouchers.batch_paid", obj=batch, changes={"total_fen": batch.total_fen})
    return {"batch": batch_id, "paid_now": paid, "status": batch.status}


def payment_file_rows(batch: m.SettlementBatch) -> list[dict]:
    rows = []
    for item in batch.items.select_related("payee", "claim").order_by("pk"):
        rows.append({
            "batch": batch.pk, "period": batch.period, "item": item.pk, "claim": item.claim_id,
            "payee": item.payee.name, "payee_credit_code": item.payee.credit_code or "",
            "payee_region": item.payee.region, "amount_fen": item.amount_fen, "province_fen": item.province_fen,
            "city": item.city, "city_fen": item.city_fen, "invoice_no": item.claim.invoice_no,
            "reference": f"vouchers:pay:{item.claim_id}", "paid": item.paid,
        })
    return rows
