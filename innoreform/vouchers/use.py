"""Use of a voucher and redemption claims.

- order_create: the enterprise orders a catalogued service from a listed institution.
- deduct (通兑): the institution deducts the voucher share from the bill (portal or bank API).
- proof_upload (通用): the enterprise proves it paid in full and will be reimbursed.
- claims: submitted with contract, invoice and deliverable; fraud rules flag; reviewed by one
  person and approved by another (maker-checker); approval books the payable; confirmed fraud
  cancels the voucher and suspends the institution.

Concurrency: a use is two conditional UPDATEs in one transaction (order open -> used; voucher
used + amount <= face), so 100 simultaneous deductions can never exceed the face value, whatever
the database's isolation level.
"""

import hashlib
from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, field_error
from innoreform.core.idempotency import KeyClaim
from innoreform.core.permissions import is_maker_checker_violation
from innoreform.core.regions import region_group
from innoreform.ledger import services as ledger

from . import fraud, money
from . import models as m
from .permissions import require
from .policies import Flow
from .services import MAX_FEN, cancel_open_orders, release, scheme
from .tasks import schedule_sequencing

# --- orders ---------------------------------------------------------------------------------------------


def order_create(*, actor: Actor, voucher_id: int, service_id: int, quantity: int = 1, fee_fen: int | None = None,
                 project_code: str = "", on: date | None = None) -> m.Order:
    require(actor, "vouchers.use")
    today = on or timezone.localdate()
    voucher = m.Voucher.objects.filter(pk=voucher_id, enterprise_id=actor.organisation_id).first()
    service = m.ServiceItem.objects.select_related("institution").filter(pk=service_id, is_active=True).first()
    if voucher is None or service is None:
        raise NotFound()
    if not isinstance(quantity, int) or not 1 <= quantity <= 10_000:
        raise field_error("quantity", _("Give a quantity between 1 and 10,000."))
    if voucher.status != m.VoucherStatus.ACTIVE or voucher.expires_on < today:
        raise Conflict(_("The voucher is not active."), code="voucher_not_active")
    inst = service.institution
    if inst.status != m.ListingStatus.LISTED:
        raise Conflict(_("The institution is not listed."), code="institution_not_listed")
    _version, params = scheme(today)
    if region_group(inst.region) not in params.eligible_regions:
        raise Conflict(_("Institutions of this region are not in the scheme."), code="region_not_eligible")
    if service.category not in params.eligible_categories:
        raise Conflict(_("This service category is not in the scheme."), code="category_not_eligible")
    fraud.refuse_related(enterprise=voucher.enterprise, institution=inst)  # banned, not just flagged
    fee = service.price_fen * quantity if fee_fen is None else fee_fen
    if not isinstance(fee, int) or isinstance(fee, bool) or not 1 <= fee <= MAX_FEN:
        raise field_error("fee_fen", _("Give a whole number of fen between 1 and 10^13."))
    voucher_fen = money.share_of(fee, voucher.share)
    if voucher_fen < 1:
        raise field_error("fee_fen", _("The fee is too small for a voucher share."))
    if voucher_fen > voucher.remaining_fen:
        raise Conflict(_("The voucher's remaining value (%(left)s fen) does not cover the voucher share "
                         "(%(need)s fen).") % {"left": voucher.remaining_fen, "need": voucher_fen},
                       code="voucher_insufficient")
    with transaction.atomic():
        order = m.Order.objects.create(enterprise_id=actor.organisation_id, institution=inst, voucher=voucher,
                                       service=service, quantity=quantity, fee_fen=fee, voucher_fen=voucher_fen,
                                       project_code=(project_code or "").strip()[:64], created_by=actor.user)
        audit.record(actor=actor, action="vouchers.order_created", obj=order,
                     changes={"voucher": voucher.serial, "service": service.pk, "fee_fen": fee,
                              "voucher_fen": voucher_fen})
    return order


