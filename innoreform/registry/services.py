"""Writes for the registry. Each: keyword-only, a required actor, one transaction, an audit
record in that transaction. Rule parameters come from the policy versions in force, and each
decision stores the version it applied."""

import hashlib
import json
import math
import secrets
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from innoreform.core import audit, context, spreadsheets
from innoreform.core import services as core_services
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, field_error
from innoreform.core.models import FINANCIAL_KINDS, Organisation
from innoreform.core.selectors import policy_in_force
from innoreform.ledger import services as ledger

from . import assemble, imports, sharing
from . import evaluation as ev
from . import index as ix
from . import models as m
from .permissions import require
from .policies import CYCLE_KEY, EVALUATION_KEY, INDEX_KEY, NOTICE_KEY, TechSmeCycleRules
from .selectors import department_scope, own_enterprise

BACKGROUND_BYTES = 512 * 1024  # larger uploads are processed by a background job


def evaluation_rules(on: date | None = None) -> ev.Rules:
    policy = policy_in_force(EVALUATION_KEY, on)
    return ev.compile_rules(policy.parameters, version=policy.version)


def cycle_rules(on: date | None = None) -> tuple[int, TechSmeCycleRules]:
    policy = policy_in_force(CYCLE_KEY, on)
    return policy.version, TechSmeCycleRules(**policy.parameters)


def index_rules(on: date | None = None) -> ix.IndexRules:
    policy = policy_in_force(INDEX_KEY, on)
    return ix.compile_index_rules(policy.parameters, version=policy.version)


# --- imports ------------------------------------------------------------------------------------------


def import_upload(*, actor: Actor, template: str, filename: str, content: bytes) -> m.ImportBatch:
    """Keep the file, then validate and apply it (now, or as a background job when large).

    The same file imported again is recorded as a duplicate and changes nothing."""
    require(actor, "registry.import")
    if actor.user is None:
        raise PermissionDenied()
    if template not in imports.TEMPLATES:
        raise field_error("template", _("Unknown import template."))
    if not content:
        raise field_error("file", _("The file is empty."))
    digest = imports.sha256(content)
    name = (filename or "upload").replace("/", "_").replace("\\", "_")[-150:]
    with transaction.atomic():
        previous = m.ImportBatch.objects.filter(template=template, content_sha256=digest,
                                                status=m.ImportStatus.APPLIED).first()
        batch = m.ImportBatch(template=template, original_name=name, content_sha256=digest,
                              created_by=actor.user, organisation=actor.organisation)
        if previous is not None:
            batch.status = m.ImportStatus.DUPLICATE
            batch.duplicate_of = previous
            batch.file.name = previous.file.name  # the bytes are identical: keep one copy
            batch.rows_total = previous.rows_total
            batch.finished_at = timezone.now()
            batch.save()
            audit.record(actor=actor, action="registry.import_repeated", obj=batch,
                         changes={"template": template, "sha256": digest, "duplicate_of": previous.pk})
            return batch
        batch.file.save(name, ContentFile(content), save=False)
        background = len(content) > BACKGROUND_BYTES or _unpacked(content, name) > spreadsheets.foreground_bytes()
        if background:
            job = core_services.job_create(actor=actor, kind="registry.import")
            batch.job = job
        batch.save()
        audit.record(actor=actor, action="registry.import_uploaded", obj=batch,
                     changes={"template": template, "sha256": digest, "file": name, "bytes": len(content),
                              "background": background})
        if background:
            from .tasks import process_import

            transaction.on_commit(lambda: process_import.enqueue(batch_id=batch.pk))
    if not background:
        import_process(batch_id=batch.pk)
        batch.refresh_from_db()
    return batch


def _unpacked(content: bytes, name: str) -> int:
    # A small .xlsx can unpack to a lot of XML (a zip bomb): such a file is a background job too.
    # A file that is no spreadsheet at all is refused by import_process, with its message.
    try:
        return spreadsheets.unpacked_size(content, filename=name)
    except spreadsheets.SpreadsheetRefused:
        return 0


