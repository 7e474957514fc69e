"""Vouchers past their date expire and give their unused reservation back to the budgets."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from innoreform.core import audit
from innoreform.core.actor import Actor

from .. import models as m
from .budgets import release


def cancel_open_orders(voucher_id: int) -> None:
    """Cancel the voucher's open orders BEFORE its row is locked: a deduction locks its order and
    then the voucher, so a transaction holding the voucher must not wait for one of its orders
    (a deadlock, which PostgreSQL would break by failing one of them). An order opened after this
    can no longer be used either: the voucher's status refuses it."""
    m.Order.objects.filter(voucher_id=voucher_id, status=m.OrderStatus.OPEN).update(status=m.OrderStatus.CANCELLED)


def vouchers_expire_due(*, actor: Actor, on: date | None = None) -> int:
    """Expire vouchers past their date and release their unused reservation (province and city)."""
    today = on or timezone.localdate()
    done = 0
    due = list(m.Voucher.objects.filter(status=m.VoucherStatus.ACTIVE, expires_on__lt=today)
               .order_by("pk").values_list("pk", flat=True))
    for pk in due:
        with transaction.atomic():
            cancel_open_orders(pk)  # past its date: none of them can be used
            voucher = m.Voucher.objects.select_for_update().get(pk=pk)
            if voucher.status != m.VoucherStatus.ACTIVE:
                continue
            unused = voucher.face_fen - voucher.used_fen
            voucher.status, voucher.closed_reason = m.VoucherStatus.EXPIRED, "expired"
            release(actor=actor, voucher=voucher, amount_fen=unused, tag="expiry")
            voucher.save()
            audit.record(actor=actor, action="vouchers.voucher_expired", obj=voucher,
                         changes={"released_fen": unused})
            done += 1
    return done
