"""Institutions' financing products: what each kind of institution may publish, with the
eligibility rules matching reads."""

from django.db import transaction
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound
from innoreform.core.models import OrgKind

from .. import models as m
from .. import rules as rules_mod
from .. import selectors
from .. import validation as v
from .access import require

# What each institution kind may publish, and the data-authorisation purpose of applying for it.
KINDS_BY_ORG = {
    OrgKind.BANK: {"loan", "loan_with_warrants", "ip_pledge_loan", "equipment_loan"},
    OrgKind.GUARANTOR: {"guarantee"},
    OrgKind.INSURER: {"insurance"},
    OrgKind.INVESTOR: {"equity"},
}


def product_create(*, actor: Actor, kind: str, name: str, min_amount_fen: int, max_amount_fen: int,
                   min_term_months: int, max_term_months: int, min_rate, max_rate, rules: list | None = None,
                   description: str = "") -> m.Product:
    require(actor, "financing.product_manage")
    errors = v.Errors()
    if kind not in KINDS_BY_ORG.get(actor.kind, set()) and not actor.is_system:
        errors.add("kind", _("Your institution cannot publish this kind of product."))
    name = v.text(errors, "name", name, max_length=200, required=True)
    description = v.text(errors, "description", description, max_length=4000)
    v.amount(errors, "min_amount_fen", min_amount_fen)
    v.amount(errors, "max_amount_fen", max_amount_fen)
    v.term(errors, "min_term_months", min_term_months)
    v.term(errors, "max_term_months", max_term_months)
    lo, hi = v.rate(errors, "min_rate", min_rate), v.rate(errors, "max_rate", max_rate)
    if not errors:
        if max_amount_fen < min_amount_fen:
            errors.add("max_amount_fen", _("The maximum is below the minimum."))
        if max_term_months < min_term_months:
            errors.add("max_term_months", _("The maximum is below the minimum."))
        if hi < lo:
            errors.add("max_rate", _("The maximum is below the minimum."))
    try:
        clean_rules = rules_mod.validate(rules or [])
    except ValueError as exc:
        errors.add("rules", str(exc))
        clean_rules = []
    errors.raise_if_any()
    with transaction.atomic():
        product = m.Product.objects.create(
            institution=actor.organisation, kind=kind, name=name, description=description,
            min_amount_fen=min_amount_fen, max_amount_fen=max_amount_fen, min_term_months=min_term_months,
            max_term_months=max_term_months, min_rate=lo, max_rate=hi, rules=clean_rules)
        audit.record(actor=actor, action="financing.product_published", obj=product,
                     changes={"kind": kind, "name": name, "rules": clean_rules})
        transaction.on_commit(selectors.catalog_invalidate)
    return product


def product_withdraw(*, actor: Actor, product_id: int) -> m.Product:
    require(actor, "financing.product_manage")
    with transaction.atomic():
        product = m.Product.objects.select_for_update().filter(pk=product_id,
                                                               institution_id=actor.organisation_id).first()
        if product is None:
            raise NotFound()
        if product.status == m.Product.Status.WITHDRAWN:
            raise Conflict(_("This product is already withdrawn."), code="already_withdrawn")
        product.status = m.Product.Status.WITHDRAWN
        product.save(update_fields=["status"])
        audit.record(actor=actor, action="financing.product_withdrawn", obj=product)
        transaction.on_commit(selectors.catalog_invalidate)
    return product
