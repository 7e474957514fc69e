"""Writes for special goods. Each function: keyword-only, a required actor, one transaction with
its audit record. Durable (the outermost transaction) except batch_declare, which the API runs
inside core.idempotency's transaction so the Idempotency-Key's answer commits with the batch."""

import hashlib
import re
import secrets
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, field_error
from innoreform.core.models import Organisation, OrgKind
from innoreform.core.permissions import is_maker_checker_violation
from innoreform.core.selectors import policy_in_force

from . import models as m
from .permissions import require
from .rules import AUTOMATIC_ROUTES, POLICY_KEY, LevelParams, LevelRule, Route, add_months, level_of

MAX_QUANTITY = 10**12  # bounds every quantity a user can type
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
HS_CODE = re.compile(r"[0-9]{8}([0-9]{2})?")
CIQ_CODE = re.compile(r"[0-9]{3}")
DECLARATION_NO = re.compile(r"[0-9A-Za-z-]{6,32}")


def levels(on: date | None = None) -> tuple[int, LevelParams]:
    """The risk-level policy in force: (version, parameters)."""
    version = policy_in_force(POLICY_KEY, on)
    return version.version, LevelParams(**version.parameters)


def _text(field: str, value: str, max_length: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise field_error(field, _("This field is required."))
    if len(value) > max_length:
        raise field_error(field, _("At most %(n)s characters.") % {"n": max_length})
    return value


def _choice(field: str, value: str, choices) -> str:
    if value not in choices.values:
        raise field_error(field, _("Choose one of the listed values."))
    return value


def _quantity(field: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_QUANTITY:
        raise field_error(field, _("Give a whole number between 1 and 10^12."))
    return value


# --- items ---------------------------------------------------------------------------------------------


def item_register(*, actor: Actor, name: str, category: str, material: str, hs_code: str, ciq_code: str,
                  composition: str, pathogen_class: str, specification: str, storage: str, biosafety_level: str,
                  other_approvals: str = "") -> m.Item:
    require(actor, "biomed.item_register")
    fields = {
        "name": _text("name", name, 200), "category": _choice("category", category, m.Category),
        "material": _choice("material", material, m.Material),
        "hs_code": (hs_code or "").strip(), "ciq_code": (ciq_code or "").strip(),
        "composition": _text("composition", composition, 500),
        "pathogen_class": _choice("pathogen_class", pathogen_class, m.PathogenClass),
        "specification": _text("specification", specification, 200), "storage": _text("storage", storage, 200),
        "biosafety_level": _choice("biosafety_level", biosafety_level, m.BiosafetyLevel),
        "other_approvals": _text("other_approvals", other_approvals, 300, required=False),
    }
    if not HS_CODE.fullmatch(fields["hs_code"]):
        raise field_error("hs_code", _("An HS code has 8 or 10 digits."))
    if not CIQ_CODE.fullmatch(fields["ciq_code"]):
        raise field_error("ciq_code", _("A CIQ code has 3 digits."))
    with transaction.atomic(durable=True):
        if m.Item.objects.filter(enterprise_id=actor.organisation_id, name=fields["name"],
                                 specification=fields["specification"]).exists():
            raise Conflict(_("Your enterprise already registered this item with this specification."),
                           code="item_exists")
        item = m.Item.objects.create(enterprise=actor.organisation, created_by=actor.user, **fields)
        audit.record(actor=actor, action="biomed.item_registered", obj=item, changes=fields)
    return item


# --- applications -------------------------------------------------------------------------------------------


def whitelisted(*, enterprise_id: int, item_id: int) -> m.WhitelistEntry | None:
    """The active white-list entry covering this enterprise's item (the enterprise, or the item)."""
    from django.db.models import Q

    return (m.WhitelistEntry.objects.filter(enterprise_id=enterprise_id, removed_at__isnull=True)
            .filter(Q(item__isnull=True) | Q(item_id=item_id)).order_by("id").first())


CHECKS = {
    "levelled": _("Level %(level)s by rule “%(rule)s” (policy version %(version)s)."),
    "default_level": _("No levelling rule matched: level %(level)s, the default (policy version %(version)s)."),
    "attachments": _("The attachments level %(level)s needs are present: %(kinds)s."),
    "direct": _("Level %(level)s is decided directly by its rule: approved automatically."),
    "approval_held": _("Level %(level)s needs an approval the product already holds: %(approval)s."),
    "approval_missing": _("Level %(level)s needs an approval the product already holds; the item lists none."),
    "assessment": _("Level %(level)s goes to risk assessment and a decision by another person."),
    "whitelist": _("On the white list (entry %(entry)s): the separate assessment step is waived."),
}


def explain(check: dict) -> str:
    template = CHECKS.get(check.get("rule", ""))
    if template is None:
        return check.get("rule", "")
    try:
        return str(template) % check.get("params", {})
    except (KeyError, TypeError, ValueError):
        return str(template)


def _attachments(rule: LevelRule, level: str, attachments: list[tuple[str, str, bytes]]) -> None:
    given = set()
    for kind, filename, content in attachments:
        _choice("attachments", kind, m.AttachmentKind)
        if not content or len(content) > MAX_ATTACHMENT_BYTES:
            raise field_error("attachments", _("Each attachment must be a non-empty file of at most 10 MB."))
        if not filename or len(filename) > 200:
            raise field_error("attachments", _("Each attachment needs a file name of at most 200 characters."))
        given.add(kind)
    missing = [k for k in rule.attachments if k not in given]
    if missing:
        labels = ", ".join(str(m.AttachmentKind(k).label) for k in missing)
        raise ValidationFailed(_("Level %(level)s needs these attachments: %(kinds)s.") % {"level": level,
                                                                                             "kinds": labels},
                               code="attachments_missing", details={"attachments": missing})


def application_submit(*, actor: Actor, item_id: int, quantity: int, unit: str, ports: list[str], origin: str,
                       purpose: str, attachments: list[tuple[str, str, bytes]], on: date | None = None
                       ) -> m.Application:
    """Level the item by the policy in force, check the attachments its level needs, then either
    decide it by the rule (C, D) or send it to risk assessment (A, B)."""
    require(actor, "biomed.apply")
    item = m.Item.objects.filter(pk=item_id, enterprise_id=actor.organisation_id).first()
    if item is None:
        raise NotFound()
    _quantity("quantity", quantity)
    _choice("unit", unit, m.Unit)
    if not ports or len(ports) > len(m.Port.values):
        raise field_error("ports", _("Choose at least one port of entry."))
    for port in ports:
        _choice("ports", port, m.Port)
    ports = sorted(set(ports))
    origin, purpose = _text("origin", origin, 100), _text("purpose", purpose, 500)
    today = on or timezone.localdate()
    version, params = levels(today)
    levelling = level_of(params, category=item.category, pathogen_class=item.pathogen_class, material=item.material)
    rule = params.levels[levelling.level]
    _attachments(rule, levelling.level, attachments)
    checks = [{"rule": "levelled" if levelling.rule_key else "default_level", "ok": True,
               "params": {"level": levelling.level, "rule": levelling.rule_text, "version": version}},
              {"rule": "attachments", "ok": True,
               "params": {"level": levelling.level,
                          "kinds": ", ".join(str(m.AttachmentKind(k).label) for k in rule.attachments) or "—"}}]
    with transaction.atomic(durable=True):
        entry = whitelisted(enterprise_id=item.enterprise_id, item_id=item.pk)
        if rule.route == Route.DIRECT:
            checks.append({"rule": "direct", "ok": True, "params": {"level": levelling.level}})
            status = m.ApplicationStatus.APPROVED
        elif rule.route == Route.APPROVAL_CHECK:
            held = bool(item.other_approvals)
            checks.append({"rule": "approval_held" if held else "approval_missing", "ok": held,
                           "params": {"level": levelling.level, "approval": item.other_approvals}})
            status = m.ApplicationStatus.APPROVED if held else m.ApplicationStatus.RETURNED
        else:
            checks.append({"rule": "assessment", "ok": True, "params": {"level": levelling.level}})
            status = m.ApplicationStatus.ASSESSING
            # Shenzhen's white list shortens review: a trusted B-level product skips the separate
            # assessment step; an A-level one still needs the authority's assessment.
            if entry is not None and rule.route == Route.ASSESSMENT:
                checks.append({"rule": "whitelist", "ok": True, "params": {"entry": entry.pk}})
                status = m.ApplicationStatus.AWAITING_DECISION
        application = m.Application.objects.create(
            enterprise_id=item.enterprise_id, item=item, quantity=quantity, unit=unit, ports=ports, origin=origin,
            purpose=purpose, level=levelling.level, level_rule=levelling.rule_key or "default",
            policy_version=version, whitelisted=entry is not None, status=status, checks=checks,
            submitted_by=actor.user, automatic=rule.route in AUTOMATIC_ROUTES,
        )
        for kind, filename, content in attachments:
            attachment = m.Attachment(application=application, kind=kind, filename=filename[:200],
                                      sha256=hashlib.sha256(content).hexdigest())
            attachment.file.save(f"{application.pk}-{kind}.bin", ContentFile(content), save=True)
        if status == m.ApplicationStatus.APPROVED:
            application.decided_at = timezone.now()
            application.decision_note = explain(checks[-1])[:500]
            application.save(update_fields=["decided_at", "decision_note"])
            _issue(application, rule, today)
        audit.record(actor=actor, action="biomed.application_submitted", obj=application,
                     changes={"item": item.pk, "level": levelling.level, "rule": levelling.rule_key,
                              "policy_version": version, "status": status, "quantity": quantity, "unit": unit})
    return application


def _issue(application: m.Application, rule: LevelRule, today: date) -> m.Approval:
    approval = m.Approval.objects.create(
        number=f"TW{today:%Y%m}{application.level}{secrets.token_hex(3).upper()}", application=application,
        enterprise_id=application.enterprise_id, item_id=application.item_id, level=application.level,
        policy_version=application.policy_version, quantity=application.quantity, unit=application.unit,
        ports=application.ports, single_use=rule.single_use, valid_from=today,
        valid_until=add_months(today, rule.validity_months) - timedelta(days=1), conditions=application.conditions,
    )
    return approval


def _locked_application(application_id: int, *statuses: str) -> m.Application:
    application = m.Application.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    if application.status not in statuses:
        raise Conflict(_("The application is no longer at this step."), code="application_not_open")
    return application


def application_assess(*, actor: Actor, application_id: int, findings: str, conditions: str = "") -> m.Application:
    """The assessor's findings and conditions; the decision is another person's."""
    require(actor, "biomed.assess")
    findings = _text("findings", findings, 5000)
    conditions = _text("conditions", conditions, 2000, required=False)
    with transaction.atomic(durable=True):
        application = _locked_application(application_id, m.ApplicationStatus.ASSESSING)
        application.assessor, application.assessed_at = actor.user, timezone.now()
        application.findings, application.conditions = findings, conditions
        application.status = m.ApplicationStatus.AWAITING_DECISION
        application.save(update_fields=["assessor", "assessed_at", "findings", "conditions", "status"])
        audit.record(actor=actor, action="biomed.application_assessed", obj=application,
                     changes={"findings": findings, "conditions": conditions})
    return application


def application_decide(*, actor: Actor, application_id: int, approve: bool, note: str = "",
                       on: date | None = None) -> m.Application:
    """Approve (issuing the approval with the level's validity and use rule, as of the version the
    application was levelled under) or refuse. The decider is neither the assessor nor the applicant."""
    require(actor, "biomed.decide")
    note = _text("note", note, 500, required=not approve)
    today = on or timezone.localdate()
    with transaction.atomic(durable=True):
        application = _locked_application(application_id, m.ApplicationStatus.AWAITING_DECISION)
        user_id = actor.user.pk if actor.user else None
        if (is_maker_checker_violation(submitted_by_id=application.assessor_id, approver_id=user_id)
                or is_maker_checker_violation(submitted_by_id=application.submitted_by_id, approver_id=user_id)):
            raise PermissionDenied(_("The assessor cannot also decide the application."), code="maker_checker")
        application.decided_by, application.decided_at, application.decision_note = actor.user, timezone.now(), note
        application.status = m.ApplicationStatus.APPROVED if approve else m.ApplicationStatus.REFUSED
        application.save(update_fields=["decided_by", "decided_at", "decision_note", "status"])
        if approve:
            from innoreform.core.models import PolicyVersion

            version = PolicyVersion.objects.get(key=POLICY_KEY, version=application.policy_version)
            _issue(application, LevelParams(**version.parameters).levels[application.level], today)
        audit.record(actor=actor, action="biomed.application_approved" if approve else "biomed.application_refused",
                     obj=application, changes={"note": note, "policy_version": application.policy_version})
    return application


def application_return(*, actor: Actor, application_id: int, note: str) -> m.Application:
    """Back to the enterprise for changes (it applies again with what was asked)."""
    require(actor, "biomed.assess")
    note = _text("note", note, 500)
    with transaction.atomic(durable=True):
        application = _locked_application(application_id, m.ApplicationStatus.ASSESSING,
                                          m.ApplicationStatus.AWAITING_DECISION)
        application.status, application.decision_note = m.ApplicationStatus.RETURNED, note
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "decision_note", "decided_at"])
        audit.record(actor=actor, action="biomed.application_returned", obj=application, changes={"note": note})
    return application