def _progress(batch: m.ImportBatch, done: int, message: str = "") -> None:
    if batch.job_id:
        core_services.job_progress(job_id=batch.job_id, done=done, message=message)


def import_process(*, batch_id: int) -> m.ImportBatch:
    """Validate every row, then apply all rows in one transaction, or none."""
    batch = m.ImportBatch.objects.select_related("created_by", "organisation").get(pk=batch_id)
    if batch.status not in (m.ImportStatus.QUEUED, m.ImportStatus.RUNNING):
        return batch
    actor = Actor.for_user(batch.created_by, batch.organisation_id)
    template = imports.TEMPLATES[batch.template]
    m.ImportBatch.objects.filter(pk=batch.pk).update(status=m.ImportStatus.RUNNING)
    with batch.file.open("rb") as fh:
        content = fh.read()
    try:
        header, rows = imports.read_table(content, batch.original_name)
        validated = imports.validate(template, header, rows,
                                     progress=lambda n: _progress(batch, n, gettext("Checking rows")))
        ids = imports.check_enterprises(template, validated)
        imports.check_shares(template, validated)
    except imports.FileUnreadable as exc:
        return _reject(batch, actor, [{"row": 1, "messages": [str(exc)]}], 0)
    if validated.errors:
        return _reject(batch, actor, validated.errors, validated.total)
    try:
        with transaction.atomic():
            _progress(batch, validated.total, gettext("Applying"))
            summary = template.apply(validated.rows, ids)
            batch.status = m.ImportStatus.APPLIED
            batch.rows_total = validated.total
            batch.summary = summary
            batch.finished_at = timezone.now()
            batch.save(update_fields=["status", "rows_total", "summary", "finished_at"])
            audit.record(actor=actor, action="registry.import_applied", obj=batch,
                         changes={"template": batch.template, "rows": validated.total, **summary})
            if summary["created"] or summary["updated"]:
                from .tasks import recompute_index

                transaction.on_commit(lambda: recompute_index.enqueue())
    except IntegrityError:
        # Another upload of the same bytes was applied first (unique template + hash).
        with transaction.atomic():
            first = m.ImportBatch.objects.filter(template=batch.template, content_sha256=batch.content_sha256,
                                                 status=m.ImportStatus.APPLIED).first()
            m.ImportBatch.objects.filter(pk=batch.pk).update(status=m.ImportStatus.DUPLICATE, duplicate_of=first,
                                                             finished_at=timezone.now())
            audit.record(actor=actor, action="registry.import_repeated", obj=batch, changes={"race": True})
    if batch.job_id:
        core_services.job_finish(job_id=batch.job_id, ok=True, result={"batch": batch.pk, **batch.summary})
    batch.refresh_from_db()
    return batch


def _reject(batch: m.ImportBatch, actor: Actor, errors: list[dict], total: int) -> m.ImportBatch:
    with transaction.atomic():
        batch.status = m.ImportStatus.REJECTED
        batch.errors = errors[:20000]
        batch.error_count = len(errors)
        batch.rows_total = total
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "errors", "error_count", "rows_total", "finished_at"])
        audit.record(actor=actor, action="registry.import_rejected", obj=batch,
                     changes={"template": batch.template, "rows": total, "errors": len(errors)},
                     outcome="failed")
    if batch.job_id:
        core_services.job_finish(job_id=batch.job_id, ok=False, result={"batch": batch.pk},
                                 message=gettext("%(n)s rows have errors; nothing was imported.") % {"n": len(errors)})
    return batch


# --- the annual cycle -----------------------------------------------------------------------------------


def entry_block(enterprise: m.Enterprise, year: int, rules: TechSmeCycleRules) -> str | None:
    """Why the enterprise may not declare for `year`, or None."""
    for revoked in enterprise.declarations.filter(status=m.DeclarationStatus.REVOKED, revoked_at__isnull=False):
        revoked_year = timezone.localtime(revoked.revoked_at).year
        if revoked.falsification and revoked_year <= year <= revoked_year + rules.falsification_ban_years:
            return "falsification_ban"
        if revoked_year == year or revoked.year == year:
            return "revoked_this_year"
    return None