def order_cancel(*, actor: Actor, order_id: int) -> m.Order:
    with transaction.atomic():
        order = m.Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or actor.organisation_id not in (order.enterprise_id, order.institution.organisation_id):
            raise NotFound()
        if order.status != m.OrderStatus.OPEN:
            raise Conflict(_("Only an open order can be cancelled."), code="order_not_open")
        order.status = m.OrderStatus.CANCELLED
        order.save(update_fields=["status"])
        audit.record(actor=actor, action="vouchers.order_cancelled", obj=order, changes={})
    return order


def _insufficient() -> Conflict:
    return Conflict(_("The voucher is not active or its remaining value does not cover this order."),
                    code="voucher_insufficient")


def _order_not_open() -> Conflict:
    return Conflict(_("The voucher was already used for this order, or the order is closed."), code="order_not_open")


def _check_use(order: m.Order, flow: str) -> None:
    if order.voucher.flow != flow:
        raise Conflict(_("This voucher is redeemed by the other flow."), code="wrong_flow")
    if order.voucher.used_fen > order.voucher.face_fen - order.voucher_fen:
        # Refused before writing anything, as the voucher's UPDATE would refuse it at the end. The
        # value was read moments ago: a use voided since then makes this refusal one that came just
        # before the void; a deduction since then is caught by the UPDATE anyway.
        raise _insufficient()


def _use(*, actor: Actor, order: m.Order, flow: str, payee_id: int, today: date, proof: tuple[str, bytes] | None = None
         ) -> m.Redemption:
    """Take the order's voucher share off the voucher, at most once per order and never beyond
    the face value. Runs inside the caller's transaction.

    Two conditional UPDATEs do it whatever the isolation level: the order open -> used (it also
    locks the order, so a duplicate waits and then finds it used), and the voucher's used amount
    raised only while it stays within the face value. The voucher row is the one every deduction
    of a voucher contends for: it is updated last, so its lock is held only from that UPDATE to
    the commit. The trust-ledger entry is queued here and integrated by a background task
    (tasks.schedule_sequencing)."""
    _check_use(order, flow)
    if not m.Order.objects.filter(pk=order.pk, status=m.OrderStatus.OPEN).update(status=m.OrderStatus.USED):
        raise _order_not_open()
    redemption = m.Redemption(voucher=order.voucher, order=order, flow=flow, amount_fen=order.voucher_fen,
                              payee_id=payee_id, created_by_label=actor.label[:150])
    if proof is not None:
        redemption.proof_sha256 = hashlib.sha256(proof[1]).hexdigest()
        redemption.proof.save((proof[0] or "proof").replace("/", "_")[-100:], ContentFile(proof[1]), save=False)
    redemption.save()
    audit.record(actor=actor, action="vouchers.voucher_used", obj=redemption,
                 changes={"order": order.pk, "voucher": order.voucher_id, "amount_fen": order.voucher_fen,
                          "flow": flow})
    # A use moves no money in the books (the payable does), so the books write no entry for it.
    ledger.append_commitment(actor=actor, entry_type="vouchers.voucher_used", obj=redemption,
                             subject_organisation=order.enterprise_id,
                             payload={"order": order.pk, "voucher": order.voucher_id, "amount_fen": order.voucher_fen},
                             sequence_on_commit=False)
    used = _take_share(order=order, today=today)
    if used is None:  # the caller's transaction rolls back the order, use, audit and ledger rows
        raise _insufficient()
    order.voucher.used_fen = used  # the answer shows the remaining value this deduction left
    transaction.on_commit(schedule_sequencing)
    return redemption