def approval_revoke(*, actor: Actor, approval_id: int, reason: str) -> m.Approval:
    require(actor, "biomed.revoke")
    reason = _text("reason", reason, 300)
    with transaction.atomic(durable=True):
        approval = m.Approval.objects.select_for_update().filter(pk=approval_id).first()
        if approval is None:
            raise NotFound()
        if approval.status == m.ApprovalStatus.REVOKED:
            raise Conflict(_("The approval is already revoked."), code="approval_revoked")
        approval.status, approval.closed_reason = m.ApprovalStatus.REVOKED, reason
        approval.save(update_fields=["status", "closed_reason"])
        audit.record(actor=actor, action="biomed.approval_revoked", obj=approval, changes={"reason": reason})
    return approval


# --- batches: assess once, import in batches -------------------------------------------------------------------


def _refuse(code: str, message, status: type = Conflict, **details):
    return status(message, code=code, details=details)


def batch_declare(*, actor: Actor, approval_id: int, declaration_no: str, quantity: int, unit: str, port: str,
                  on: date | None = None) -> m.Batch:
    """Write one import batch off against an approval, under the approval row's lock: the approval
    is active and valid today, the port is on it, the unit is its unit, the quantity fits the
    balance. A single-use approval closes with its first batch, any approval when used up; a
    high-risk item's first batch opens its follow-up tasks. A refusal writes nothing."""
    require(actor, "biomed.declare")
    declaration_no = (declaration_no or "").strip()
    if not DECLARATION_NO.fullmatch(declaration_no):
        raise field_error("declaration_no", _("A declaration number has 6 to 32 letters, digits or hyphens."))
    _quantity("quantity", quantity)
    today = on or timezone.localdate()
    # Checked before the lock, which every declaration on the approval queues for: the unique
    # index still refuses a duplicate that races past this.
    if m.Batch.objects.filter(declaration_no=declaration_no).exists():
        raise _refuse("declaration_duplicate", _("Declaration %(d)s was already written off.") % {"d": declaration_no})
    with transaction.atomic():
        qs = m.Approval.objects.select_for_update().filter(pk=approval_id)
        if actor.kind != OrgKind.CUSTOMS and not actor.is_system:
            qs = qs.filter(enterprise_id=actor.organisation_id)
        approval = qs.first()
        if approval is None:
            raise NotFound()
        unit_label = m.Unit(approval.unit).label
        if approval.status == m.ApprovalStatus.REVOKED:
            raise _refuse("approval_revoked", _("Approval %(no)s was revoked: %(reason)s")
                          % {"no": approval.number, "reason": approval.closed_reason})
        if approval.status == m.ApprovalStatus.CLOSED:
            raise _refuse("approval_closed", _("Approval %(no)s is closed: %(reason)s")
                          % {"no": approval.number, "reason": approval.closed_reason})
        if today > approval.valid_until:
            raise _refuse("approval_expired", _("Approval %(no)s expired on %(date)s.")
                          % {"no": approval.number, "date": approval.valid_until},
                          valid_until=str(approval.valid_until))
        if today < approval.valid_from:
            raise _refuse("approval_not_yet_valid", _("Approval %(no)s is valid from %(date)s.")
                          % {"no": approval.number, "date": approval.valid_from})
        if port not in approval.ports:
            raise _refuse("port_not_approved", _("Port %(port)s is not on approval %(no)s (approved: %(ports)s).")
                          % {"port": m.Port(port).label if port in m.Port.values else port, "no": approval.number,
                             "ports": ", ".join(str(m.Port(p).label) for p in approval.ports)},
                          ValidationFailed, port=[str(_("Not on the approval."))])
        if unit != approval.unit:
            raise _refuse("unit_mismatch", _("Approval %(no)s counts in %(unit)s; the batch must too.")
                          % {"no": approval.number, "unit": unit_label}, ValidationFailed,
                          unit=[str(_("Not the approval's unit."))])
        if quantity > approval.balance:
            raise _refuse("over_quantity", _("The batch of %(q)s %(unit)s is more than the %(left)s %(unit)s left on "
                                             "approval %(no)s (approved %(total)s, written off %(used)s).")
                          % {"q": quantity, "unit": unit_label, "left": approval.balance, "no": approval.number,
                             "total": approval.quantity, "used": approval.written_off},
                          balance=approval.balance, requested=quantity)
        first = approval.written_off == 0
        approval.written_off += quantity
        fields = ["written_off"]
        if approval.single_use or approval.balance == 0:
            approval.status = m.ApprovalStatus.CLOSED
            approval.closed_reason = str(_("Single use: closed by its first batch.") if approval.single_use
                                         else _("Used up."))
            fields += ["status", "closed_reason"]
        approval.save(update_fields=fields)
        try:
            batch = m.Batch.objects.create(approval=approval, declaration_no=declaration_no, quantity=quantity,
                                           unit=unit, port=port, balance_after=approval.balance,
                                           declared_by=actor.user, declared_by_label=actor.label)
        except IntegrityError as exc:  # the same declaration number racing: this block rolls back
            raise _refuse("declaration_duplicate", _("Declaration %(d)s was already written off.")
                          % {"d": declaration_no}) from exc
        if first and approval.level in m.HIGH_RISK:
            _open_follow_ups(approval, today)
        audit.record(actor=actor, action="biomed.batch_written_off", obj=batch, organisation=approval.enterprise,
                     changes={"approval": approval.number, "declaration_no": declaration_no, "quantity": quantity,
                              "unit": unit, "port": port, "balance_after": approval.balance})
    return batch