def risk_flags(enterprise: m.Enterprise, *, year: int, on: date, figures: dict, result: ev.Evaluation,
               rules: TechSmeCycleRules, pass_score: int) -> list[str]:
    """The listed risk cases that require an on-site check."""
    flags = []
    limit = rules.data_mismatch_percent
    gov = m.YearlyIndicator.objects.filter(enterprise=enterprise, year=year - 1).first()

    def differs(declared: int, recorded: int | None) -> bool:
        if recorded is None:
            return False
        if recorded == 0:
            return declared != 0
        return abs(Decimal(declared - recorded)) * 100 / Decimal(recorded) > limit

    if gov is not None:
        staff_ref = gov.insured_staff if gov.insured_staff is not None else gov.staff_total
        if differs(figures["staff_total"], staff_ref):
            flags.append("staff_mismatch")
        if differs(figures["sales_fen"], gov.sales_fen) or differs(figures["rd_expense_fen"], gov.rd_expense_fen):
            flags.append("tax_mismatch")
    before = m.YearlyIndicator.objects.filter(enterprise=enterprise, year=year - 2).first()
    if before is not None and before.sales_fen and before.rd_expense_fen is not None and figures["sales_fen"]:
        now_pct = Decimal(figures["rd_expense_fen"]) * 100 / Decimal(figures["sales_fen"])
        then_pct = Decimal(before.rd_expense_fen) * 100 / Decimal(before.sales_fen)
        if now_pct - then_pct > rules.rd_jump_percent_points:
            flags.append("rd_jump")
    if enterprise.registered_on is not None:
        months = (on.year - enterprise.registered_on.year) * 12 + on.month - enterprise.registered_on.month
        if months < rules.young_enterprise_months:
            flags.append("young_enterprise")
    if result.passed and result.route is None and result.score < pass_score + rules.borderline_points:
        flags.append("borderline_score")
    if enterprise.judgments.filter(role=m.CourtJudgment.Role.DEFENDANT, judged_on__year__gte=year - 1).exists():
        flags.append("recent_litigation")
    return flags


FIGURES = ("staff_total", "tech_staff", "sales_fen", "total_assets_fen", "rd_expense_fen", "total_cost_fen")


def _check_figures(figures: dict) -> None:
    errors: dict[str, list[str]] = {}
    for key in FIGURES:
        value = figures.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[key] = [gettext("Enter a whole number of at least 0.")]
    if not errors:
        if figures["tech_staff"] > figures["staff_total"]:
            errors["tech_staff"] = [gettext("Technical staff cannot exceed total staff.")]
        if figures["rd_expense_fen"] > figures["total_cost_fen"]:
            errors["rd_expense_fen"] = [gettext("R&D expense cannot exceed total cost.")]
    if errors:
        raise ValidationFailed(details=errors)


def evaluation_preview(*, actor: Actor, year: int, on: date | None = None, **figures) -> ev.Evaluation:
    """Evaluate without saving (the declaration form's live check)."""
    enterprise = own_enterprise(actor=actor)
    _check_figures(figures)
    on = on or timezone.localdate()
    major = bool(figures.pop("major_incident", False))
    facts = assemble.facts_for(enterprise, year=year, on=on, major_incident=major, **figures)
    return ev.evaluate(facts, evaluation_rules(on))


