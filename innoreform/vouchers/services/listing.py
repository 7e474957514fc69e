"""Institution listing (入库): application, review, public notice and objections, status, and
the listed institution's service catalogue."""

import hashlib
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, ValidationFailed, field_error

from .. import models as m
from .access import check_amount, require, scheme


def _years_between(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def institution_apply(*, actor: Actor, founded_on: date, categories: list[str], legal_representative: str,
                      address: str, phone: str, description: str = "", actual_controller: str = "",
                      shareholders: list[str] | None = None, documents: list[tuple[str, str, bytes]] = (),
                      on: date | None = None) -> m.Institution:
    """An institution from any region applies to be listed, with its documents."""
    require(actor, "vouchers.institution_admin")
    today = on or timezone.localdate()
    version, params = scheme(today)
    errors: dict[str, list[str]] = {}
    years = _years_between(founded_on, today)
    if founded_on > today or years < params.institution_min_years:
        errors["founded_on"] = [str(_("An institution needs at least %(n)s years of operation; it has %(y)s.")
                                    % {"n": params.institution_min_years, "y": max(years, 0)})]
    cats = [c for c in dict.fromkeys(categories or []) if c in m.Category.values]
    if not cats or len(cats) != len(set(categories or [])):
        errors["categories"] = [str(_("Choose one or more known service categories."))]
    for name, value in (("legal_representative", legal_representative), ("address", address), ("phone", phone)):
        if not value or not value.strip():
            errors[name] = [str(_("This field is required."))]
    if not documents:
        errors["documents"] = [str(_("Attach at least the business licence or registration."))]
    if errors:
        raise ValidationFailed(details=errors)
    org = actor.organisation
    with transaction.atomic():
        existing = m.Institution.objects.select_for_update().filter(organisation=org).first()
        if existing is not None and existing.status != m.ListingStatus.REJECTED:
            raise Conflict(_("Your institution has already applied."), code="already_applied")
        fields = dict(
            region=org.region, founded_on=founded_on, categories=cats, description=(description or "")[:2000],
            legal_representative=legal_representative.strip()[:100],
            actual_controller=(actual_controller or "").strip()[:200],
            shareholders=[s.strip()[:200] for s in (shareholders or []) if s and s.strip()][:50],
            address=address.strip()[:300], phone=phone.strip()[:40], policy_version=version, submitted_by=actor.user,
            status=m.ListingStatus.SUBMITTED, status_reason="", notice_starts_at=None, notice_ends_at=None,
        )
        if existing is None:
            institution = m.Institution.objects.create(organisation=org, **fields)
        else:  # a rejected institution applies again
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.save()
            institution = existing
        for kind, filename, content in documents:
            if kind not in m.InstitutionDocument.Kind.values:
                raise field_error("documents", _("Unknown document kind."))
            doc = m.InstitutionDocument(institution=institution, kind=kind,
                                        sha256=hashlib.sha256(content).hexdigest())
            doc.file.save((filename or "document").replace("/", "_")[-100:], ContentFile(content), save=False)
            doc.save()
        audit.record(actor=actor, action="vouchers.institution_applied", obj=institution,
                     changes={"region": org.region, "categories": cats, "documents": len(documents)})
    return institution


def _lock_institution(institution_id: int) -> m.Institution:
    found = m.Institution.objects.select_for_update().filter(pk=institution_id).first()
    if found is None:
        raise NotFound()
    return found


def institution_review(*, actor: Actor, institution_id: int, approve: bool, note: str = "",
                       now=None) -> m.Institution:
    """Approve into the public-notice period (policy: 7 days) or reject with a reason."""
    require(actor, "vouchers.review")
    now = now or timezone.now()
    with transaction.atomic():
        inst = _lock_institution(institution_id)
        if inst.status != m.ListingStatus.SUBMITTED:
            raise Conflict(_("Only a submitted application can be reviewed."), code="not_submitted")
        if approve:
            _version, params = scheme(now.date())
            inst.status = m.ListingStatus.IN_NOTICE
            inst.notice_starts_at, inst.notice_ends_at = now, now + timedelta(days=params.notice_days)
        else:
            if not note.strip():
                raise field_error("note", _("Give the reason for the rejection."))
            inst.status = m.ListingStatus.REJECTED
        inst.reviewed_by, inst.status_reason = actor.user, note.strip()[:500]
        inst.save()
        audit.record(actor=actor, action="vouchers.institution_reviewed", obj=inst,
                     changes={"approve": approve, "note": note[:200]})
    return inst


def objection_submit(*, actor: Actor, institution_id: int, text: str, now=None) -> m.Objection:
    """Anyone signed in may object while the notice runs."""
    require(actor, "vouchers.object")
    now = now or timezone.now()
    if not text or not text.strip():
        raise field_error("text", _("Say what the objection is."))
    with transaction.atomic():
        inst = _lock_institution(institution_id)
        if inst.status != m.ListingStatus.IN_NOTICE or now > inst.notice_ends_at:
            raise Conflict(_("Objections are accepted only during the public notice."), code="not_in_notice")
        objection = m.Objection.objects.create(institution=inst, text=text.strip()[:2000], submitted_by=actor.user,
                                               submitted_org=actor.organisation)
        audit.record(actor=actor, action="vouchers.objection_submitted", obj=objection,
                     changes={"institution": inst.pk})
    return objection


def objection_resolve(*, actor: Actor, objection_id: int, uphold: bool, resolution: str) -> m.Objection:
    require(actor, "vouchers.review")
    if not resolution or not resolution.strip():
        raise field_error("resolution", _("Explain the decision."))
    with transaction.atomic():
        objection = m.Objection.objects.select_for_update().filter(pk=objection_id).first()
        if objection is None:
            raise NotFound()
        if objection.status != m.ObjectionStatus.OPEN:
            raise Conflict(_("This objection was already resolved."), code="already_resolved")
        objection.status = m.ObjectionStatus.UPHELD if uphold else m.ObjectionStatus.DISMISSED
        objection.resolution, objection.resolved_by = resolution.strip()[:500], actor.user
        objection.save()
        if uphold:
            inst = _lock_institution(objection.institution_id)
            if inst.status == m.ListingStatus.IN_NOTICE:
                inst.status = m.ListingStatus.REJECTED
                inst.status_reason = str(_("Objection upheld: %(r)s") % {"r": resolution.strip()})[:500]
                inst.save()
        audit.record(actor=actor, action="vouchers.objection_resolved", obj=objection,
                     changes={"uphold": uphold, "resolution": resolution[:200]})
    return objection


def institutions_publish_due(*, actor: Actor, now=None) -> int:
    """List institutions whose notice has ended without an open or upheld objection."""
    now = now or timezone.now()
    done = 0
    due = (m.Institution.objects.filter(status=m.ListingStatus.IN_NOTICE, notice_ends_at__lte=now)
           .exclude(objections__status__in=[m.ObjectionStatus.OPEN, m.ObjectionStatus.UPHELD])
           .order_by("pk").values_list("pk", flat=True))
    for pk in list(due):
        with transaction.atomic():
            inst = _lock_institution(pk)
            if inst.status != m.ListingStatus.IN_NOTICE or inst.objections.filter(
                    status__in=[m.ObjectionStatus.OPEN, m.ObjectionStatus.UPHELD]).exists():
                continue
            inst.status, inst.listed_at = m.ListingStatus.LISTED, now
            inst.save()
            m.CreditEvent.objects.create(institution=inst, kind="listed", reason="notice period ended",
                                         created_by=actor.user)
            audit.record(actor=actor, action="vouchers.institution_listed", obj=inst, changes={})
            done += 1
    return done


STATUS_MOVES = {
    m.ListingStatus.SUSPENDED: {m.ListingStatus.LISTED},
    m.ListingStatus.BLACKLISTED: {m.ListingStatus.LISTED, m.ListingStatus.SUSPENDED, m.ListingStatus.IN_NOTICE},
    m.ListingStatus.LISTED: {m.ListingStatus.SUSPENDED},
}


def institution_set_status(*, actor: Actor, institution_id: int, status: str, reason: str,
                           claim: m.Claim | None = None) -> m.Institution:
    """Suspend, blacklist or reinstate, always with a reason recorded in the credit file."""
    require(actor, "vouchers.approve")
    if status not in STATUS_MOVES:
        raise field_error("status", _("Choose suspended, blacklisted or listed."))
    if not reason or not reason.strip():
        raise field_error("reason", _("Give the reason."))
    with transaction.atomic():
        inst = _lock_institution(institution_id)
        if inst.status == status:
            return inst
        if inst.status not in STATUS_MOVES[status]:
            raise Conflict(_("This change of status is not allowed."), code="bad_transition")
        before = inst.status
        inst.status, inst.status_reason = status, reason.strip()[:500]
        inst.save()
        m.CreditEvent.objects.create(institution=inst, kind=status, reason=reason.strip()[:500], claim=claim,
                                     created_by=actor.user)
        audit.record(actor=actor, action="vouchers.institution_status_changed", obj=inst,
                     changes={"from": before, "to": status, "reason": reason[:200]})
    return inst


def _own_institution(actor: Actor, *, listed: bool = False) -> m.Institution:
    inst = m.Institution.objects.filter(organisation_id=actor.organisation_id).first()
    if inst is None:
        raise NotFound(code="not_listed")
    if listed and inst.status != m.ListingStatus.LISTED:
        raise Conflict(_("Only a listed institution can do this."), code="institution_not_listed")
    return inst


def service_publish(*, actor: Actor, category: str, name: str, price_fen: int, unit: str = "次") -> m.ServiceItem:
    require(actor, "vouchers.institution_admin")
    check_amount("price_fen", price_fen)
    if not name or not name.strip():
        raise field_error("name", _("Name the service."))
    with transaction.atomic():
        inst = _own_institution(actor, listed=True)
        if category not in inst.categories:
            raise field_error("category", _("The institution is not listed for this category."))
        item = m.ServiceItem.objects.create(institution=inst, category=category, name=name.strip()[:200],
                                            unit=(unit or "次").strip()[:40], price_fen=price_fen)
        audit.record(actor=actor, action="vouchers.service_published", obj=item,
                     changes={"category": category, "price_fen": price_fen})
    return item


def service_withdraw(*, actor: Actor, service_id: int) -> m.ServiceItem:
    require(actor, "vouchers.institution_admin")
    with transaction.atomic():
        item = m.ServiceItem.objects.select_for_update().filter(
            pk=service_id, institution__organisation_id=actor.organisation_id).first()
        if item is None:
            raise NotFound()
        item.is_active = False
        item.save(update_fields=["is_active"])
        audit.record(actor=actor, action="vouchers.service_withdrawn", obj=item, changes={})
    return item
