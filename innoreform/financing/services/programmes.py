"""Collective credit programmes (统一管理、统一授信、统一担保、分别负债): the department's
programme, its selected members, the banks' credit lines and the loss-sharing vector."""

from django.db import transaction
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, ValidationFailed
from innoreform.core.models import Organisation, OrgKind
from innoreform.core.selectors import policy_in_force

from .. import facts as facts_mod
from .. import models as m
from .. import rules as rules_mod
from .. import selectors
from .. import validation as v
from ..policies import COLLECTIVE_KEY, LossSharing
from .access import require


def _loss_sharing(raw: dict | None) -> tuple[int, dict]:
    policy = policy_in_force(COLLECTIVE_KEY)
    vector = raw if raw is not None else policy.parameters["loss_sharing"]
    try:
        clean = LossSharing(**vector).model_dump(mode="json")
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(details={"loss_sharing": [
            _("Give bank, guarantor, insurer and public shares that sum to 100.")]}) from exc
    return policy.version, clean


def _own_programme(actor: Actor, programme_id: int, *, lock: bool = True) -> m.Programme:
    require(actor, "financing.programme_manage")
    qs = m.Programme.objects.select_for_update() if lock else m.Programme.objects
    programme = qs.filter(pk=programme_id, department_id=actor.organisation_id).first()
    if programme is None:
        raise NotFound()
    return programme


def _org_of_kind(org_id: int | None, kind: str, errors: v.Errors, field: str) -> Organisation | None:
    if org_id is None:
        return None
    org = Organisation.objects.filter(pk=org_id, kind=kind, is_active=True).first()
    if org is None:
        errors.add(field, _("Choose an active organisation of the right kind."))
    return org


def programme_create(*, actor: Actor, code: str, name: str, guarantor_id: int | None = None,
                     insurer_id: int | None = None, loss_sharing: dict | None = None,
                     selection_rules: list | None = None) -> m.Programme:
    require(actor, "financing.programme_manage")
    errors = v.Errors()
    code = v.text(errors, "code", code, max_length=40, required=True)
    name = v.text(errors, "name", name, max_length=200, required=True)
    guarantor = _org_of_kind(guarantor_id, OrgKind.GUARANTOR, errors, "guarantor_id")
    insurer = _org_of_kind(insurer_id, OrgKind.INSURER, errors, "insurer_id")
    try:
        clean_rules = rules_mod.validate(selection_rules or [])
    except ValueError as exc:
        errors.add("selection_rules", str(exc))
        clean_rules = []
    errors.raise_if_any()
    version, vector = _loss_sharing(loss_sharing)
    with transaction.atomic():
        if m.Programme.objects.filter(code=code).exists():
            raise Conflict(_("A programme with this code exists."), code="duplicate_code")
        programme = m.Programme.objects.create(
            department=actor.organisation, code=code, name=name, policy_version=version, guarantor=guarantor,
            insurer=insurer, loss_sharing=vector, selection_rules=clean_rules, created_by=actor.user)
        audit.record(actor=actor, action="financing.programme_created", obj=programme,
                     changes={"code": code, "loss_sharing": vector, "policy_version": version,
                              "guarantor": guarantor_id, "insurer": insurer_id, "rules": clean_rules})
    return programme


def programme_select(*, actor: Actor, programme_id: int) -> dict:
    """Add every enterprise in the department's jurisdiction that passes the selection rules."""
    from innoreform.registry import selectors as registry_selectors

    with transaction.atomic():
        programme = _own_programme(actor, programme_id)
        if programme.status == m.Programme.Status.CLOSED:
            raise Conflict(_("The programme is closed."), code="closed")
        existing = set(programme.members.values_list("credit_code", flat=True))
        added = considered = 0
        for enterprise in registry_selectors.enterprise_list(actor=actor).iterator():
            considered += 1
            if enterprise.credit_code in existing:
                continue
            if rules_mod.all_pass(rules_mod.evaluate(programme.selection_rules,
                                                     facts_mod.enterprise_facts(enterprise))):
                m.ProgrammeMember.objects.create(
                    programme=programme, credit_code=enterprise.credit_code, name=enterprise.name,
                    region=enterprise.region, organisation_id=enterprise.organisation_id,
                    source=m.ProgrammeMember.Source.RULES)
                added += 1
        audit.record(actor=actor, action="financing.programme_selected", obj=programme,
                     changes={"considered": considered, "added": added})
    return {"considered": considered, "added": added}


def programme_member_set(*, actor: Actor, programme_id: int, credit_code: str, included: bool,
                         note: str = "") -> m.ProgrammeMember:
    """Add an enterprise by hand, or include/exclude one."""
    from innoreform.registry import selectors as registry_selectors

    errors = v.Errors()
    note = v.text(errors, "note", note, max_length=300)
    errors.raise_if_any()
    with transaction.atomic():
        programme = _own_programme(actor, programme_id)
        member = programme.members.filter(credit_code=credit_code.strip().upper()).first()
        if member is None:
            enterprise = registry_selectors.enterprise_get(actor=actor, credit_code=credit_code)
            member = m.ProgrammeMember(programme=programme, credit_code=enterprise.credit_code, name=enterprise.name,
                                       region=enterprise.region, organisation_id=enterprise.organisation_id,
                                       source=m.ProgrammeMember.Source.HAND)
        member.included, member.note = included, note
        member.save()
        audit.record(actor=actor, action="financing.programme_member_set", obj=programme,
                     changes={"credit_code": member.credit_code, "included": included, "note": note})
    return member


def programme_credit_line_set(*, actor: Actor, programme_id: int, bank_id: int, line_fen: int) -> m.CreditLine:
    errors = v.Errors()
    v.amount(errors, "line_fen", line_fen)
    bank = _org_of_kind(bank_id, OrgKind.BANK, errors, "bank_id")
    errors.raise_if_any()
    with transaction.atomic():
        programme = _own_programme(actor, programme_id)
        used = selectors.programme_line_used(programme=programme, bank_id=bank.pk)
        if line_fen < used:
            raise Conflict(_("The line cannot be below the loans already granted under it."), code="below_used",
                           details={"used_fen": used})
        line, _created = m.CreditLine.objects.update_or_create(programme=programme, bank=bank,
                                                              defaults={"line_fen": line_fen})
        audit.record(actor=actor, action="financing.programme_credit_line_set", obj=programme,
                     changes={"bank": bank.pk, "line_fen": line_fen})
    return line


def programme_activate(*, actor: Actor, programme_id: int) -> m.Programme:
    with transaction.atomic():
        programme = _own_programme(actor, programme_id)
        if programme.status != m.Programme.Status.DRAFT:
            raise Conflict(_("Only a draft programme can be activated."), code="wrong_status")
        problems = []
        if programme.guarantor_id is None:
            problems.append(_("Assign the guarantor."))
        if not programme.credit_lines.exists():
            problems.append(_("Record at least one bank's unified credit line."))
        if not programme.members.filter(included=True).exists():
            problems.append(_("Select at least one enterprise."))
        if problems:
            raise Conflict(_("The programme is not ready."), code="not_ready", details={"problems": problems})
        programme.status = m.Programme.Status.ACTIVE
        programme.save(update_fields=["status"])
        audit.record(actor=actor, action="financing.programme_activated", obj=programme)
    return programme