def declaration_submit(*, actor: Actor, year: int, staff_total: int, tech_staff: int, sales_fen: int,
                       total_assets_fen: int, rd_expense_fen: int, total_cost_fen: int,
                       major_incident: bool = False, on: date | None = None) -> m.Declaration:
    """The enterprise's self-declaration for `year` (figures of year - 1), evaluated at once."""
    require(actor, "registry.declare")
    enterprise = own_enterprise(actor=actor)
    figures = {"staff_total": staff_total, "tech_staff": tech_staff, "sales_fen": sales_fen,
               "total_assets_fen": total_assets_fen, "rd_expense_fen": rd_expense_fen,
               "total_cost_fen": total_cost_fen}
    _check_figures(figures)
    on = on or timezone.localdate()
    if year not in (on.year, on.year + 1):
        raise field_error("year", _("Declarations are for the current evaluation year."))
    cycle_version, cycle = cycle_rules(on)
    rules = evaluation_rules(on)
    with transaction.atomic():
        enterprise = m.Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        block = entry_block(enterprise, year, cycle)
        if block == "falsification_ban":
            raise Conflict(_("The enterprise is barred for falsification and cannot declare yet."),
                           code="falsification_ban")
        if block == "revoked_this_year":
            raise Conflict(_("A revoked enterprise cannot declare again in the same year."),
                           code="revoked_this_year")
        if enterprise.declarations.filter(year=year, status__in=m.ACTIVE_DECLARATION).exists():
            raise Conflict(_("A declaration for this year is already in progress or listed."),
                           code="already_declared")
        facts = assemble.facts_for(enterprise, year=year, on=on, major_incident=major_incident, **figures)
        result = ev.evaluate(facts, rules)
        flags = risk_flags(enterprise, year=year, on=on, figures=figures, result=result, rules=cycle,
                           pass_score=rules.pass_score)
        declaration = m.Declaration.objects.create(
            enterprise=enterprise, year=year, major_incident=major_incident, evaluation=result.as_dict(),
            score=result.score, passed=result.passed, route=result.route or "", policy_version=rules.version,
            submitted_by=actor.user, risk_flags=flags, **figures,
        )
        audit.record(actor=actor, action="registry.declaration_submitted", obj=declaration,
                     changes={"year": year, "score": result.score, "passed": result.passed,
                              "policy_version": rules.version, "cycle_policy_version": cycle_version,
                              "risk_flags": flags})
    return declaration


def _department_declaration(actor: Actor, declaration_id: int, *, lock: bool = True) -> m.Declaration:
    qs = department_scope(actor, m.Declaration.objects.select_related("enterprise"), "enterprise__region")
    if lock:
        qs = qs.select_for_update()
    found = qs.filter(pk=declaration_id).first()
    if found is None:
        raise NotFound()
    return found


def declaration_review(*, actor: Actor, declaration_id: int, recommend: str, note: str = "") -> m.Declaration:
    """First step (maker): a reviewer recommends approval or rejection."""
    require(actor, "registry.review")
    if recommend not in ("approve", "reject"):
        raise field_error("recommend", _("Recommend approve or reject."))
    if recommend == "reject" and not note.strip():
        raise field_error("note", _("Give the reason for recommending rejection."))
    with transaction.atomic():
        declaration = _department_declaration(actor, declaration_id)
        if declaration.status != m.DeclarationStatus.SUBMITTED:
            raise Conflict(_("Only a submitted declaration can be reviewed."), code="wrong_status")
        if recommend == "approve" and not declaration.passed:
            raise Conflict(_("The evaluation does not meet the rules; it cannot be recommended for approval."),
                           code="does_not_qualify")
        declaration.status = m.DeclarationStatus.RECOMMENDED
        declaration.recommendation = recommend
        declaration.review_note = note.strip()[:500]
        declaration.reviewed_by = actor.user
        declaration.reviewed_at = timezone.now()
        declaration.save(update_fields=["status", "recommendation", "review_note", "reviewed_by", "reviewed_at"])
        audit.record(actor=actor, action="registry.declaration_reviewed", obj=declaration,
                     changes={"recommend": recommend, "note": declaration.review_note})
    return declaration


