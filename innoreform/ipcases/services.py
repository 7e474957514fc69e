"""Every write in IP cases: one service per use case, keyword-only, a required actor, one durable
transaction with its audit record (and ledger entry where evidence is concerned).

Refusals raise core.errors (ValidationFailed, Conflict, PermissionDenied, NotFound) before anything
is written; a refusal inside the transaction rolls all of it back.
"""

import hashlib
import hmac
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, ValidationFailed, field_error
from innoreform.core.models import Organisation, OrgKind, User
from innoreform.core.services import notify_organisation
from innoreform.ledger import selectors as ledger_selectors
from innoreform.ledger import services as ledger_services

from . import models as m
from . import pdfsign, periods
from .permissions import require

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the ledger preserves files up to 10 MB


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _near(field: str, day: date, today: date, years: int = 5) -> date:
    """Event dates more than a few years from today are typing errors (and would overflow date sums)."""
    if abs((day - today).days) > 366 * years:
        raise field_error(field, _("The date is too far from today."))
    return day


def _aware(field: str, value: datetime) -> datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if abs((value - timezone.now()).days) > 366 * 5:
        raise field_error(field, _("The date is too far from today."))
    return value


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def hash_stream(chunks) -> tuple[str, int]:
    """SHA-256 of an upload read chunk by chunk (Django's UploadedFile.chunks()), so a large file
    is never held in memory: the bench measures this against sha256sum."""
    h, size = hashlib.sha256(), 0
    for chunk in chunks:
        h.update(chunk)
        size += len(chunk)
    return "sha256:" + h.hexdigest(), size


