"""Writes of patent navigation: imports, the industry rule table (versioned, maker-checker) and
the applicant alias table. Each is one transaction with its audit record."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core import services as core_services
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from . import permissions
from .engine import industries as eng_industries
from .engine.ingest import ingest
from .engine.normalize import name_key
from .models import ApplicantAlias, Dataset, DatasetStatus, IndustryRule, RuleSet, RuleSetStatus

log = logging.getLogger("innoreform.patents")
ALLOWED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
MAX_FILES = 10


# --- imports -------------------------------------------------------------------------------------

def dataset_import_start(*, actor: Actor, name: str, files: list[tuple[str, bytes]]) -> Dataset:
    """Store the uploaded files and queue the import as a background job."""
    permissions.require(actor, "patents.import")
    if not files:
        raise ValidationFailed(details={"files": [_("Choose at least one file.")]})
    if len(files) > MAX_FILES:
        raise ValidationFailed(details={"files": [_("At most 10 files at once.")]})
    for filename, _content in files:
        if not filename.lower().endswith(ALLOWED_SUFFIXES):
            raise ValidationFailed(details={"files": [_("Only CSV, TSV, TXT and XLSX exports can be imported.")]})
    name = (name or files[0][0]).strip()[:200]
    with transaction.atomic():
        job = core_services.job_create(actor=actor, kind="patents.import")
        dataset = Dataset.objects.create(organisation=actor.organisation, name=name, job=job,
                                         files=[f for f, _c in files], created_by=actor.user)
        dataset.upload_dir.mkdir(parents=True, exist_ok=True)
        for index, (filename, content) in enumerate(files):
            safe = Path(filename).name.replace("/", "_")
            (dataset.upload_dir / f"{index:02d}-{safe}").write_bytes(content)
        audit.record(actor=actor, action="patents.import_started", obj=dataset,
                     changes={"name": name, "files": [f for f, _c in files],
                              "bytes": sum(len(c) for _f, c in files)})
        from .tasks import import_dataset

        transaction.on_commit(lambda: import_dataset.enqueue(dataset_id=dataset.pk))
    return dataset


def dataset_import_run(*, dataset_id: int) -> Dataset:
    """Run by the background task: ingest the stored files, record the result."""
    dataset = Dataset.objects.get(pk=dataset_id)
    paths = sorted(dataset.upload_dir.iterdir())
    names = [p.name[3:] for p in paths]
    job_id = dataset.job_id

    def progress(done: int, total: int) -> None:
        if job_id:
            core_services.job_progress(job_id=job_id, done=done, total=total)

    try:
        if dataset.path.exists():
            shutil.rmtree(dataset.path)
        result = ingest(paths, dataset.path, names=names, progress=progress)
    except Exception as exc:
        log.exception("patent import failed", extra={"dataset": dataset_id})
        with transaction.atomic():
            Dataset.objects.filter(pk=dataset_id).update(status=DatasetStatus.FAILED,
                                                         report={"error": str(exc)[:500]})
            audit.record(actor=Actor.system(dataset.organisation), action="patents.import_failed", obj=dataset,
                         changes={"error": str(exc)[:500]})
        if job_id:
            core_services.job_finish(job_id=job_id, ok=False, message=str(exc)[:300])
        raise
    report = result.as_dict()
    with transaction.atomic():
        Dataset.objects.filter(pk=dataset_id).update(
            status=DatasetStatus.READY, data_version=result.data_version, cutoff_date=result.cutoff_date,
            patents=result.patents, rows_read=result.rows_read, rows_rejected=result.rows_rejected,
            rows_with_warnings=result.rows_with_warnings, report=report)
        audit.record(actor=Actor.system(dataset.organisation), action="patents.import_finished", obj=dataset,
                     changes={"patents": result.patents, "rows_read": result.rows_read,
                              "rows_rejected": result.rows_rejected, "data_version": result.data_version})
    if job_id:
        core_services.job_finish(job_id=job_id, ok=True, result={
            "dataset": dataset_id, "patents": result.patents, "rows_read": result.rows_read,
            "rows_rejected": result.rows_rejected, "rows_with_warnings": result.rows_with_warnings})
    dataset.refresh_from_db()
    return dataset


# --- industry rules --------------------------------------------------------------------------------

def _rule_fields(rule: eng_industries.Rule) -> dict:
    return {"industry": rule.industry, "industry_zh": rule.industry_zh, "industry_en": rule.industry_en,
            "segment": rule.segment, "segment_zh": rule.segment_zh, "segment_en": rule.segment_en,
            "position": rule.position, "include": "; ".join(rule.include), "exclude": "; ".join(rule.exclude),
            "keywords": "; ".join(rule.keywords), "note": rule.note}


def ruleset_draft_create(*, actor: Actor, note: str = "") -> RuleSet:
    """A new draft version copied from the version in force."""
    permissions.require(actor, "patents.rules_edit")
    with transaction.atomic():
        base = RuleSet.objects.filter(status=RuleSetStatus.APPROVED).order_by("-version").first()
        if base is None:
            raise Conflict(_("There is no approved version to start from."))
        if RuleSet.objects.filter(status=RuleSetStatus.DRAFT).exists():
            raise Conflict(_("A draft version already exists; edit or approve it first."))
        version = (RuleSet.objects.aggregate(m=Max("version"))["m"] or 0) + 1
        draft = RuleSet.objects.create(version=version, note=note[:300], created_by=actor.user)
        IndustryRule.objects.bulk_create(
            IndustryRule(ruleset=draft, order=r.order, **{k: getattr(r, k) for k in (
                "industry", "industry_zh", "industry_en", "segment", "segment_zh", "segment_en", "position",
                "include", "exclude", "keywords", "note")})
            for r in base.rules.all())
        audit.record(actor=actor, action="patents.rules_draft_created", obj=draft,
                     changes={"version": version, "from_version": base.version})
    return draft


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace("；", ";").replace("\n", ";").split(";") if p.strip())


def rule_save(*, actor: Actor, ruleset: RuleSet, rule: IndustryRule | None = None, **fields) -> IndustryRule:
    permissions.require(actor, "patents.rules_edit")
    with transaction.atomic():
        ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
        if ruleset.status != RuleSetStatus.DRAFT:
            raise Conflict(_("Approved versions cannot be changed; create a new draft."))
        target = rule or IndustryRule(ruleset=ruleset, order=ruleset.rules.count())
        if target.ruleset_id != ruleset.pk:
            raise NotFound()
        before = _rule_fields(to_engine_rule(target)) if rule else {}
        for key, value in fields.items():
            setattr(target, key, (value or "").strip() if isinstance(value, str) else value)
        problems = eng_industries.validate([to_engine_rule(target)]).errors
        if problems:
            raise ValidationFailed(details={"rule": [m for msgs in problems.values() for m in msgs]})
        target.save()
        audit.record(actor=actor, action="patents.rule_saved", obj=target,
                     changes={"ruleset": ruleset.version, "before": before,
                              "after": _rule_fields(to_engine_rule(target))})
    return target


def rule_delete(*, actor: Actor, rule: IndustryRule) -> None:
    permissions.require(actor, "patents.rules_edit")
    with transaction.atomic():
        if rule.ruleset.status != RuleSetStatus.DRAFT:
            raise Conflict(_("Approved versions cannot be changed; create a new draft."))
        audit.record(actor=actor, action="patents.rule_deleted", obj=rule, changes=_rule_fields(to_engine_rule(rule)))
        rule.delete()


def ruleset_approve(*, actor: Actor, ruleset: RuleSet) -> RuleSet:
    """Maker-checker: the author of a draft cannot approve it."""
    permissions.require(actor, "patents.rules_approve")
    with transaction.atomic():
        ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
        if ruleset.status != RuleSetStatus.DRAFT:
            raise Conflict(_("This version is already approved."))
        if actor.user is not None and ruleset.created_by_id == actor.user.pk:
            raise PermissionDenied(_("Another person must approve a version you drafted."))
        rules = [to_engine_rule(r) for r in ruleset.rules.all()]
        problems = eng_industries.validate(rules).errors
        if problems or not rules:
            raise ValidationFailed(details={"rules": [m for msgs in problems.values() for m in msgs]
                                            or [_("A version needs at least one rule.")]})
        ruleset.status = RuleSetStatus.APPROVED
        ruleset.approved_by = actor.user
        ruleset.approved_at = timezone.now()
        ruleset.save()
        audit.record(actor=actor, action="patents.rules_approved", obj=ruleset,
                     changes={"version": ruleset.version, "rules": len(rules)})
    return ruleset


def to_engine_rule(rule: IndustryRule) -> eng_industries.Rule:
    return eng_industries.Rule(rule.industry, rule.industry_zh, rule.industry_en, rule.segment, rule.segment_zh,
                               rule.segment_en, rule.position, _split(rule.include), _split(rule.exclude),
                               _split(rule.keywords), rule.note)


# --- applicant aliases ------------------------------------------------------------------------------

def alias_save(*, actor: Actor, alias: str, canonical: str, kind: str = "", city: str = "") -> ApplicantAlias:
    permissions.require(actor, "patents.alias_edit")
    key = name_key(alias)
    if not key or not canonical.strip():
        raise ValidationFailed(details={"alias": [_("Give the name as written and the harmonised name.")]})
    with transaction.atomic():
        obj, created = ApplicantAlias.objects.select_for_update().get_or_create(
            alias_key=key, defaults={"alias": alias.strip(), "canonical": canonical.strip(), "kind": kind,
                                     "city": city, "created_by": actor.user})
        before = {} if created else {"canonical": obj.canonical, "kind": obj.kind, "city": obj.city}
        if not created:
            obj.alias, obj.canonical, obj.kind, obj.city = alias.strip(), canonical.strip(), kind, city
            obj.full_clean(exclude=["created_by"])
            obj.save()
        audit.record(actor=actor, action="patents.alias_saved", obj=obj,
                     changes={"alias": obj.alias, "before": before,
                              "after": {"canonical": obj.canonical, "kind": obj.kind, "city": obj.city}})
    return obj


def alias_delete(*, actor: Actor, alias: ApplicantAlias) -> None:
    permissions.require(actor, "patents.alias_edit")
    with transaction.atomic():
        audit.record(actor=actor, action="patents.alias_deleted", obj=alias,
                     changes={"alias": alias.alias, "canonical": alias.canonical})
        alias.delete()