def declaration_decide(*, actor: Actor, declaration_id: int, approve: bool, note: str = "") -> m.Declaration:
    """Second step (checker): another person approves or rejects."""
    require(actor, "registry.approve")
    with transaction.atomic():
        declaration = _department_declaration(actor, declaration_id)
        if declaration.status != m.DeclarationStatus.RECOMMENDED:
            raise Conflict(_("The declaration must be reviewed before a decision."), code="not_reviewed")
        if actor.user is not None and declaration.reviewed_by_id == actor.user.pk:
            raise PermissionDenied(_("You cannot approve what you reviewed."), code="maker_checker")
        if approve and not declaration.passed:
            raise Conflict(_("The evaluation does not meet the rules."), code="does_not_qualify")
        declaration.status = m.DeclarationStatus.APPROVED if approve else m.DeclarationStatus.REJECTED
        declaration.decided_by = actor.user
        declaration.decided_at = timezone.now()
        if note.strip():
            declaration.review_note = (declaration.review_note + " | " + note.strip())[:500]
        declaration.save(update_fields=["status", "decided_by", "decided_at", "review_note"])
        audit.record(actor=actor, action="registry.declaration_approved" if approve
                     else "registry.declaration_rejected", obj=declaration, changes={"note": note.strip()[:500]})
    return declaration


def batch_publish(*, actor: Actor, year: int, region: str) -> m.ListingBatch:
    """Publish the approved declarations of a city as a batch: registration numbers, the public
    list, and on-site checks for the risk cases plus a random sample of at least the policy share."""
    require(actor, "registry.approve")
    if not department_scope(actor, m.Enterprise.objects.filter(region=region), "region").exists():
        raise NotFound()
    cycle_version, cycle = cycle_rules()
    rng = secrets.SystemRandom()
    with transaction.atomic():
        pending = list(department_scope(actor, m.Declaration.objects.select_for_update(), "enterprise__region")
                       .filter(year=year, status=m.DeclarationStatus.APPROVED, enterprise__region=region)
                       .order_by("pk"))
        if not pending:
            raise Conflict(_("There are no approved declarations to publish."), code="nothing_to_publish")
        last = m.ListingBatch.objects.filter(year=year, region=region).order_by("-number").first()
        number = (last.number + 1) if last else 1
        sample_size = math.ceil(Decimal(len(pending)) * cycle.random_sample_percent / 100)
        sampled = {d.pk for d in rng.sample(pending, min(sample_size, len(pending)))}
        batch = m.ListingBatch.objects.create(year=year, number=number, region=region, published_by=actor.user,
                                              size=len(pending), sample_size=len(sampled),
                                              policy_version=cycle_version)
        serial = m.Declaration.objects.filter(year=year, enterprise__region=region,
                                              registration_number__isnull=False).count()
        now = timezone.now()
        for declaration in pending:
            serial += 1
            declaration.registration_number = registration_number(year, region, number, serial)
            declaration.status = m.DeclarationStatus.LISTED
            declaration.batch = batch
            declaration.listed_at = now
            declaration.sampled = declaration.pk in sampled
        m.Declaration.objects.bulk_update(pending, ["registration_number", "status", "batch", "listed_at", "sampled"])
        audit.record(actor=actor, action="registry.batch_published", obj=batch,
                     changes={"year": year, "region": region, "size": len(pending), "sampled": sorted(sampled),
                              "risk_checks": sum(1 for d in pending if d.risk_flags),
                              "cycle_policy_version": cycle_version})
    return batch


def registration_number(year: int, region: str, batch: int, serial: int) -> str:
    """Platform format: year (4) + city division code (6) + batch (2) + serial (5)."""
    return f"{year:04d}{region}{batch:02d}{serial:05d}"


def declaration_revoke(*, actor: Actor, declaration_id: int, reason: str, falsification: bool = False
                       ) -> m.Declaration:
    require(actor, "registry.approve")
    if not reason.strip():
        raise field_error("reason", _("Give the reason for revocation."))
    with transaction.atomic():
        declaration = _department_declaration(actor, declaration_id)
        if declaration.status not in (m.DeclarationStatus.LISTED, m.DeclarationStatus.APPROVED):
            raise Conflict(_("Only an approved or listed enterprise can be revoked."), code="wrong_status")
        declaration.status = m.DeclarationStatus.REVOKED
        declaration.revoked_at = timezone.now()
        declaration.revoked_by = actor.user
        declaration.revoke_reason = reason.strip()[:500]
        declaration.falsification = falsification
        declaration.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason", "falsification"])
        audit.record(actor=actor, action="registry.declaration_revoked", obj=declaration,
                     changes={"reason": declaration.revoke_reason, "falsification": falsification,
                              "registration_number": declaration.registration_number})
    return declaration