def _open_follow_ups(approval: m.Approval, entry: date) -> None:
    from innoreform.core.models import PolicyVersion

    days = LevelParams(**PolicyVersion.objects.get(key=POLICY_KEY, version=approval.policy_version)
                       .parameters).follow_up_days
    for kind, due in ((m.FollowUpKind.STORAGE, entry + timedelta(days=days.storage)),
                      (m.FollowUpKind.USE, entry + timedelta(days=days.use)),
                      (m.FollowUpKind.DISPOSAL, approval.valid_until + timedelta(days=days.disposal))):
        m.FollowUp.objects.get_or_create(approval=approval, kind=kind, defaults={"due_on": due})


# --- follow-up supervision ------------------------------------------------------------------------------


def _locked_follow_up(actor: Actor, follow_up_id: int, *, own: bool) -> m.FollowUp:
    qs = m.FollowUp.objects.select_for_update().select_related("approval").filter(pk=follow_up_id)
    if own:
        qs = qs.filter(approval__enterprise_id=actor.organisation_id)
    found = qs.first()
    if found is None:
        raise NotFound()
    return found


def followup_report(*, actor: Actor, follow_up_id: int, report: str) -> m.FollowUp:
    """The enterprise says how the item is stored, used or disposed of."""
    require(actor, "biomed.followup_report")
    report = _text("report", report, 5000)
    with transaction.atomic(durable=True):
        follow_up = _locked_follow_up(actor, follow_up_id, own=True)
        if follow_up.status not in (m.FollowUpStatus.OPEN, m.FollowUpStatus.ESCALATED):
            raise Conflict(_("This follow-up was already reported."), code="followup_not_open")
        follow_up.report, follow_up.reported_at = report, timezone.now()
        follow_up.status = m.FollowUpStatus.REPORTED
        follow_up.save(update_fields=["report", "reported_at", "status"])
        audit.record(actor=actor, action="biomed.followup_reported", obj=follow_up, changes={"report": report})
    return follow_up


