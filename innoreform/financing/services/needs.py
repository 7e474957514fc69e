"""Enterprises' financing needs: published for institutions to match, then closed."""

from django.db import transaction
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound

from .. import models as m
from .. import validation as v
from .access import require


def need_publish(*, actor: Actor, amount_fen: int, term_months: int, purpose: str, purpose_detail: str = "",
                 collateral: list[str] | None = None, urgency: str = "normal",
                 preferred_kinds: list[str] | None = None) -> m.FinancingNeed:
    require(actor, "financing.need_publish")
    errors = v.Errors()
    v.amount(errors, "amount_fen", amount_fen)
    v.term(errors, "term_months", term_months)
    v.choice(errors, "purpose", purpose, m.Purpose.values)
    detail = v.text(errors, "purpose_detail", purpose_detail, max_length=500)
    coll = v.choices(errors, "collateral", collateral or [], m.Collateral.values)
    v.choice(errors, "urgency", urgency, m.Urgency.values)
    kinds = v.choices(errors, "preferred_kinds", preferred_kinds or [], m.ProductKind.values)
    errors.raise_if_any()
    with transaction.atomic():
        need = m.FinancingNeed.objects.create(
            enterprise=actor.organisation, amount_fen=amount_fen, term_months=term_months, purpose=purpose,
            purpose_detail=detail, collateral=coll, urgency=urgency, preferred_kinds=kinds, created_by=actor.user)
        audit.record(actor=actor, action="financing.need_published", obj=need,
                     changes={"amount_fen": amount_fen, "term_months": term_months, "purpose": purpose,
                              "collateral": coll, "preferred_kinds": kinds})
    return need


def need_close(*, actor: Actor, need_id: int) -> m.FinancingNeed:
    require(actor, "financing.need_publish")
    with transaction.atomic():
        need = m.FinancingNeed.objects.select_for_update().filter(pk=need_id, enterprise=actor.organisation).first()
        if need is None:
            raise NotFound()
        if need.status == m.FinancingNeed.Status.CLOSED:
            raise Conflict(_("This need is already closed."), code="already_closed")
        need.status = m.FinancingNeed.Status.CLOSED
        need.save(update_fields=["status"])
        audit.record(actor=actor, action="financing.need_closed", obj=need)
    return need