def listings_lapse_overdue(*, actor: Actor, on: date | None = None) -> int:
    """After the update deadline (31 March by default), listings of last year whose enterprise
    has not declared for this year lapse."""
    require(actor, "registry.approve")
    on = on or timezone.localdate()
    _version, cycle = cycle_rules(on)
    deadline = date(on.year, cycle.update_deadline_month, cycle.update_deadline_day)
    if on <= deadline:
        return 0
    with transaction.atomic():
        stale = (department_scope(actor, m.Declaration.objects.select_for_update(), "enterprise__region")
                 .filter(year=on.year - 1, status=m.DeclarationStatus.LISTED)
                 .exclude(enterprise__declarations__year=on.year,
                          enterprise__declarations__submitted_at__date__lte=deadline))
        ids = list(stale.values_list("pk", flat=True))
        m.Declaration.objects.filter(pk__in=ids).update(status=m.DeclarationStatus.LAPSED)
        audit.record(actor=actor, action="registry.listings_lapsed", object_type="registry.declaration",
                     changes={"deadline": deadline.isoformat(), "count": len(ids), "ids": ids[:1000]})
    return len(ids)


# --- innovation index ------------------------------------------------------------------------------------


def _quant(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def index_recompute(*, actor: Actor, year: int | None = None) -> int:
    """Recompute the index of every enterprise for `year` (default: last year) and the
    percentiles within industry and city."""
    require(actor, "registry.recompute")
    year = year or timezone.localdate().year - 1
    rules = index_rules()
    inputs = assemble.index_inputs(year, rules)
    ids = list(inputs)
    scored = ix.score_many([inputs[i] for i in ids], rules)
    meta = dict(m.Enterprise.objects.values_list("id", "industry_code"))
    cities = dict(m.Enterprise.objects.values_list("id", "region"))
    values = [s for s, _parts in scored]
    by_industry = ix.percentiles(values, [meta.get(i, "") for i in ids])
    by_city = ix.percentiles(values, [cities.get(i, "") for i in ids])
    rows = [
        {"enterprise_id": eid, "year": year, "score": _quant(total), "percentile_industry": _quant(pi),
         "percentile_city": _quant(pc), "contributions": parts, "inputs": inputs[eid].as_dict(),
         "policy_version": rules.version}
        for eid, (total, parts), pi, pc in zip(ids, scored, by_industry, by_city, strict=True)
    ]
    with transaction.atomic():
        counts = imports.upsert(m.IndexScore, ("enterprise_id", "year"), rows)
        audit.record(actor=actor, action="registry.index_recomputed", object_type="registry.indexscore",
                     changes={"year": year, "enterprises": len(rows), "policy_version": rules.version, **counts})
    return len(rows)


# --- consented sharing --------------------------------------------------------------------------------------


def consent_notice(on: date | None = None) -> tuple[int, dict]:
    policy = policy_in_force(NOTICE_KEY, on)
    return policy.version, policy.parameters


def grant_create(*, actor: Actor, institution_id: int, categories: list[str], purpose: str, valid_until: date,
                 notice_version: int) -> m.ConsentGrant:
    """Separate consent (PIPL art. 23): one named institution, named categories, a purpose, an end date,
    after reading the notice version in force."""
    require(actor, "registry.grant")
    enterprise = own_enterprise(actor=actor)
    errors: dict[str, list[str]] = {}
    clean = sorted(set(categories or []))
    if not clean or any(c not in m.DataCategory.values for c in clean):
        errors["categories"] = [gettext("Choose at least one known data category.")]
    if purpose not in m.Purpose.values:
        errors["purpose"] = [gettext("Choose a purpose.")]
    today = timezone.localdate()
    if valid_until <= today:
        errors["valid_until"] = [gettext("The end date must be in the future.")]
    elif (valid_until - today).days > 3 * 366:
        errors["valid_until"] = [gettext("An authorisation lasts at most three years.")]
    institution = Organisation.objects.filter(pk=institution_id, kind__in=FINANCIAL_KINDS, is_active=True).first()
    if institution is None:
        errors["institution_id"] = [gettext("Choose a bank, guarantor, insurer or investor.")]
    if errors:
        raise ValidationFailed(details=errors)
    version, _notice = consent_notice()
    if notice_version != version:
        raise Conflict(_("The notice has changed; read the current version before granting."),
                       code="notice_outdated", details={"notice_version": version})
    with transaction.atomic():
        grant = m.ConsentGrant.objects.create(enterprise=enterprise, institution=institution, categories=clean,
                                              purpose=purpose, valid_until=valid_until, notice_version=version,
                                              granted_by=actor.user)
        audit.record(actor=actor, action="registry.grant_created", obj=grant,
                     changes={"institution": institution.pk, "categories": clean, "purpose": purpose,
                              "valid_until": valid_until.isoformat(), "notice_version": version})
        ledger.append_commitment(
            actor=actor, entry_type="registry.consent_granted", obj=grant,
            subject_organisation=enterprise.organisation_id, consent_id=str(grant.pk), purpose=purpose, payload={
                "enterprise": enterprise.credit_code, "institution": institution.pk, "categories": clean,
                "purpose": purpose, "valid_until": valid_until.isoformat(), "notice_version": version})
    return grant


def grant_revoke(*, actor: Actor, grant_id: int) -> m.ConsentGrant:
    require(actor, "registry.grant")
    enterprise = own_enterprise(actor=actor)
    with transaction.atomic():
        grant = m.ConsentGrant.objects.select_for_update().filter(pk=grant_id, enterprise=enterprise).first()
        if grant is None:
            raise NotFound()
        if grant.revoked_at is not None:
            raise Conflict(_("This authorisation is already revoked."), code="already_revoked")
        grant.revoked_at = timezone.now()
        grant.revoked_by = actor.user
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(actor=actor, action="registry.grant_revoked", obj=grant,
                     changes={"institution": grant.institution_id})
        ledger.append_commitment(
            actor=actor, entry_type="registry.consent_revoked", obj=grant,
            subject_organisation=enterprise.organisation_id, consent_id=str(grant.pk), purpose=grant.purpose,
            payload={"enterprise": enterprise.credit_code, "institution": grant.institution_id,
                     "revoked_at": grant.revoked_at.isoformat()})
    return grant


def _valid_grants(actor: Actor, credit_code: str, purpose: str):
    today = timezone.localdate()
    return (m.ConsentGrant.objects.select_related("enterprise")
            .filter(enterprise__credit_code=credit_code, institution_id=actor.organisation_id, purpose=purpose,
                    revoked_at__isnull=True, valid_until__gte=today).order_by("-id"))


def bank_read(*, actor: Actor, credit_code: str, purpose: str) -> dict[str, Any]:
    """An institution reads an enterprise's data under a valid grant: only the granted categories.

    No valid grant (none, expired, revoked, another purpose or institution) is NotFound; the
    denial is audited by the API layer. Every read is recorded for the enterprise to see."""
    require(actor, "registry.bank_read")
    with transaction.atomic():
        grants = list(_valid_grants(actor, credit_code, purpose))
        if not grants:
            raise NotFound(code="no_valid_grant")
        enterprise = grants[0].enterprise
        categories = sorted({c for g in grants for c in g.categories})
        payload = sharing.payload(enterprise, categories)
        record = m.AccessRecord.objects.create(
            grant=grants[0], enterprise=enterprise, institution_id=actor.organisation_id, purpose=purpose,
            categories=categories, accessed_by=actor.label,
            request_id=(context.current().request_id if context.current() else ""),
        )
        audit.record(actor=actor, action="registry.data_accessed", obj=record,
                     changes={"enterprise": credit_code, "purpose": purpose, "categories": categories,
                              "grant": grants[0].pk})
        entry = ledger.append_commitment(
            actor=actor, entry_type="registry.data_accessed", obj=record,
            subject_organisation=enterprise.organisation_id, consent_id=str(grants[0].pk), purpose=purpose, payload={
                "enterprise": credit_code, "institution": actor.organisation_id, "purpose": purpose,
                "categories": categories, "grant": grants[0].pk, "access": record.pk,
                "data_sha256": hashlib.sha256(json.dumps(
                    payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()})
        m.AccessRecord.objects.filter(pk=record.pk).update(ledger_entry=entry)
    return {"credit_code": credit_code, "purpose": purpose, "categories": categories, "grant_id": grants[0].pk,
            "valid_until": grants[0].valid_until, "access_id": record.pk, "data": payload}


def financing_outcome_report(*, actor: Actor, credit_code: str, purpose: str, reference: str, outcome: str,
                             decided_on: date, amount_fen: int = 0, annual_rate: Decimal | None = None,
                             term_months: int | None = None) -> m.FinancingOutcome:
    """The institution reports what became of a financing request (the 粤信融 flow)."""
    require(actor, "registry.bank_read")
    errors: dict[str, list[str]] = {}
    if outcome not in m.FinancingOutcome.Outcome.values:
        errors["outcome"] = [gettext("Unknown outcome.")]
    if amount_fen < 0:
        errors["amount_fen"] = [gettext("Cannot be negative.")]
    if outcome == "approved" and amount_fen <= 0:
        errors["amount_fen"] = [gettext("An approved request needs an amount.")]
    if not reference.strip():
        errors["reference"] = [gettext("Give your reference for the request.")]
    if decided_on > timezone.localdate():
        errors["decided_on"] = [gettext("The decision date cannot be in the future.")]
    if errors:
        raise ValidationFailed(details=errors)
    with transaction.atomic():
        grant = _valid_grants(actor, credit_code, purpose).first()
        if grant is None:
            raise NotFound(code="no_valid_grant")
        if m.FinancingOutcome.objects.filter(institution_id=actor.organisation_id, reference=reference).exists():
            raise Conflict(_("An outcome with this reference was already reported."), code="duplicate_reference")
        rate = annual_rate.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if annual_rate is not None else None
        report = m.FinancingOutcome.objects.create(
            grant=grant, enterprise=grant.enterprise, institution_id=actor.organisation_id,
            reference=reference.strip()[:64], outcome=outcome, amount_fen=amount_fen, annual_rate=rate,
            term_months=term_months, decided_on=decided_on)
        audit.record(actor=actor, action="registry.financing_outcome_reported", obj=report,
                     changes={"enterprise": credit_code, "outcome": outcome, "amount_fen": amount_fen,
                              "reference": report.reference})
    return report


def demo_enterprise_ensure(*, actor: Actor, organisation: Organisation, district: str, industry_code: str,
                           registered_on: date, patent_number: str, patent_title: str) -> str:
    """Demo data for other apps' demos: the enterprise account in the registry (found by credit code,
    else created) holding one valid invention patent with this number. Idempotent; returns the
    patent number. Only the platform operator or the system seeds demo data."""
    if not (actor.is_system or actor.is_platform_operator):
        raise PermissionDenied()
    with transaction.atomic():
        enterprise = m.Enterprise.objects.filter(credit_code=organisation.credit_code).first()
        created = enterprise is None
        if created:
            enterprise = m.Enterprise.objects.create(
                credit_code=organisation.credit_code, name=organisation.name, organisation=organisation,
                region=organisation.region, district=district, industry_code=industry_code,
                registered_on=registered_on)
        patent = None
        if not m.IntellectualProperty.objects.filter(number=patent_number).exists():
            patent = m.IntellectualProperty.objects.create(
                enterprise=enterprise, kind=m.IpKind.INVENTION_PATENT, number=patent_number, title=patent_title,
                status=m.IpStatus.VALID)
        if created or patent is not None:
            audit.record(actor=actor, action="registry.demo_enterprise_seeded", obj=enterprise,
                         changes={"created": created, "patent": patent_number if patent is not None else None})
    return patent_number