def _take_share(*, order: m.Order, today: date) -> int | None:
    """Raise the voucher's used amount by the order's share, only while the voucher is active,
    unexpired and the share fits within the face value; the new used amount, or None if refused.

    Hand-written, the one statement of a deduction that is: every deduction of a voucher waits
    for this row, locked from this UPDATE to the commit, and RETURNING reads the new amount in
    the same round trip, where the ORM's update() returns only a count and needs a second
    statement while the lock is held. PostgreSQL and SQLite (3.35 and later) both run it."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {q(m.Voucher._meta.db_table)} SET used_fen = used_fen + %s "  # noqa: S608 - the model's table
                       "WHERE id = %s AND status = %s AND expires_on >= %s AND used_fen <= face_fen - %s "
                       "RETURNING used_fen",
                       [order.voucher_fen, order.voucher_id, m.VoucherStatus.ACTIVE,
                        connection.ops.adapt_datefield_value(today), order.voucher_fen])
        row = cursor.fetchone()
    return None if row is None else row[0]


# What a deduction reads of its order, voucher and institution: loading only these columns takes
# a hot call's row loading down to what it uses (other fields still load on access).
_DEDUCTION_READS = ("enterprise_id", "voucher_fen", "voucher__flow", "voucher__face_fen", "voucher__used_fen",
                    "institution__status", "institution__organisation_id")


def deductible_order(*, actor: Actor, order_id: int) -> m.Order:
    """The institution's order with its voucher and institution; 404 when it is not theirs."""
    require(actor, "vouchers.institution")
    try:
        return m.Order.objects.select_related("voucher", "institution").only(*_DEDUCTION_READS).get(
            pk=order_id, institution__organisation_id=actor.organisation_id)
    except m.Order.DoesNotExist:
        raise NotFound() from None


def deduct(*, actor: Actor, order_id: int, on: date | None = None, order: m.Order | None = None,
           key: KeyClaim | None = None) -> m.Redemption:
    """通兑: the institution deducts the voucher share from the enterprise's bill. `order` may be
    the row deductible_order() already read for this actor and order_id (a stale read is safe:
    the conditional UPDATEs decide). `key`: the API call's Idempotency-Key, claimed first and
    answered with the use in this transaction, so a replay finds both or neither."""
    today = on or timezone.localdate()
    if order is None or order.pk != order_id or order.institution.organisation_id != actor.organisation_id:
        order = deductible_order(actor=actor, order_id=order_id)
    else:
        require(actor, "vouchers.institution")
    if order.institution.status != m.ListingStatus.LISTED:
        raise Conflict(_("The institution is not listed."), code="institution_not_listed")
    with transaction.atomic(durable=True):
        if key is not None:
            key.claim()
        redemption = _use(actor=actor, order=order, flow=Flow.TONGDUI, payee_id=order.institution.organisation_id,
                          today=today)
        if key is not None:
            key.store(redemption)
    return redemption


MAX_PROOF_BYTES = 10 * 1024 * 1024


def proof_upload(*, actor: Actor, order_id: int, paid_fen: int, filename: str, content: bytes,
                 on: date | None = None) -> m.Redemption:
    """通用: the enterprise proves it paid the full fee; it will be reimbursed the voucher share."""
    require(actor, "vouchers.use")
    today = on or timezone.localdate()
    order = m.Order.objects.select_related("voucher").filter(pk=order_id,
                                                             enterprise_id=actor.organisation_id).first()
    if order is None:
        raise NotFound()
    if paid_fen != order.fee_fen:
        raise field_error("paid_fen",
                          _("The proof must show the full fee (%(fee)s fen) paid.") % {"fee": order.fee_fen})
    if not content or len(content) > MAX_PROOF_BYTES:
        raise field_error("file", _("Attach the proof of payment (at most 10 MB)."))
    with transaction.atomic(durable=True):
        return _use(actor=actor, order=order, flow=Flow.TONGYONG, payee_id=order.enterprise_id, today=today,
                    proof=(filename, content))


# --- claims ---------------------------------------------------------------------------------------------


def _save_file(field, prefix: str, upload: tuple[str, bytes] | None) -> None:
    if upload:
        filename, content = upload
        field.save(f"{prefix}-{(filename or 'file').replace('/', '_')[-80:]}", ContentFile(content), save=False)