def _check_upload(field: str, name: str, data: bytes | None) -> None:
    if not data:
        raise field_error(field, _("Upload the file."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise field_error(field, _("The file is larger than 10 MB."))


# --- identity and consent -------------------------------------------------------------------------


def _number_hash(number: str) -> str:
    key = hashlib.sha256(("ipcases-identity:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, number.strip().upper().encode(), hashlib.sha256).hexdigest()


def _recheck_identity(*, actor: Actor, dispute: m.Dispute, stage: str, legal_name: str, id_number: str) -> None:
    """The rules ask for the real-name identity to be re-checked at each stage: the first
    declaration is kept (as a keyed hash), and every later stage must match it."""
    legal_name, id_number = (legal_name or "").strip(), (id_number or "").strip()
    if not legal_name or len(id_number) < 6:
        raise ValidationFailed(_("Confirm your real name and identity document number for this stage."),
                               code="identity_required", details={"id_number": [_("Required.")]})
    known = m.PartyIdentity.objects.filter(user=actor.user).first()
    digest = _number_hash(id_number)
    if known is None:
        m.PartyIdentity.objects.create(user=actor.user, legal_name=legal_name[:100], number_hash=digest,
                                       number_tail=id_number[-4:])
    elif known.legal_name != legal_name or not hmac.compare_digest(known.number_hash, digest):
        raise ValidationFailed(_("The name or document number does not match your real-name identity."),
                               code="identity_mismatch", details={"id_number": [_("Does not match.")]})
    m.IdentityCheck.objects.create(dispute=dispute, user=actor.user, stage=stage, passed=True)


def _consent(*, actor: Actor, dispute: m.Dispute, stage: str, consent: bool) -> None:
    if consent is not True:
        raise ValidationFailed(_("Consent to online litigation for this stage is required."),
                               code="consent_required", details={"consent": [_("Required.")]})
    m.Consent.objects.get_or_create(dispute=dispute, organisation=actor.organisation, stage=stage,
                                    defaults={"user": actor.user})


def has_consented(dispute: m.Dispute, organisation_id: int, stage: str) -> bool:
    return m.Consent.objects.filter(dispute=dispute, organisation_id=organisation_id, stage=stage).exists()


# --- deadlines ------------------------------------------------------------------------------------


def _deadline(*, kind: str, starts_on: date, due_on: date, owner, rule: tuple[str, dict], versions: tuple[int, int],
              dispute=None, case=None, notarial=None) -> m.Deadline:
    # The rule is kept as its message id and numbers, and translated when shown (Deadline.rule_text).
    return m.Deadline.objects.create(kind=kind, starts_on=starts_on, due_on=due_on, owner=owner, rule=rule[0][:200],
                                     rule_params=rule[1],
                                     policy_version=versions[0], calendar_version=versions[1], dispute=dispute,
                                     case=case, notarial=notarial)


def _meet(qs) -> None:
    qs.filter(status=m.DeadlineStatus.OPEN).update(status=m.DeadlineStatus.MET, met_at=timezone.now())


def deadline_set(*, actor: Actor, case_id: int, kind: str, starts_on: date, today: date | None = None) -> m.Deadline:
    """Start a period on a case from an event date (service of a judgment or ruling, of the
    complaint...). A deadline that has already passed is refused: its start date is wrong."""
    require(actor, "ipcases.clerk")
    case = m.Case.objects.select_related("dispute").filter(court__organisation=actor.organisation, pk=case_id).first()
    if case is None:
        raise NotFound()
    _near("starts_on", starts_on, _today(today))
    version, p = periods.periods(starts_on)
    cal = periods.official_calendar(starts_on)
    abroad = not case.dispute.respondent_has_domicile
    days = {
        m.DeadlineKind.ANSWER: p.no_domicile_days if abroad else p.answer_days,
        m.DeadlineKind.EVIDENCE: p.evidence_days,
        m.DeadlineKind.APPEAL_JUDGMENT: p.no_domicile_days if abroad else p.appeal_judgment_days,
        m.DeadlineKind.APPEAL_RULING: p.no_domicile_days if abroad else p.appeal_ruling_days,
    }.get(kind)
    if days is None:
        raise field_error("kind", _("This deadline is set by the workflow, not by hand."))
    due = periods.check_not_past(periods.add_days(starts_on, days, cal), today=_today(today))
    owner = case.dispute.respondent if kind == m.DeadlineKind.ANSWER and case.dispute.respondent else (
        case.dispute.claimant)
    with transaction.atomic(durable=True):
        d = _deadline(kind=kind, starts_on=starts_on, due_on=due, owner=owner, case=case, dispute=case.dispute,
                      rule=(gettext_noop("%(days)d days from %(start)s"),
                            {"days": days, "start": starts_on.isoformat()}),
                      versions=(version, cal.version))
        audit.record(actor=actor, action="ipcases.deadline_set", obj=d,
                     changes={"kind": kind, "due": due.isoformat(), "policy_version": version})
    return d


def _recompute_trial_limit(case: m.Case, today: date) -> None:
    _version, p = periods.periods(case.docketed_on)
    months = p.trial_limit_first_months if case.instance == 1 else p.trial_limit_second_months
    excluded = [(e.starts_on, e.ends_on) for e in case.excluded_periods.all()]
    due = periods.trial_limit_due(case.docketed_on, months, excluded, periods.official_calendar(case.docketed_on),
                                  today=today)
    case.trial_limit_due = due
    case.save(update_fields=["trial_limit_due"])
    case.deadlines.filter(kind=m.DeadlineKind.TRIAL_LIMIT, status=m.DeadlineStatus.OPEN).update(due_on=due)


def excluded_period_start(*, actor: Actor, case_id: int, kind: str, starts_on: date,
                          today: date | None = None) -> m.ExcludedPeriod:
    require(actor, "ipcases.judge")
    case = m.Case.objects.filter(court__organisation=actor.organisation, pk=case_id).first()
    if case is None:
        raise NotFound()
    if kind not in dict(m.ExcludedPeriod.KINDS):
        raise field_error("kind", _("Not a period excluded from the trial limit."))
    if starts_on < case.docketed_on:
        raise field_error("starts_on", _("An excluded period cannot start before the case was docketed."))
    _near("starts_on", starts_on, _today(today))
    with transaction.atomic(durable=True):
        case = m.Case.objects.select_for_update().get(pk=case.pk)
        if case.excluded_periods.filter(ends_on__isnull=True).exists():
            raise Conflict(_("Close the open excluded period first."), code="period_open")
        e = m.ExcludedPeriod.objects.create(case=case, kind=kind, starts_on=starts_on)
        _recompute_trial_limit(case, _today(today))
        audit.record(actor=actor, action="ipcases.excluded_period_started", obj=e,
                     changes={"case": case.number, "kind": kind, "from": starts_on.isoformat()})
    return e


def excluded_period_end(*, actor: Actor, period_id: int, ends_on: date, today: date | None = None) -> m.ExcludedPeriod:
    require(actor, "ipcases.judge")
    e = m.ExcludedPeriod.objects.filter(case__court__organisation=actor.organisation, pk=period_id).first()
    if e is None:
        raise NotFound()
    if ends_on < e.starts_on:
        raise field_error("ends_on", _("The end is before the start."))
    _near("ends_on", ends_on, _today(today))
    with transaction.atomic(durable=True):
        case = m.Case.objects.select_for_update().get(pk=e.case_id)
        updated = m.ExcludedPeriod.objects.filter(pk=e.pk, ends_on__isnull=True).update(ends_on=ends_on)
        if not updated:
            raise Conflict(_("This period is already closed."), code="period_closed")
        _recompute_trial_limit(case, _today(today))
        audit.record(actor=actor, action="ipcases.excluded_period_ended", obj=e,
                     changes={"case": case.number, "to": ends_on.isoformat(), "trial_limit": str(case.trial_limit_due)})
    e.refresh_from_db()
    return e


def remind_and_lapse(*, today: date | None = None) -> dict:
    """The daily run: remind whoever must act N days before each open deadline (N from the
    periods policy), and mark deadlines whose day has passed as lapsed."""
    today = _today(today)
    _version, p = periods.periods(today)
    reminded = 0
    targets = [today + timedelta(days=n) for n in p.reminder_days_before] + [today]
    for d in (m.Deadline.objects.filter(status=m.DeadlineStatus.OPEN, due_on__in=targets)
              .exclude(reminded_on=today).select_related("owner", "case", "dispute")):
        ref = d.case.number if d.case else (d.dispute.platform_id if d.dispute else "")
        with transaction.atomic(durable=True):
            if m.Deadline.objects.filter(pk=d.pk).exclude(reminded_on=today).update(reminded_on=today):
                notify_organisation(organisation=d.owner, message_id="ipcases.deadline_due",
                                    params={"kind": d.get_kind_display(), "due": d.due_on.isoformat(), "ref": ref},
                                    url="/ipcases/deadlines/?status=open")
                reminded += 1
    lapsed = m.Deadline.objects.filter(status=m.DeadlineStatus.OPEN, due_on__lt=today).update(
        status=m.DeadlineStatus.LAPSED)
    return {"reminded": reminded, "lapsed": lapsed}


# --- filing ---------------------------------------------------------------------------------------


def filing_submit(*, actor: Actor, site_id: int, subject: str, claims: str, respondent_name: str,
                  complaint_name: str, complaint: bytes, consent: bool, legal_name: str, id_number: str,
                  evidence: list[tuple[str, str, bytes]] = (), respondent_id: int | None = None,
                  respondent_has_domicile: bool = True, claim_fen: int = 0, today: date | None = None) -> m.Filing:
    """A party files at a local service point: identity re-checked, consent recorded for the
    filing stage, complaint and evidence stored, the court's decision due in 7 days."""
    require(actor, "ipcases.file")
    site = m.ServicePoint.objects.select_related("court").filter(pk=site_id).first()
    if site is None:
        raise field_error("site_id", _("Choose a service point."))
    subject, claims, respondent_name = (subject or "").strip(), (claims or "").strip(), (respondent_name or "").strip()
    problems = {}
    if not subject:
        problems["subject"] = [_("Required.")]
    if not claims:
        problems["claims"] = [_("Required.")]
    if not respondent_name:
        problems["respondent_name"] = [_("Required.")]
    if claim_fen < 0 or claim_fen > 10**13:
        problems["claim_fen"] = [_("Give a whole number of fen between 0 and 10^13.")]
    if problems:
        raise ValidationFailed(details=problems)
    if consent is not True:  # checked first so a refusal writes nothing, not even an identity
        _consent(actor=actor, dispute=None, stage=m.Stage.FILING, consent=consent)
    _check_upload("complaint", complaint_name, complaint)
    for _title, name, data in evidence:
        _check_upload("evidence", name, data)
    respondent = None
    if respondent_id is not None:
        respondent = Organisation.objects.filter(pk=respondent_id, is_active=True).first()
        if respondent is None:
            raise field_error("respondent_id", _("No such organisation."))
    today = _today(today)
    version, p = periods.periods(today)
    cal = periods.official_calendar(today)
    with transaction.atomic(durable=True):
        dispute = m.Dispute.objects.create(court=site.court, claimant=actor.organisation, respondent=respondent,
                                           respondent_name=respondent_name[:200], subject=subject[:200],
                                           claim_fen=claim_fen, respondent_has_domicile=respondent_has_domicile)
        # One platform id for the dispute wherever it goes (mediation, first and second instance).
        dispute.platform_id = f"GDIP-{today.year}-{dispute.pk:06d}"
        dispute.save(update_fields=["platform_id"])
        _recheck_identity(actor=actor, dispute=dispute, stage=m.Stage.FILING, legal_name=legal_name,
                          id_number=id_number)
        _consent(actor=actor, dispute=dispute, stage=m.Stage.FILING, consent=consent)
        due = periods.add_days(today, p.filing_decision_days, cal)
        filing = m.Filing(dispute=dispute, site=site, filed_by=actor.user, claims=claims[:20000],
                          complaint_sha256=_sha(complaint), submitted_at=timezone.now(), received_on=today,
                          decision_due=due, policy_version=version, calendar_version=cal.version)
        filing.complaint.save(f"{dispute.platform_id}.bin", ContentFile(complaint), save=False)
        filing.save()
        for title, name, data in evidence:
            doc = m.FilingDocument(filing=filing, title=(title or name)[:200], sha256=_sha(data))
            doc.file.save(f"{dispute.platform_id}-{name[-40:]}", ContentFile(data), save=False)
            doc.save()
        _deadline(kind=m.DeadlineKind.FILING_DECISION, starts_on=today, due_on=due, owner=site.court.organisation,
                  dispute=dispute, versions=(version, cal.version),
                  rule=(gettext_noop("%(days)d days from receipt of complete materials"),
                        {"days": p.filing_decision_days}))
        audit.record(actor=actor, action="ipcases.filing_submitted", obj=filing,
                     changes={"dispute": dispute.platform_id, "site": site.code, "complaint": filing.complaint_sha256,
                              "evidence": len(evidence), "decision_due": due.isoformat()})
        notify_organisation(organisation=site.court.organisation, message_id="ipcases.filing_submitted",
                            params={"ref": dispute.platform_id, "site": site.name},
                            url=f"/ipcases/disputes/{dispute.pk}/")
    return filing


def _filing_for_court(actor: Actor, filing_id: int) -> m.Filing:
    filing = m.Filing.objects.select_related("dispute", "site__court").filter(
        pk=filing_id, site__court__organisation=actor.organisation).first()
    if filing is None:
        raise NotFound()
    return filing


def filing_correct(*, actor: Actor, filing_id: int, note: str, documents: list[tuple[str, str, bytes]],
                   consent: bool, legal_name: str, id_number: str, today: date | None = None) -> m.Filing:
    """The party answers the one consolidated correction notice; the 7 days start again from the
    day the materials are complete."""
    require(actor, "ipcases.file")
    filing = m.Filing.objects.select_related("dispute", "site__court").filter(
        pk=filing_id, dispute__claimant=actor.organisation).first()
    if filing is None:
        raise NotFound()
    if consent is not True:
        raise ValidationFailed(_("Consent to online litigation for this stage is required."),
                               code="consent_required", details={"consent": [_("Required.")]})
    for _title, name, data in documents:
        _check_upload("documents", name, data)
    today = _today(today)
    version, p = periods.periods(today)
    cal = periods.official_calendar(today)
    with transaction.atomic(durable=True):
        filing = m.Filing.objects.select_for_update().get(pk=filing.pk)
        if filing.status != m.FilingStatus.CORRECTION:
            raise Conflict(_("No correction was requested for this filing."), code="no_correction")
        _recheck_identity(actor=actor, dispute=filing.dispute, stage=m.Stage.FILING, legal_name=legal_name,
                          id_number=id_number)
        for title, name, data in documents:
            doc = m.FilingDocument(filing=filing, title=(title or name)[:200], sha256=_sha(data))
            doc.file.save(f"{filing.dispute.platform_id}-{name[-40:]}", ContentFile(data), save=False)
            doc.save()
        due = periods.add_days(today, p.filing_decision_days, cal)
        filing.status, filing.received_on, filing.decision_due = m.FilingStatus.SUBMITTED, today, due
        filing.save(update_fields=["status", "received_on", "decision_due"])
        _deadline(kind=m.DeadlineKind.FILING_DECISION, starts_on=today, due_on=due,
                  owner=filing.site.court.organisation, dispute=filing.dispute, versions=(version, cal.version),
                  rule=(gettext_noop("%(days)d days from receipt of the corrected materials"),
                        {"days": p.filing_decision_days}))
        audit.record(actor=actor, action="ipcases.filing_corrected", obj=filing,
                     changes={"documents": len(documents), "note": note[:500], "decision_due": due.isoformat()})
    return filing


def _ensure_counter(court: m.CourtProfile, year: int, case_type: str) -> None:
    # Created outside the numbering transaction, so two clerks racing to create the year's first
    # counter both end up locking the same row.
    if not m.CaseCounter.objects.filter(court=court, year=year, case_type=case_type).exists():
        try:
            with transaction.atomic():
                m.CaseCounter.objects.create(court=court, year=year, case_type=case_type)
        except IntegrityError:
            pass


def _next_number(court: m.CourtProfile, year: int, case_type: str) -> tuple[int, str]:
    counter = m.CaseCounter.objects.select_for_update().get(court=court, year=year, case_type=case_type)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    return counter.last_serial, f"({year}){court.code}{case_type}{counter.last_serial}号"


def _open_case(*, actor: Actor, dispute: m.Dispute, court: m.CourtProfile, case_type: str, instance: int,
               procedure: str, today: date, lower: m.Case | None = None) -> m.Case:
    version, p = periods.periods(today)
    cal = periods.official_calendar(today)
    serial, number = _next_number(court, today.year, case_type)
    months = p.trial_limit_first_months if instance == 1 else p.trial_limit_second_months
    limit = periods.trial_limit_due(today, months, [], cal, today=today)
    case = m.Case.objects.create(dispute=dispute, court=court, year=today.year, case_type=case_type, serial=serial,
                                 number=number, instance=instance, lower=lower, procedure=procedure,
                                 docketed_on=today, trial_limit_due=limit, policy_version=version)
    versions = (version, cal.version)
    _deadline(kind=m.DeadlineKind.TRIAL_LIMIT, starts_on=today, due_on=limit, owner=court.organisation, case=case,
              dispute=dispute, versions=versions,
              rule=(gettext_noop("%(months)d months from docketing, excluded periods not counted"),
                    {"months": months}))
    if instance == 1:
        abroad = not dispute.respondent_has_domicile
        answer = p.no_domicile_days if abroad else p.answer_days
        _deadline(kind=m.DeadlineKind.ANSWER, starts_on=today, due_on=periods.add_days(today, answer, cal),
                  owner=dispute.respondent or court.organisation, case=case, dispute=dispute, versions=versions,
                  rule=(gettext_noop("%(days)d days from service of the complaint"), {"days": answer}))
        _deadline(kind=m.DeadlineKind.EVIDENCE, starts_on=today,
                  due_on=periods.add_days(today, p.evidence_days, cal), owner=dispute.claimant, case=case,
                  dispute=dispute, versions=versions,
                  rule=(gettext_noop("at least %(days)d days"), {"days": p.evidence_days}))
    return case


def filing_decide(*, actor: Actor, filing_id: int, decision: str, items: list[str] = (), reasons: str = "",
                  procedure: str = "ordinary", judge_id: int | None = None, today: date | None = None):
    """Docket (a case number), one consolidated correction notice, or a refusal with reasons.
    Returns the Case when docketed, else the Filing. The filing row is locked: two clerks docketing
    at once get one case number and one Conflict."""
    require(actor, "ipcases.decide_filing")
    filing = _filing_for_court(actor, filing_id)
    items = [str(i).strip()[:300] for i in items if str(i).strip()]
    if decision not in ("docket", "correct", "refuse"):
        raise field_error("decision", _("Docket, request a correction, or refuse."))
    if decision == "correct" and not items:
        raise field_error("items", _("List everything to correct in the one notice."))
    if decision == "refuse" and not reasons.strip():
        raise field_error("reasons", _("A refusal must give its reasons."))
    if procedure not in ("ordinary", "simplified"):
        raise field_error("procedure", _("Ordinary or simplified."))
    judge = None
    if judge_id is not None:
        judge = User.objects.filter(pk=judge_id, memberships__organisation=actor.organisation).first()
        if judge is None:
            raise field_error("judge_id", _("Not a member of this court."))
    today = _today(today)
    if decision == "docket":
        _ensure_counter(filing.site.court, today.year, m.CaseType.FIRST)
    with transaction.atomic(durable=True):
        filing = (m.Filing.objects.select_for_update(of=("self",)).select_related("dispute", "site__court")
                  .get(pk=filing.pk))
        if filing.status != m.FilingStatus.SUBMITTED:
            raise Conflict(_("This filing has already been decided or is in mediation."), code="already_decided",
                           details={"status": [filing.status]})
        if decision == "correct" and filing.correction_at is not None:
            raise Conflict(_("The one consolidated correction notice has already been issued; docket or refuse."),
                           code="correction_already_issued")
        filing.decided_by, filing.decided_at = actor.user, timezone.now()
        dispute = filing.dispute
        result = filing
        _meet(dispute.deadlines.filter(kind=m.DeadlineKind.FILING_DECISION))
        if decision == "docket":
            filing.status = m.FilingStatus.DOCKETED
            dispute.status = m.DisputeStatus.FIRST_INSTANCE
            result = _open_case(actor=actor, dispute=dispute, court=filing.site.court, case_type=m.CaseType.FIRST,
                                instance=1, procedure=procedure, today=today)
            if judge:
                result.judge = judge
                result.save(update_fields=["judge"])
        elif decision == "correct":
            filing.status, filing.correction_items, filing.correction_at = (m.FilingStatus.CORRECTION, items,
                                                                            timezone.now())
        else:
            filing.status, filing.refusal_reasons = m.FilingStatus.REFUSED, reasons.strip()[:5000]
            dispute.status = m.DisputeStatus.REFUSED
        filing.save()
        dispute.save(update_fields=["status"])
        audit.record(actor=actor, action=f"ipcases.filing_{decision}", obj=filing,
                     changes={"dispute": dispute.platform_id, "items": items, "reasons": reasons[:500],
                              "case": getattr(result, "number", "")})
        notify_organisation(organisation=dispute.claimant, message_id=f"ipcases.filing_{decision}",
                            params={"ref": dispute.platform_id, "number": getattr(result, "number", "")},
                            url=f"/ipcases/disputes/{dispute.pk}/")
    return result


def case_appeal(*, actor: Actor, case_id: int, appellate_court_id: int, against: str = "judgment",
                today: date | None = None) -> m.Case:
    """Forward an appeal to the appellate court: a second-instance case on the same dispute id,
    linked to the first-instance case."""
    require(actor, "ipcases.decide_filing")
    lower = m.Case.objects.select_related("dispute").filter(pk=case_id, court__organisation=actor.organisation,
                                                            instance=1).first()
    if lower is None:
        raise NotFound()
    court = m.CourtProfile.objects.filter(pk=appellate_court_id).first()
    if court is None:
        raise field_error("appellate_court_id", _("No such court."))
    if lower.appeals.exists():
        raise Conflict(_("This case has already been appealed."), code="already_appealed")
    today = _today(today)
    _ensure_counter(court, today.year, m.CaseType.SECOND)
    with transaction.atomic(durable=True):
        lower = m.Case.objects.select_for_update().get(pk=lower.pk)
        if lower.appeals.exists():
            raise Conflict(_("This case has already been appealed."), code="already_appealed")
        case = _open_case(actor=actor, dispute=lower.dispute, court=court, case_type=m.CaseType.SECOND, instance=2,
                          procedure="ordinary", today=today, lower=lower)
        lower.status = m.CaseStatus.DECIDED
        lower.save(update_fields=["status"])
        _meet(lower.deadlines.all())
        m.Dispute.objects.filter(pk=lower.dispute_id).update(status=m.DisputeStatus.SECOND_INSTANCE)
        audit.record(actor=actor, action="ipcases.case_appealed", obj=case,
                     changes={"lower": lower.number, "number": case.number, "against": against})
    return case


# --- entrusted mediation --------------------------------------------------------------------------


def mediation_entrust(*, actor: Actor, filing_id: int, organisation_id: int, phase: str = m.MediationPhase.PRE_FILING,
                      procedure: str = "ordinary", today: date | None = None) -> m.Mediation:
    """The court entrusts the dispute to a mediation organisation: the parties have 2 working days
    to choose a mediator, after which the court assigns one within 3."""
    require(actor, "ipcases.decide_filing")
    filing = _filing_for_court(actor, filing_id)
    org = Organisation.objects.filter(pk=organisation_id, kind=OrgKind.MEDIATION_BODY, is_active=True).first()
    if org is None:
        raise field_error("organisation_id", _("Choose a mediation organisation."))
    if phase not in m.MediationPhase.values:
        raise field_error("phase", _("Before or after filing."))
    today = _today(today)
    version, p = periods.periods(today)
    cal = periods.official_calendar(today)
    select_due = periods.add_working_days(today, p.mediation_select_working_days, cal)
    assign_due = periods.add_working_days(select_due, p.mediation_assign_working_days, cal)
    with transaction.atomic(durable=True):
        filing = m.Filing.objects.select_for_update(of=("self",)).select_related("dispute").get(pk=filing.pk)
        if phase == m.MediationPhase.PRE_FILING and filing.status != m.FilingStatus.SUBMITTED:
            raise Conflict(_("Only a filing awaiting decision can go to pre-filing mediation."), code="wrong_state")
        if filing.dispute.mediations.exclude(status__in=[m.MediationStatus.FAILED]).exists():
            raise Conflict(_("This dispute is already in mediation."), code="already_mediating")
        med = m.Mediation.objects.create(dispute=filing.dispute, organisation=org, phase=phase, procedure=procedure,
                                         entrusted_on=today, select_due=select_due, assign_due=assign_due,
                                         policy_version=version, calendar_version=cal.version)
        if phase == m.MediationPhase.PRE_FILING:
            filing.status = m.FilingStatus.MEDIATION
            filing.save(update_fields=["status"])
            # The filing decision waits for the mediation: its period restarts if mediation fails.
            _meet(filing.dispute.deadlines.filter(kind=m.DeadlineKind.FILING_DECISION))
            m.Dispute.objects.filter(pk=filing.dispute_id).update(status=m.DisputeStatus.MEDIATION)
        versions = (version, cal.version)
        _deadline(kind=m.DeadlineKind.MEDIATION_SELECT, starts_on=today, due_on=select_due,
                  owner=filing.dispute.claimant, dispute=filing.dispute, versions=versions,
                  rule=(gettext_noop("%(n)d working days"), {"n": p.mediation_select_working_days}))
        _deadline(kind=m.DeadlineKind.MEDIATION_ASSIGN, starts_on=select_due, due_on=assign_due,
                  owner=actor.organisation, dispute=filing.dispute, versions=versions,
                  rule=(gettext_noop("%(n)d working days after the parties' window"),
                        {"n": p.mediation_assign_working_days}))
        audit.record(actor=actor, action="ipcases.mediation_entrusted", obj=med,
                     changes={"dispute": filing.dispute.platform_id, "organisation": org.pk, "phase": phase})
        notify_organisation(organisation=org, message_id="ipcases.mediation_entrusted",
                            params={"ref": filing.dispute.platform_id}, url=f"/ipcases/mediations/{med.pk}/")
    return med


def _mediation_for_party(actor: Actor, mediation_id: int) -> m.Mediation:
    med = m.Mediation.objects.select_related("dispute").filter(pk=mediation_id).filter(
        Q(dispute__claimant=actor.organisation) | Q(dispute__respondent=actor.organisation)).first()
    if med is None:
        raise NotFound()
    return med


def _choose(*, med: m.Mediation, mediator_id: int, by: str, actor: Actor, today: date) -> m.Mediator:
    mediator = m.Mediator.objects.filter(pk=mediator_id, organisation=med.organisation, is_active=True).first()
    if mediator is None:
        raise field_error("mediator_id", _("Not on this organisation's roster."))
    if med.declines.filter(mediator=mediator).exists():
        raise Conflict(_("This mediator has already declined this mediation; choose another."),
                       code="mediator_declined")
    _version, p = periods.periods(med.entrusted_on)
    cal = periods.official_calendar(today)
    med.mediator, med.chosen_by, med.status = mediator, by, m.MediationStatus.AWAITING
    med.accept_due = periods.add_working_days(today, p.mediation_accept_working_days, cal)
    med.save(update_fields=["mediator", "chosen_by", "status", "accept_due"])
    _meet(med.dispute.deadlines.filter(kind__in=[m.DeadlineKind.MEDIATION_SELECT, m.DeadlineKind.MEDIATION_ASSIGN]))
    _deadline(kind=m.DeadlineKind.MEDIATION_ACCEPT, starts_on=today, due_on=med.accept_due, owner=med.organisation,
              dispute=med.dispute, versions=(med.policy_version, cal.version),
              rule=(gettext_noop("%(n)d working days"), {"n": p.mediation_accept_working_days}))
    return mediator


def mediation_select(*, actor: Actor, mediation_id: int, mediator_id: int, consent: bool, legal_name: str,
                     id_number: str, today: date | None = None) -> m.Mediation:
    require(actor, "ipcases.party")
    med = _mediation_for_party(actor, mediation_id)
    today = _today(today)
    with transaction.atomic(durable=True):
        med = m.Mediation.objects.select_for_update(of=("self",)).select_related("dispute").get(pk=med.pk)
        if med.status != m.MediationStatus.SELECTING:
            raise Conflict(_("A mediator is no longer being chosen for this mediation."), code="wrong_state")
        if today > med.select_due:
            raise Conflict(_("The parties' window to choose a mediator has passed; the court assigns one."),
                           code="selection_period_passed")
        _consent(actor=actor, dispute=med.dispute, stage=m.Stage.MEDIATION, consent=consent)
        _recheck_identity(actor=actor, dispute=med.dispute, stage=m.Stage.MEDIATION, legal_name=legal_name,
                          id_number=id_number)
        mediator = _choose(med=med, mediator_id=mediator_id, by="parties", actor=actor, today=today)
        audit.record(actor=actor, action="ipcases.mediator_selected", obj=med, changes={"mediator": mediator.pk})
        notify_organisation(organisation=med.organisation, message_id="ipcases.mediation_to_accept",
                            params={"ref": med.dispute.platform_id}, url=f"/ipcases/mediations/{med.pk}/")
    return med


def mediation_assign(*, actor: Actor, mediation_id: int, mediator_id: int, today: date | None = None) -> m.Mediation:
    require(actor, "ipcases.decide_filing")
    med = m.Mediation.objects.filter(pk=mediation_id, dispute__court__organisation=actor.organisation).first()
    if med is None:
        raise NotFound()
    today = _today(today)
    with transaction.atomic(durable=True):
        med = m.Mediation.objects.select_for_update(of=("self",)).select_related("dispute").get(pk=med.pk)
        if med.status != m.MediationStatus.SELECTING:
            raise Conflict(_("A mediator is no longer being chosen for this mediation."), code="wrong_state")
        if today <= med.select_due and not med.declines.exists():
            raise Conflict(_("The parties may still choose a mediator until %(d)s.") % {"d": med.select_due},
                           code="parties_still_choosing")
        mediator = _choose(med=med, mediator_id=mediator_id, by="court", actor=actor, today=today)
        audit.record(actor=actor, action="ipcases.mediator_assigned", obj=med, changes={"mediator": mediator.pk})
        notify_organisation(organisation=med.organisation, message_id="ipcases.mediation_to_accept",
                            params={"ref": med.dispute.platform_id}, url=f"/ipcases/mediations/{med.pk}/")
    return med


def _mediation_for_body(actor: Actor, mediation_id: int) -> m.Mediation:
    med = m.Mediation.objects.filter(pk=mediation_id, organisation=actor.organisation).first()
    if med is None:
        raise NotFound()
    return med


def mediation_accept(*, actor: Actor, mediation_id: int, conflict_disclosure: str,
                     today: date | None = None) -> m.Mediation:
    """The mediator accepts within 3 working days, disclosing any conflict (or stating none)."""
    require(actor, "ipcases.mediate")
    med = _mediation_for_body(actor, mediation_id)
    disclosure = (conflict_disclosure or "").strip()
    if not disclosure:
        raise field_error("conflict_disclosure", _("Disclose any conflict of interest, or state that there is none."))
    today = _today(today)
    with transaction.atomic(durable=True):
        med = m.Mediation.objects.select_for_update(of=("self",)).select_related("dispute", "mediator").get(pk=med.pk)
        if med.status != m.MediationStatus.AWAITING:
            raise Conflict(_("This mediation is not awaiting acceptance."), code="wrong_state")
        if today > med.accept_due:
            raise Conflict(_("The time to accept (until %(d)s) has passed.") % {"d": med.accept_due},
                           code="acceptance_period_passed")
        version, p = periods.periods(med.entrusted_on)
        cal = periods.official_calendar(today)
        days = (p.mediation_pre_filing_days if med.phase == m.MediationPhase.PRE_FILING
                else p.mediation_post_simplified_days if med.procedure == "simplified"
                else p.mediation_post_ordinary_days)
        med.status, med.accepted_on, med.conflict_disclosure = m.MediationStatus.ACTIVE, today, disclosure[:2000]
        med.period_due = periods.add_days(today, days, cal)
        med.save(update_fields=["status", "accepted_on", "conflict_disclosure", "period_due"])
        _meet(med.dispute.deadlines.filter(kind=m.DeadlineKind.MEDIATION_ACCEPT))
        _deadline(kind=m.DeadlineKind.MEDIATION_PERIOD, starts_on=today, due_on=med.period_due,
                  owner=med.organisation, dispute=med.dispute, versions=(version, cal.version),
                  rule=(gettext_noop("%(days)d days"), {"days": days}))
        audit.record(actor=actor, action="ipcases.mediation_accepted", obj=med,
                     changes={"mediator": med.mediator_id, "period_due": med.period_due.isoformat(),
                              "disclosure": disclosure[:200]})
    return med


def mediation_decline(*, actor: Actor, mediation_id: int, reason: str, today: date | None = None) -> m.Mediation:
    """The mediator declines (e.g. a conflict): the choice reopens, and this mediator cannot be
    chosen again for this mediation."""
    require(actor, "ipcases.mediate")
    med = _mediation_for_body(actor, mediation_id)
    if not (reason or "").strip():
        raise field_error("reason", _("Say why."))
    today = _today(today)
    with transaction.atomic(durable=True):
        med = m.Mediation.objects.select_for_update(of=("self",)).select_related("dispute").get(pk=med.pk)
        if med.status != m.MediationStatus.AWAITING or med.mediator_id is None:
            raise Conflict(_("This mediation is not awaiting acceptance."), code="wrong_state")
        m.MediatorDecline.objects.create(mediation=med, mediator_id=med.mediator_id, reason=reason.strip()[:300])
        _version, p = periods.periods(med.entrusted_on)
        cal = periods.official_calendar(today)
        med.mediator, med.status, med.accept_due = None, m.MediationStatus.SELECTING, None
        # The court assigns a replacement within its own window, counted from today.
        med.select_due = today
        med.assign_due = periods.add_working_days(today, p.mediation_assign_working_days, cal)
        med.save(update_fields=["mediator", "status", "accept_due", "select_due", "assign_due"])
        _meet(med.dispute.deadlines.filter(kind=m.DeadlineKind.MEDIATION_ACCEPT))
        _deadline(kind=m.DeadlineKind.MEDIATION_ASSIGN, starts_on=today, due_on=med.assign_due,
                  owner=med.dispute.court.organisation, dispute=med.dispute, versions=(med.policy_version, cal.version),
                  rule=(gettext_noop("%(n)d working days after a decline"), {"n": p.mediation_assign_working_days}))
        audit.record(actor=actor, action="ipcases.mediation_declined", obj=med, changes={"reason": reason[:300]})
    return med


def mediation_fail(*, actor: Actor, mediation_id: int, record: str, today: date | None = None) -> m.Mediation:
    """Mediation failed: the dispute returns to the court with the mediation record; a
    pre-filing dispute's filing awaits the court's decision again (7 days from today)."""
    require(actor, "ipcases.mediate")
    med = _mediation_for_body(actor, mediation_id)
    if not (record or "").strip():
        raise field_error("record", _("Write the mediation record the court will receive."))
    today = _today(today)
    with transaction.atomic(durable=True):
        med = (m.Mediation.objects.select_for_update(of=("self",)).select_related("dispute__court__organisation")
               .get(pk=med.pk))
        if med.status not in (m.MediationStatus.ACTIVE, m.MediationStatus.SIGNING):
            raise Conflict(_("Only an active mediation can fail."), code="wrong_state")
        med.status, med.record, med.closed_at = m.MediationStatus.FAILED, record.strip()[:20000], timezone.now()
        med.save(update_fields=["status", "record", "closed_at"])
        _meet(med.dispute.deadlines.filter(kind=m.DeadlineKind.MEDIATION_PERIOD))
        filing = m.Filing.objects.select_for_update().filter(dispute=med.dispute).first()
        if med.phase == m.MediationPhase.PRE_FILING and filing and filing.status == m.FilingStatus.MEDIATION:
            version, p = periods.periods(today)
            cal = periods.official_calendar(today)
            due = periods.add_days(today, p.filing_decision_days, cal)
            filing.status, filing.received_on, filing.decision_due = m.FilingStatus.SUBMITTED, today, due
            filing.save(update_fields=["status", "received_on", "decision_due"])
            m.Dispute.objects.filter(pk=med.dispute_id).update(status=m.DisputeStatus.FILING)
            _deadline(kind=m.DeadlineKind.FILING_DECISION, starts_on=today, due_on=due,
                      owner=med.dispute.court.organisation, dispute=med.dispute, versions=(version, cal.version),
                      rule=(gettext_noop("%(days)d days after failed mediation"), {"days": p.filing_decision_days}))
        audit.record(actor=actor, action="ipcases.mediation_failed", obj=med, changes={"record": record[:500]})
        notify_organisation(organisation=med.dispute.court.organisation, message_id="ipcases.mediation_failed",
                            params={"ref": med.dispute.platform_id}, url=f"/ipcases/disputes/{med.dispute_id}/")
    return med


def _signers(med: m.Mediation) -> list[Organisation]:
    parties = [med.dispute.claimant] + ([med.dispute.respondent] if med.dispute.respondent else [])
    return [*parties, med.organisation]


def mediation_propose_agreement(*, actor: Actor, mediation_id: int, text: str) -> m.Mediation:
    """The mediator drafts the agreement as a PDF; it takes effect once every party and the
    organisation have signed it (each signature a PAdES revision of the same document)."""
    require(actor, "ipcases.mediate")
    med = _mediation_for_body(actor, mediation_id)
    text = (text or "").strip()
    if not text:
        raise field_error("text", _("Write the agreement."))
    with transaction.atomic(durable=True):
        med = m.Mediation.objects.select_for_update(of=("self",)).select_related("dispute", "mediator").get(pk=med.pk)
        if med.status != m.MediationStatus.ACTIVE:
            raise Conflict(_("Only an active mediation can propose an agreement."), code="wrong_state")
        lines = [f"Dispute {med.dispute.platform_id}", f"Mediator: {med.mediator}",
                 f"Parties: {med.dispute.claimant.name_en or med.dispute.claimant.name} / "
                 f"{med.dispute.respondent_name}",
                 "", *text.splitlines()]
        pdf = pdfsign.make_pdf("Mediation agreement", lines)
        med.agreement_text, med.status = text[:20000], m.MediationStatus.SIGNING
        med.agreement_sha256 = pdfsign.sha256(pdf)
        med.agreement_pdf.save(f"agreement-{med.pk}.pdf", ContentFile(pdf), save=False)
        med.save()
        audit.record(actor=actor, action="ipcases.agreement_proposed", obj=med,
                     changes={"sha256": med.agreement_sha256})
    return med


def mediation_sign(*, actor: Actor, mediation_id: int, legal_name: str = "", id_number: str = "") -> m.Mediation:
    med = m.Mediation.objects.select_related("dispute", "organisation").filter(pk=mediation_id).first()
    if med is None or actor.organisation not in _signers(med):
        raise NotFound()
    is_body = actor.organisation == med.organisation
    require(actor, "ipcases.mediate" if is_body else "ipcases.party")
    with transaction.atomic(durable=True):
        med = m.Mediation.objects.select_for_update(of=("self",)).select_related("dispute").get(pk=med.pk)
        if med.status != m.MediationStatus.SIGNING:
            raise Conflict(_("There is no agreement awaiting signatures."), code="wrong_state")
        if med.signatures.filter(organisation=actor.organisation).exists():
            raise Conflict(_("Your organisation has already signed."), code="already_signed")
        if not is_body:
            _recheck_identity(actor=actor, dispute=med.dispute, stage=m.Stage.MEDIATION, legal_name=legal_name,
                              id_number=id_number)
        with med.agreement_pdf.open("rb") as f:
            current = f.read()
        if pdfsign.sha256(current) != med.agreement_sha256:
            raise Conflict(_("The stored agreement does not match its recorded hash; nothing was signed."),
                           code="document_altered")
        signed = pdfsign.sign(current, org_id=actor.organisation_id, org_name=actor.organisation.name_en or "org",
                              field=f"Sig-org-{actor.organisation_id}", reason="Mediation agreement")
        m.AgreementSignature.objects.create(mediation=med, organisation=actor.organisation, user=actor.user,
                                            signed_sha256=med.agreement_sha256)
        med.agreement_sha256 = pdfsign.sha256(signed)
        med.agreement_pdf.save(f"agreement-{med.pk}.pdf", ContentFile(signed), save=False)
        signed_orgs = set(med.signatures.values_list("organisation_id", flat=True))
        done = {o.pk for o in _signers(med)} <= signed_orgs
        if done:
            med.status, med.effective_at, med.closed_at = m.MediationStatus.SETTLED, timezone.now(), timezone.now()
            _meet(med.dispute.deadlines.filter(kind=m.DeadlineKind.MEDIATION_PERIOD))
            m.Dispute.objects.filter(pk=med.dispute_id).update(status=m.DisputeStatus.SETTLED)
            m.Filing.objects.filter(dispute=med.dispute, status=m.FilingStatus.MEDIATION).update(
                status=m.FilingStatus.WITHDRAWN)
        med.save()
        audit.record(actor=actor, action="ipcases.agreement_signed", obj=med,
                     changes={"sha256": med.agreement_sha256, "in_effect": done})
    return med


# --- hearings and service -------------------------------------------------------------------------


def hearing_schedule(*, actor: Actor, case_id: int, mode: str, starts_at: datetime, ends_at: datetime,
                     judge_id: int, site_id: int | None = None, room: str = "", video_url: str = "") -> m.Hearing:
    """Schedule at a circuit site or by video. A room or a judge already busy at that time is
    refused; the court's profile row is locked so two clerks cannot book the same slot at once."""
    require(actor, "ipcases.clerk")
    case = m.Case.objects.filter(pk=case_id, court__organisation=actor.organisation).first()
    if case is None:
        raise NotFound()
    if mode not in m.HearingMode.values:
        raise field_error("mode", _("At a circuit site or by video."))
    starts_at, ends_at = _aware("starts_at", starts_at), _aware("ends_at", ends_at)
    if ends_at <= starts_at:
        raise field_error("ends_at", _("The end is before the start."))
    if starts_at < timezone.now():
        raise field_error("starts_at", _("A hearing cannot be scheduled in the past."))
    judge = User.objects.filter(pk=judge_id, memberships__organisation=actor.organisation).first()
    if judge is None:
        raise field_error("judge_id", _("Not a member of this court."))
    site = None
    if mode == m.HearingMode.CIRCUIT:
        site = m.ServicePoint.objects.filter(pk=site_id, court=case.court).first()
        if site is None or not room.strip():
            raise field_error("room", _("A circuit hearing needs a site and a room."))
    elif not video_url.startswith("https://"):
        raise field_error("video_url", _("Give the https link of the video hearing."))
    with transaction.atomic(durable=True):
        m.CourtProfile.objects.select_for_update().get(pk=case.court_id)
        overlap = m.Hearing.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
        if overlap.filter(judge=judge).exists():
            raise Conflict(_("The judge already has a hearing at that time."), code="judge_busy")
        if site and overlap.filter(site=site, room=room.strip()).exists():
            raise Conflict(_("The room is already booked at that time."), code="room_busy")
        hearing = m.Hearing.objects.create(case=case, mode=mode, site=site, room=room.strip()[:50], judge=judge,
                                           starts_at=starts_at, ends_at=ends_at, video_url=video_url[:200])
        audit.record(actor=actor, action="ipcases.hearing_scheduled", obj=hearing,
                     changes={"case": case.number, "mode": mode, "starts": starts_at.isoformat()})
        for org in filter(None, [case.dispute.claimant, case.dispute.respondent]):
            notify_organisation(organisation=org, message_id="ipcases.hearing_scheduled",
                                params={"number": case.number, "at": timezone.localtime(starts_at).strftime(
                                    "%Y-%m-%d %H:%M")}, url=f"/ipcases/disputes/{case.dispute_id}/")
    return hearing


def transcript_upload(*, actor: Actor, hearing_id: int, data: bytes) -> m.Hearing:
    require(actor, "ipcases.clerk")
    hearing = m.Hearing.objects.filter(pk=hearing_id, case__court__organisation=actor.organisation).first()
    if hearing is None:
        raise NotFound()
    _check_upload("transcript", "transcript", data)
    with transaction.atomic(durable=True):
        hearing.transcript_sha256 = _sha(data)
        hearing.transcript.save(f"transcript-{hearing.pk}.bin", ContentFile(data), save=False)
        hearing.save()
        hearing.confirmations.all().delete()  # a new transcript needs new confirmations
        audit.record(actor=actor, action="ipcases.transcript_uploaded", obj=hearing,
                     changes={"sha256": hearing.transcript_sha256})
    return hearing


def transcript_confirm(*, actor: Actor, hearing_id: int, sha256: str) -> m.TranscriptConfirmation:
    """A party confirms the transcript it read: the hash it saw must be the current one."""
    require(actor, "ipcases.party")
    hearing = m.Hearing.objects.filter(pk=hearing_id).filter(
        Q(case__dispute__claimant=actor.organisation) | Q(case__dispute__respondent=actor.organisation)).first()
    if hearing is None:
        raise NotFound()
    if not hearing.transcript_sha256:
        raise Conflict(_("No transcript yet."), code="no_transcript")
    if sha256 != hearing.transcript_sha256:
        raise Conflict(_("The transcript has changed since you read it; read it again."), code="transcript_changed")
    with transaction.atomic(durable=True):
        c, _created = m.TranscriptConfirmation.objects.get_or_create(
            hearing=hearing, organisation=actor.organisation,
            defaults={"user": actor.user, "transcript_sha256": sha256})
        audit.record(actor=actor, action="ipcases.transcript_confirmed", obj=hearing, changes={"sha256": sha256})
    return c


def service_send(*, actor: Actor, case_id: int, recipient_id: int, title: str, data: bytes) -> m.ServiceOfDocument:
    """Electronic service: only to a party that consented to it; in effect on arrival in the
    recipient's platform inbox; each event (sent, arrived, opened) traced."""
    require(actor, "ipcases.clerk")
    case = m.Case.objects.select_related("dispute").filter(pk=case_id, court__organisation=actor.organisation).first()
    if case is None:
        raise NotFound()
    if recipient_id not in {case.dispute.claimant_id, case.dispute.respondent_id}:
        raise field_error("recipient_id", _("Not a party to this case."))
    if not has_consented(case.dispute, recipient_id, m.Stage.SERVICE):
        raise Conflict(_("The recipient has not consented to electronic service; serve by other means."),
                       code="no_service_consent")
    _check_upload("file", title, data)
    now = timezone.now()
    with transaction.atomic(durable=True):
        s = m.ServiceOfDocument.objects.create(
            case=case, recipient_id=recipient_id, title=(title or "")[:200], sha256=_sha(data), sent_at=now,
            arrived_at=now, trace=[{"event": "sent", "at": now.isoformat(), "by": actor.label},
                                   {"event": "arrived", "at": now.isoformat(), "channel": "platform inbox"}])
        recipient = Organisation.objects.get(pk=recipient_id)
        n = notify_organisation(organisation=recipient, message_id="ipcases.served",
                                params={"number": case.number, "title": s.title},
                                url=f"/ipcases/disputes/{case.dispute_id}/")
        s.trace.append({"event": "notified", "at": now.isoformat(), "recipients": n})
        s.save(update_fields=["trace"])
        audit.record(actor=actor, action="ipcases.served", obj=s, changes={"case": case.number, "sha256": s.sha256})
    return s


def service_opened(*, actor: Actor, service_id: int) -> m.ServiceOfDocument:
    s = m.ServiceOfDocument.objects.filter(pk=service_id, recipient=actor.organisation).first()
    if s is None:
        raise NotFound()
    with transaction.atomic(durable=True):
        s = m.ServiceOfDocument.objects.select_for_update().get(pk=s.pk)
        now = timezone.now()
        if s.opened_at is None:
            s.opened_at = now
        s.trace.append({"event": "opened", "at": now.isoformat(), "by": actor.label})
        s.save(update_fields=["opened_at", "trace"])
        audit.record(actor=actor, action="ipcases.service_opened", obj=s)
    return s


def consent_give(*, actor: Actor, dispute_id: int, stage: str, legal_name: str, id_number: str) -> m.Consent:
    """A party consents to online litigation for one more stage (e.g. electronic service, hearing)."""
    require(actor, "ipcases.party")
    dispute = m.Dispute.objects.filter(pk=dispute_id).filter(
        Q(claimant=actor.organisation) | Q(respondent=actor.organisation)).first()
    if dispute is None:
        raise NotFound()
    if stage not in m.Stage.values:
        raise field_error("stage", _("Unknown stage."))
    with transaction.atomic(durable=True):
        _recheck_identity(actor=actor, dispute=dispute, stage=stage, legal_name=legal_name, id_number=id_number)
        _consent(actor=actor, dispute=dispute, stage=stage, consent=True)
        audit.record(actor=actor, action="ipcases.consent_given", obj=dispute, changes={"stage": stage})
    return m.Consent.objects.get(dispute=dispute, organisation=actor.organisation, stage=stage)


# --- notarial evidence ----------------------------------------------------------------------------

CHECKLIST = ("clean_os_image", "browser_cache_cleared", "no_proxy", "dns_checked", "clock_synchronised",
             "screen_recorded")


def notarial_request(*, actor: Actor, notary_id: int, title: str, purpose: str, target_url: str = "",
                     dispute_id: int | None = None, today: date | None = None) -> m.NotarialRequest:
    require(actor, "ipcases.notary_request")
    notary = Organisation.objects.filter(pk=notary_id, kind=OrgKind.NOTARY_OFFICE, is_active=True).first()
    if notary is None:
        raise field_error("notary_id", _("Choose a notary office."))
    title, purpose = (title or "").strip(), (purpose or "").strip()
    if not title or not purpose:
        raise ValidationFailed(details={k: [_("Required.")] for k, v in (("title", title), ("purpose", purpose))
                                        if not v})
    if target_url and not target_url.startswith(("http://", "https://")):
        raise field_error("target_url", _("A web address starting with http:// or https://."))
    dispute = None
    if dispute_id is not None:
        dispute = m.Dispute.objects.filter(pk=dispute_id, claimant=actor.organisation).first()
        if dispute is None:
            raise NotFound()
    today = _today(today)
    version, p = periods.periods(today)
    cal = periods.official_calendar(today)
    due = periods.add_working_days(today, p.notarial_certificate_working_days, cal)
    with transaction.atomic(durable=True):
        r = m.NotarialRequest.objects.create(requester=actor.organisation, notary=notary, dispute=dispute,
                                             title=title[:200], purpose=purpose[:300], target_url=target_url[:200],
                                             certificate_due=due, policy_version=version, calendar_version=cal.version)
        _deadline(kind=m.DeadlineKind.NOTARIAL_CERTIFICATE, starts_on=today, due_on=due, owner=notary, notarial=r,
                  dispute=dispute, versions=(version, cal.version),
                  rule=(gettext_noop("%(n)d working days"), {"n": p.notarial_certificate_working_days}))
        audit.record(actor=actor, action="ipcases.notarial_requested", obj=r, changes={"notary": notary.pk})
        notify_organisation(organisation=notary, message_id="ipcases.notarial_requested", params={"title": r.title},
                            url=f"/ipcases/notarial/{r.pk}/")
    return r


def notarial_capture(*, actor: Actor, request_id: int, filename: str, data: bytes, time_source: str,
                     checklist: dict, metadata: dict) -> m.NotarialRequest:
    """The notary's capture record: web-capture metadata, the clean-environment checklist (every
    item must be checked), operator and time source; the file's SHA-256 goes on the trust ledger."""
    require(actor, "ipcases.notary_capture")
    r = m.NotarialRequest.objects.filter(pk=request_id, notary=actor.organisation).first()
    if r is None:
        raise NotFound()
    _check_upload("file", filename, data)
    missing = [k for k in CHECKLIST if checklist.get(k) is not True]
    if missing:
        raise ValidationFailed(_("Every clean-environment check must be done before a capture counts."),
                               code="environment_not_clean", details={"checklist": missing})
    if not (time_source or "").strip():
        raise field_error("time_source", _("Name the time source (e.g. the national time service)."))
    with transaction.atomic(durable=True):
        r = m.NotarialRequest.objects.select_for_update().get(pk=r.pk)
        if r.status != m.NotarialStatus.REQUESTED:
            raise Conflict(_("This request has already been captured."), code="wrong_state")
        ev = ledger_services.deposit_evidence(actor=actor, title=r.title, data=data, filename=filename[:255],
                                              content_type="application/octet-stream")
        r.file.save(f"{r.uid}.bin", ContentFile(data), save=False)
        r.filename, r.sha256, r.evidence_uid = filename[:255], ev.sha256, ev.uid
        r.operator, r.captured_at, r.time_source = actor.user, timezone.now(), time_source.strip()[:200]
        r.environment_checklist = {k: True for k in CHECKLIST}
        r.capture_metadata = {str(k)[:50]: str(v)[:500] for k, v in list((metadata or {}).items())[:30]}
        r.status = m.NotarialStatus.CAPTURED
        r.save()
        audit.record(actor=actor, action="ipcases.notarial_captured", obj=r,
                     changes={"sha256": r.sha256, "evidence": str(ev.uid), "time_source": r.time_source})
    return r


def notarial_certify(*, actor: Actor, request_id: int) -> m.NotarialRequest:
    """Issue the notarial certificate: the ledger receipt for the file (published and witnessed
    checkpoint), then a PDF certificate naming the hash, the receipt's index and checkpoint,
    signed by the notary office (PAdES)."""
    require(actor, "ipcases.notary_certify")
    r = m.NotarialRequest.objects.filter(pk=request_id, notary=actor.organisation).first()
    if r is None:
        raise NotFound()
    if r.status != m.NotarialStatus.CAPTURED:
        raise Conflict(_("Only captured evidence can be certified."), code="wrong_state")
    evidence = ledger_selectors.evidence_get(actor, r.evidence_uid)
    receipt = ledger_services.issue_receipt(actor=actor, evidence=evidence)  # its own transactions
    with transaction.atomic(durable=True):
        r = m.NotarialRequest.objects.select_for_update().get(pk=r.pk)
        if r.status != m.NotarialStatus.CAPTURED:
            raise Conflict(_("Only captured evidence can be certified."), code="wrong_state")
        number = f"({timezone.localdate().year})GZNF-E{r.pk:05d}"
        lines = [f"Certificate {number}", f"Requested by: {r.requester.name_en or r.requester.name}",
                 f"Title: {r.title}", f"Web page: {r.target_url or '-'}", f"File: {r.filename}",
                 f"SHA-256: {r.sha256}", f"Captured at: {r.captured_at.isoformat()} (time source: {r.time_source})",
                 f"Operator: {r.operator.username if r.operator else '-'}",
                 "Clean environment: " + ", ".join(CHECKLIST),
                 f"Ledger receipt: {receipt.splitlines()[1 if receipt.startswith('c2sp') else 0][:80]}",
                 "The notary office certifies that the file above was captured as recorded and preserved on the "
                 "trust ledger under the receipt held with this certificate."]
        pdf = pdfsign.sign(pdfsign.make_pdf("Notarial certificate (electronic evidence)", lines),
                           org_id=actor.organisation_id, org_name=actor.organisation.name_en or "notary",
                           field="Notary", reason="Notarial certificate")
        r.receipt, r.certificate_number, r.certified_at = receipt, number, timezone.now()
        r.certificate_pdf.save(f"certificate-{r.pk}.pdf", ContentFile(pdf), save=False)
        r.status = m.NotarialStatus.CERTIFIED
        r.save()
        _meet(r.deadlines.all())
        audit.record(actor=actor, action="ipcases.notarial_certified", obj=r,
                     changes={"number": number, "certificate": pdfsign.sha256(pdf)})
        notify_organisation(organisation=r.requester, message_id="ipcases.notarial_certified",
                            params={"title": r.title}, url=f"/ipcases/notarial/{r.pk}/")
    return r


def evidence_attach(*, actor: Actor, request_id: int, dispute_id: int) -> m.NotarialRequest:
    """The requester attaches notarised evidence to one of its disputes: it follows the case."""
    require(actor, "ipcases.party")
    r = m.NotarialRequest.objects.filter(pk=request_id, requester=actor.organisation).first()
    dispute = m.Dispute.objects.filter(pk=dispute_id).filter(
        Q(claimant=actor.organisation) | Q(respondent=actor.organisation)).first()
    if r is None or dispute is None:
        raise NotFound()
    with transaction.atomic(durable=True):
        updated = m.NotarialRequest.objects.filter(pk=r.pk, dispute__isnull=True).update(dispute=dispute)
        if not updated and r.dispute_id != dispute.pk:
            raise Conflict(_("This evidence is already attached to another dispute."), code="already_attached")
        audit.record(actor=actor, action="ipcases.evidence_attached", obj=r, changes={"dispute": dispute.platform_id})
    r.refresh_from_db()
    return r