def followup_close(*, actor: Actor, follow_up_id: int, result: str) -> m.FollowUp:
    """Customs records what it found (after the report, or on an inspection of its own)."""
    require(actor, "biomed.followup_close")
    result = _text("result", result, 5000)
    with transaction.atomic(durable=True):
        follow_up = _locked_follow_up(actor, follow_up_id, own=False)
        if follow_up.status == m.FollowUpStatus.CLOSED:
            raise Conflict(_("This follow-up is already closed."), code="followup_closed")
        follow_up.result, follow_up.closed_by, follow_up.closed_at = result, actor.user, timezone.now()
        follow_up.status = m.FollowUpStatus.CLOSED
        follow_up.save(update_fields=["result", "closed_by", "closed_at", "status"])
        audit.record(actor=actor, action="biomed.followup_closed", obj=follow_up, changes={"result": result},
                     organisation=actor.organisation)
    return follow_up


def followups_escalate_due(*, actor: Actor, on: date | None = None) -> int:
    """Open follow-ups past their due date become escalated (customs' to-do list shows them)."""
    require(actor, "biomed.followup_close")
    today = on or timezone.localdate()
    with transaction.atomic(durable=True):
        due = list(m.FollowUp.objects.select_for_update().filter(status=m.FollowUpStatus.OPEN, due_on__lt=today)
                   .order_by("pk"))
        now = timezone.now()
        for follow_up in due:
            follow_up.status, follow_up.escalated_at = m.FollowUpStatus.ESCALATED, now
            follow_up.save(update_fields=["status", "escalated_at"])
            audit.record(actor=actor, action="biomed.followup_escalated", obj=follow_up,
                         changes={"due_on": str(follow_up.due_on)})
    return len(due)