def claim_submit(*, actor: Actor, redemption_id: int, contract_no: str, invoice_no: str, invoice_amount_fen: int,
                 invoice_date: date, deliverable: str, contract_file: tuple[str, bytes] | None = None,
                 invoice_file: tuple[str, bytes] | None = None, deliverable_file: tuple[str, bytes] | None = None,
                 on: date | None = None) -> m.Claim:
    require(actor, "vouchers.institution", "vouchers.use")
    today = on or timezone.localdate()
    redemption = m.Redemption.objects.select_related("order", "voucher").filter(
        pk=redemption_id, payee_id=actor.organisation_id).first()
    if redemption is None:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    for name, value in (("contract_no", contract_no), ("invoice_no", invoice_no), ("deliverable", deliverable)):
        if not value or not value.strip():
            errors[name] = [str(_("This field is required."))]
    if not isinstance(invoice_amount_fen, int) or invoice_amount_fen < redemption.amount_fen or \
            invoice_amount_fen > MAX_FEN:
        errors["invoice_amount_fen"] = [str(_("The invoice must be at least the voucher amount."))]
    if invoice_date > today:
        errors["invoice_date"] = [str(_("The invoice date cannot be in the future."))]
    if errors:
        raise ValidationFailed(details=errors)
    _version, params = scheme(today)
    with transaction.atomic():
        redemption = m.Redemption.objects.select_for_update().get(pk=redemption.pk)
        if redemption.status != m.RedemptionStatus.ACTIVE:
            raise Conflict(_("This use of the voucher was voided."), code="redemption_void")
        claim = m.Claim(
            redemption=redemption, payee_id=redemption.payee_id, amount_fen=redemption.amount_fen,
            contract_no=contract_no.strip()[:64], invoice_no=invoice_no.strip()[:64],
            invoice_no_normalised=fraud.normalise_invoice(invoice_no)[:64], invoice_amount_fen=invoice_amount_fen,
            invoice_date=invoice_date, deliverable=deliverable.strip()[:500], submitted_by=actor.user,
            submitted_by_label=actor.label[:150],
        )
        _save_file(claim.contract_file, "contract", contract_file)
        _save_file(claim.invoice_file, "invoice", invoice_file)
        _save_file(claim.deliverable_file, "deliverable", deliverable_file)
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError as exc:
            raise Conflict(_("This use of the voucher already has a claim."), code="claim_exists") from exc
        claim.flags = fraud.evaluate(claim=claim, params=params)
        if claim.flags:
            claim.status = m.ClaimStatus.FLAGGED
        claim.save(update_fields=["flags", "status"])
        audit.record(actor=actor, action="vouchers.claim_submitted", obj=claim,
                     changes={"redemption": redemption.pk, "amount_fen": claim.amount_fen,
                              "invoice_no": claim.invoice_no, "flags": [f["rule"] for f in claim.flags]})
    return claim


def _lock_claim(claim_id: int) -> m.Claim:
    claim = m.Claim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise NotFound()
    return claim


def claim_review(*, actor: Actor, claim_id: int, note: str = "", clear_flags: bool = False) -> m.Claim:
    """The first check. A flagged claim passes only when the reviewer clears the flags with a note."""
    require(actor, "vouchers.review")
    with transaction.atomic():
        claim = _lock_claim(claim_id)
        if claim.status == m.ClaimStatus.FLAGGED:
            if not clear_flags or not note.strip():
                raise Conflict(_("A flagged claim needs a manual review note clearing its flags."),
                               code="flags_not_cleared")
        elif claim.status != m.ClaimStatus.SUBMITTED:
            raise Conflict(_("Only a submitted or flagged claim can be reviewed."), code="bad_step")
        # Related parties are banned, so that flag is not the reviewer's to clear (only to reject).
        order = claim.redemption.order
        fraud.refuse_related(enterprise=order.enterprise, institution=order.institution)
        claim.status, claim.reviewed_by, claim.reviewed_at = m.ClaimStatus.REVIEWED, actor.user, timezone.now()
        claim.review_note = note.strip()[:500]
        claim.save()
        audit.record(actor=actor, action="vouchers.claim_reviewed", obj=claim,
                     changes={"cleared_flags": [f["rule"] for f in claim.flags] if clear_flags else [],
                              "note": note[:200]})
    return claim


def claim_approve(*, actor: Actor, claim_id: int) -> m.Claim:
    """The second check, by another person: books the payable and fixes the province/city split."""
    require(actor, "vouchers.approve")
    with transaction.atomic():
        claim = _lock_claim(claim_id)
        if claim.status != m.ClaimStatus.REVIEWED:
            raise Conflict(_("A claim is approved only after review."), code="bad_step")
        if actor.user is None or is_maker_checker_violation(submitted_by_id=claim.reviewed_by_id,
                                                            approver_id=actor.user.pk):
            raise PermissionDenied(_("The reviewer cannot also approve the claim."), code="maker_checker")
        # Checked again at approval: a relation the registry learnt after the review still bans payment.
        order = claim.redemption.order
        fraud.refuse_related(enterprise=order.enterprise, institution=order.institution)
        voucher = m.Voucher.objects.select_for_update().get(pk=claim.redemption.voucher_id)
        claim.province_fen, claim.city_fen = money.split(voucher, claim.amount_fen)
        voucher.save(update_fields=["consumed_fen", "city_consumed_fen"])
        payable = money.payable_account(actor=actor, payee=claim.payee,
                                        institution=claim.redemption.flow == Flow.TONGDUI)
        money.post(actor=actor, kind=money.KIND_PAYABLE, reference=f"vouchers:payable:{claim.pk}",
                   lines=[(money.expense_account(actor=actor, year=voucher.year), claim.amount_fen),
                          (payable, -claim.amount_fen)],
                   subject_type=money.SUBJECT_CLAIM, subject_id=claim.pk, memo=claim.invoice_no)
        claim.status, claim.approved_by, claim.approved_at = m.ClaimStatus.APPROVED, actor.user, timezone.now()
        claim.save()
        audit.record(actor=actor, action="vouchers.claim_approved", obj=claim,
                     changes={"amount_fen": claim.amount_fen, "province_fen": claim.province_fen,
                              "city_fen": claim.city_fen})
    return claim


def claim_reject(*, actor: Actor, claim_id: int, reason: str) -> m.Claim:
    """Reject (the claimant may claim again with corrected papers)."""
    require(actor, "vouchers.review")
    if not reason or not reason.strip():
        raise field_error("reason", _("Give the reason for the rejection."))
    with transaction.atomic():
        claim = _lock_claim(claim_id)
        if claim.status not in (m.ClaimStatus.SUBMITTED, m.ClaimStatus.FLAGGED, m.ClaimStatus.REVIEWED):
            raise Conflict(_("This claim can no longer be rejected."), code="bad_step")
        claim.status, claim.review_note = m.ClaimStatus.REJECTED, reason.strip()[:500]
        claim.reviewed_by, claim.reviewed_at = actor.user, timezone.now()
        claim.save()
        audit.record(actor=actor, action="vouchers.claim_rejected", obj=claim, changes={"reason": reason[:200]})
    return claim


def void_redemption(*, actor: Actor, redemption: m.Redemption, voucher: m.Voucher, tag: str) -> None:
    """Void an unpaid use (voucher locked by the caller): its value goes back to the voucher, or to
    the budgets when the voucher is no longer active."""
    if redemption.status != m.RedemptionStatus.ACTIVE:
        return
    m.Redemption.objects.filter(pk=redemption.pk).update(status=m.RedemptionStatus.VOID)
    redemption.status = m.RedemptionStatus.VOID
    voucher.used_fen -= redemption.amount_fen
    if voucher.status != m.VoucherStatus.ACTIVE:
        release(actor=actor, voucher=voucher, amount_fen=redemption.amount_fen, tag=f"void:{redemption.pk}")
    audit.record(actor=actor, action="vouchers.use_voided", obj=redemption,
                 changes={"amount_fen": redemption.amount_fen, "tag": tag})