# --- white list -------------------------------------------------------------------------------------------


def whitelist_add(*, actor: Actor, enterprise_id: int, reason: str, item_id: int | None = None) -> m.WhitelistEntry:
    require(actor, "biomed.whitelist")
    reason = _text("reason", reason, 500)
    enterprise = Organisation.objects.filter(pk=enterprise_id, kind=OrgKind.ENTERPRISE).first()
    if enterprise is None:
        raise NotFound()
    if item_id is not None and not m.Item.objects.filter(pk=item_id, enterprise=enterprise).exists():
        raise field_error("item", _("The item is not this enterprise's."))
    with transaction.atomic(durable=True):
        if m.WhitelistEntry.objects.filter(enterprise=enterprise, item_id=item_id, removed_at__isnull=True).exists():
            raise Conflict(_("Already on the white list."), code="whitelist_exists")
        entry = m.WhitelistEntry.objects.create(enterprise=enterprise, item_id=item_id, reason=reason,
                                                added_by=actor.user)
        audit.record(actor=actor, action="biomed.whitelist_added", obj=entry,
                     changes={"enterprise": enterprise.pk, "item": item_id, "reason": reason})
    return entry


def whitelist_remove(*, actor: Actor, entry_id: int, reason: str) -> m.WhitelistEntry:
    require(actor, "biomed.whitelist")
    reason = _text("reason", reason, 500)
    with transaction.atomic(durable=True):
        entry = m.WhitelistEntry.objects.select_for_update().filter(pk=entry_id).first()
        if entry is None:
            raise NotFound()
        if entry.removed_at is not None:
            raise Conflict(_("This entry was already removed."), code="whitelist_removed")
        entry.removed_at, entry.removed_by, entry.removal_reason = timezone.now(), actor.user, reason
        entry.save(update_fields=["removed_at", "removed_by", "removal_reason"])
        audit.record(actor=actor, action="biomed.whitelist_removed", obj=entry, changes={"reason": reason})
    return entry