def claim_confirm_fraud(*, actor: Actor, claim_id: int, reason: str) -> m.Claim:
    """Confirmed fraud: the claim is refused (an approved payable is reversed), the voucher is
    cancelled (unpaid uses voided, the reservation released) and the institution is suspended,
    recorded in its credit file."""
    require(actor, "vouchers.approve")
    if not reason or not reason.strip():
        raise field_error("reason", _("Give the reason."))
    from . import services

    with transaction.atomic():
        claim = _lock_claim(claim_id)
        if claim.status in (m.ClaimStatus.PAID, m.ClaimStatus.FRAUD, m.ClaimStatus.REJECTED):
            raise Conflict(_("This claim can no longer be changed."), code="bad_step")
        if claim.batch_items.exists():
            raise Conflict(_("The claim is in a settlement batch."), code="in_batch")
        redemption = claim.redemption
        cancel_open_orders(redemption.voucher_id)  # the voucher is cancelled below
        voucher = m.Voucher.objects.select_for_update().get(pk=redemption.voucher_id)
        if claim.status == m.ClaimStatus.APPROVED:
            from innoreform.books import selectors as book_selectors
            from innoreform.books import services as books

            txn = book_selectors.transaction_by_reference(f"vouchers:payable:{claim.pk}")
            books.reverse_transaction(actor=actor, transaction=txn, reason=f"fraud: {reason.strip()}"[:200])
            money.unsplit(voucher, claim.province_fen, claim.city_fen)
            claim.province_fen = claim.city_fen = 0
        claim.status, claim.review_note = m.ClaimStatus.FRAUD, reason.strip()[:500]
        claim.save()
        # Void every use of the voucher that is not approved or paid, then cancel it.
        for use in voucher.redemptions.filter(status=m.RedemptionStatus.ACTIVE).order_by("pk"):
            if use.pk == redemption.pk or not use.claims.filter(
                    status__in=[m.ClaimStatus.APPROVED, m.ClaimStatus.PAID]).exists():
                for other in use.claims.filter(status__in=[m.ClaimStatus.SUBMITTED, m.ClaimStatus.FLAGGED,
                                                           m.ClaimStatus.REVIEWED]):
                    other.status, other.review_note = m.ClaimStatus.REJECTED, "voucher cancelled for fraud"
                    other.save(update_fields=["status", "review_note"])
                void_redemption(actor=actor, redemption=use, voucher=voucher, tag="fraud")
        if voucher.status == m.VoucherStatus.ACTIVE:
            voucher.status = m.VoucherStatus.CANCELLED
            voucher.closed_reason = f"fraud: {reason.strip()}"[:300]
            release(actor=actor, voucher=voucher, amount_fen=voucher.face_fen - voucher.used_fen, tag="cancel")
        voucher.save()
        inst = redemption.order.institution
        if inst.status in (m.ListingStatus.LISTED,):
            services.institution_set_status(actor=actor, institution_id=inst.pk, status=m.ListingStatus.SUSPENDED,
                                            reason=f"confirmed fraud on claim #{claim.pk}: {reason.strip()}"[:500],
                                            claim=claim)
        else:
            m.CreditEvent.objects.create(institution=inst, kind="fraud", reason=reason.strip()[:500], claim=claim,
                                         created_by=actor.user)
        audit.record(actor=actor, action="vouchers.claim_fraud_confirmed", obj=claim,
                     changes={"reason": reason[:200], "voucher": voucher.serial})
    return claim


def unclaimed_void_due(*, actor: Actor, on: date | None = None) -> int:
    """After the claim grace period, void uses of expired vouchers that have no live claim."""
    today = on or timezone.localdate()
    _version, params = scheme(today)
    from datetime import timedelta

    cutoff = today - timedelta(days=params.claim_grace_days)
    ids = list(m.Redemption.objects.filter(status=m.RedemptionStatus.ACTIVE, voucher__status=m.VoucherStatus.EXPIRED,
                                           voucher__expires_on__lt=cutoff)
               .exclude(claims__status__in=m.OPEN_CLAIM).order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            use = m.Redemption.objects.select_for_update().get(pk=pk)
            voucher = m.Voucher.objects.select_for_update().get(pk=use.voucher_id)
            if use.claims.filter(status__in=m.OPEN_CLAIM).exists():
                continue
            void_redemption(actor=actor, redemption=use, voucher=voucher, tag="unclaimed")
            voucher.save()
    return len(ids)


