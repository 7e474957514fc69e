"""Writes to the trust ledger.

`append_entry` is the one entry point other domains call. The sequencer (`sequence_pending`)
integrates queued entries into the Merkle log in batches; `publish_checkpoint` signs the current
tree head, gathers witness cosignatures and records the checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, PermissionDenied, ValidationFailed, field_error
from innoreform.core.models import Organisation

from . import entries, keys, merkle, note, receipts, selectors, tsa, witness
from .models import (
    Evidence,
    LedgerCheckpoint,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    LedgerPending,
    WitnessView,
    node_id,
)
from .permissions import require

log = logging.getLogger("innoreform.ledger")
BATCH_SIZE = 256
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


def subject_key() -> bytes:
    """The deployment's key for keyed subject hashes (derived from SECRET_KEY unless set)."""
    raw = getattr(settings, "LEDGER_SUBJECT_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(b"innoreform.ledger.subject\n" + raw.encode()).digest()


def organisation_commitment(org_id: int) -> str:
    return entries.keyed_commitment(subject_key(), f"org:{org_id}")


def _utc_iso(at: datetime) -> str:
    return at.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def append_entry(
    *,
    actor: Actor,
    entry_type: str,
    subject_organisation: Organisation | int | None = None,
    object_ref: str = "",
    subject_hash: str = "",
    content_hash: str = "",
    consent_id: str = "",
    purpose: str = "",
    sequence_on_commit: bool = True,
) -> LedgerPending:
    """Append a commitment to the trust ledger, inside the caller's transaction.

    Call it from your own service, inside your `transaction.atomic()`: the entry is queued in the
    same transaction (so it exists if and only if your change commits) and integrated into the
    Merkle log by the sequencer right after the commit (batched with concurrent appends).

    Arguments (all keyword-only; nothing here may be personal data):
      actor                 the acting Actor; its organisation id goes on the log as `org`.
      entry_type            "domain.event", e.g. "credit.data_accessed", "books.money_moved",
                            "evidence.deposited" (lowercase, dots).
      subject_organisation  the Organisation (or id) whose data the entry is about. Not published:
                            the log carries a keyed hash of it; the enterprise sees the entry on
                            its ledger page.
      object_ref            "app.model:id" of the object concerned (ids only, no names).
      subject_hash          a keyed hash of a person ("hmac-sha256:<hex>", see
                            entries.keyed_commitment); destroying the key erases the person.
      content_hash          "sha256:<hex>" of the document/data/amount record committed to.
      consent_id            the consent record id authorising a data access.
      purpose               short purpose text (<= 200 characters), e.g. "loan assessment".
      sequence_on_commit    run the sequencer after the commit (default); False leaves the entry
                            queued for `innoreform ledger sequence` / the next append.

    Returns the queued LedgerPending row; its `uid` identifies the entry
    (selectors.entry_by_uid(uid) once sequenced). Raises ValidationFailed on malformed fields.
    """
    if isinstance(subject_organisation, Organisation):
        subject_org_id = subject_organisation.pk
    else:
        subject_org_id = subject_organisation
    uid = uuid.uuid4()
    now = timezone.now()
    try:
        body = entries.build(
            entry_id=str(uid), entry_type=entry_type, time=_utc_iso(now), org=actor.organisation_id,
            about=organisation_commitment(subject_org_id) if subject_org_id else subject_hash,
            object_ref=object_ref, content=content_hash, consent=consent_id, purpose=purpose,
        )
    except entries.EntryError as exc:
        raise ValidationFailed(details={"entry": [str(exc)]}) from exc
    if subject_org_id and subject_hash:
        raise ValidationFailed(details={"subject_hash": ["give subject_organisation or subject_hash, not both"]})
    pending = LedgerPending.objects.create(uid=uid, body=body, entry_type=entry_type,
                                           organisation_id=actor.organisation_id,
                                           subject_organisation_id=subject_org_id, created_at=now)
    if sequence_on_commit:
        transaction.on_commit(_after_commit)
    return pending


def append_entries(*, actor: Actor, items: list[dict], sequence_on_commit: bool = True,
                   integrate_now: bool = False) -> list[uuid.UUID]:
    """Append many entries at once (imports, batch jobs), inside the caller's transaction.

    Each item takes the keyword arguments of `append_entry` (entry_type, subject_organisation,
    object_ref, subject_hash, content_hash, consent_id, purpose). Returns the entries' uids in order.
    With integrate_now=True the entries skip the queue and become leaves in this transaction
    (256 per step); the log's head stays locked until the caller commits, so use it for bulk jobs,
    not on request paths.
    """
    now = timezone.now()
    conn = connection
    prep_uid = LedgerPending._meta.get_field("uid").get_db_prep_value
    when = LedgerPending._meta.get_field("created_at").get_db_prep_value(now, conn)
    rows, uids = [], []
    for n, item in enumerate(items):
        subject = item.get("subject_organisation")
        subject_id = subject.pk if isinstance(subject, Organisation) else subject
        uid = uuid.uuid4()
        try:
            body = entries.build(
                entry_id=str(uid), entry_type=item["entry_type"], time=_utc_iso(now), org=actor.organisation_id,
                about=organisation_commitment(subject_id) if subject_id else item.get("subject_hash", ""),
                object_ref=item.get("object_ref", ""), content=item.get("content_hash", ""),
                consent=item.get("consent_id", ""), purpose=item.get("purpose", ""),
            )
        except (entries.EntryError, KeyError) as exc:
            raise ValidationFailed(details={f"items.{n}": [str(exc)]}) from exc
        rows.append((prep_uid(uid, conn), body, item["entry_type"], actor.organisation_id, subject_id, when))
        uids.append(uid)
    if integrate_now:
        for i in range(0, len(rows), BATCH_SIZE):
            _integrate_direct(rows[i : i + BATCH_SIZE])
        return uids
    _insert_rows(LedgerPending, ("uid", "body", "entry_type", "organisation_id", "subject_organisation_id",
                                 "created_at"), rows)
    if sequence_on_commit and rows:
        transaction.on_commit(_after_commit)
    return uids


def payload_hash(payload: dict) -> str:
    """"sha256:<hex>" of a payload's canonical JSON (sorted keys, no spaces, dates as ISO text):
    the content hash of a commitment."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def append_commitment(*, actor: Actor, entry_type: str, obj, payload: dict,
                      subject_organisation: Organisation | int | None = None, consent_id: str = "",
                      purpose: str = "", sequence_on_commit: bool = True) -> str:
    """append_entry for a saved model instance `obj` with the hash of `payload` (ids and amounts,
    never names): the one way a domain commits to an event. Money movements need not call it,
    books.post_transaction does. Returns the entry's uid."""
    pending = append_entry(actor=actor, entry_type=entry_type, subject_organisation=subject_organisation,
                           object_ref=f"{obj._meta.label_lower}:{obj.pk}", content_hash=payload_hash(payload),
                           consent_id=consent_id, purpose=purpose, sequence_on_commit=sequence_on_commit)
    return str(pending.uid)


def _after_commit() -> None:
    try:
        # bounded: a request integrates its own entries plus at most a few batches of others'
        sequence_pending(max_batches=8)
    except Exception:  # the entry stays queued; the next append or `ledger sequence` integrates it
        log.exception("ledger sequencing failed")
        return
    from . import tasks

    tasks.schedule_checkpoint()


def _lock_head() -> LedgerHead:
    try:
        return LedgerHead.objects.select_for_update().get(pk=1)
    except LedgerHead.DoesNotExist:
        try:
            with transaction.atomic():
                LedgerHead.objects.create(pk=1, size=0, root=merkle.EMPTY_ROOT)
        except IntegrityError:
            pass
        return LedgerHead.objects.select_for_update().get(pk=1)


def _border(head: LedgerHead) -> merkle.CompactRange:
    raw = bytes(head.border or b"")
    ids = merkle.CompactRange.node_ids(head.size)
    if len(raw) == 32 * len(ids):
        return merkle.CompactRange(head.size, [raw[i : i + 32] for i in range(0, len(raw), 32)])
    got = selectors.read_nodes(ids)  # an older head row without the border
    return merkle.CompactRange(head.size, [got[n] for n in ids])


def _save_head(crange: merkle.CompactRange) -> None:
    LedgerHead.objects.filter(pk=1).update(size=crange.size, root=crange.root(), border=crange.border_bytes(),
                                           updated_at=timezone.now())


def _insert_rows(model, columns: tuple[str, ...], rows: list[tuple], chunk: int = 256) -> None:
    """Bulk insert of already-adapted values without model instances: COPY on PostgreSQL (the
    client-side binding of a large multi-row INSERT costs more than the hashing), one multi-row
    INSERT per chunk elsewhere."""
    if not rows:
        return
    q = connection.ops.quote_name
    # identifiers come from model metadata and are quoted; every value is a parameter / COPY datum
    target = f"{q(model._meta.db_table)} ({', '.join(q(c) for c in columns)})"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
            return
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for i in range(0, len(rows), chunk):
            part = rows[i : i + chunk]
            cur.execute(f"INSERT INTO {target} VALUES " + ", ".join([one] * len(part)),  # noqa: S608
                        [v for r in part for v in r])


def _integrate_batch(limit: int) -> int:
    """One sequencer transaction: up to `limit` queued entries become leaves of the tree.

    Raw SQL on the hot path: Python only reads the entry bytes and adds index and leaf hash; the
    other columns are copied by the database (INSERT ... SELECT on SQLite, COPY on PostgreSQL).
    """
    q = connection.ops.quote_name
    pending_t, entry_t = q(LedgerPending._meta.db_table), q(LedgerEntry._meta.db_table)
    pg = connection.vendor == "postgresql"
    cols = "id, body" + (", uid, entry_type, organisation_id, subject_organisation_id, created_at" if pg else "")
    with transaction.atomic():
        head = _lock_head()
        with connection.cursor() as cur:
            cur.execute(f"SELECT {cols} FROM {pending_t} ORDER BY id LIMIT %s", [limit])  # noqa: S608
            pending = cur.fetchall()
        if not pending:
            return 0
        crange = _border(head)
        placed, nodes = [], []
        for row in pending:
            lh = merkle.leaf_hash(bytes(row[1]))
            index = crange.size
            nodes += [(node_id(lv, ix), h) for lv, ix, h in crange.append(lh)]
            placed.append((row[0], index, lh))
        if pg:
            rows = [(index, r[2], lh, r[1], r[3], r[4], r[5], r[6]) for r, (_pid, index, lh) in
                    zip(pending, placed, strict=True)]
            _insert_rows(LedgerEntry, ("index", "uid", "leaf_hash", "body", "entry_type", "organisation_id",
                                       "subject_organisation_id", "created_at"), rows)
        else:
            values = ", ".join(["(%s, %s, %s)"] * len(placed))
            with connection.cursor() as cur:
                cur.execute(
                    f"INSERT INTO {entry_t} ({q('index')}, uid, leaf_hash, body, entry_type, organisation_id, "  # noqa: S608
                    "subject_organisation_id, created_at) SELECT v.idx, p.uid, v.lh, p.body, p.entry_type, "
                    "p.organisation_id, p.subject_organisation_id, p.created_at FROM (SELECT column1 AS pid, "
                    f"column2 AS idx, column3 AS lh FROM (VALUES {values})) AS v JOIN {pending_t} AS p "
                    "ON p.id = v.pid ORDER BY v.idx", [x for t in placed for x in t])
        _insert_rows(LedgerNode, ("node_id", "hash"), nodes)
        _save_head(crange)
        with connection.cursor() as cur:
            ids = [p[0] for p in placed]
            cur.execute(f"DELETE FROM {pending_t} WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)  # noqa: S608
        return len(pending)


def _integrate_direct(rows: list[tuple]) -> None:
    """Make already-adapted (uid, body, entry_type, org, subject, created_at) rows leaves, now."""
    with transaction.atomic(savepoint=False):
        head = _lock_head()
        crange = _border(head)
        entries_rows, nodes = [], []
        for uid, body, entry_type, org_id, subject_id, created_at in rows:
            lh = merkle.leaf_hash(body)
            index = crange.size
            nodes += [(node_id(lv, ix), h) for lv, ix, h in crange.append(lh)]
            entries_rows.append((index, uid, lh, body, entry_type, org_id, subject_id, created_at))
        _insert_rows(LedgerEntry, ("index", "uid", "leaf_hash", "body", "entry_type", "organisation_id",
                                   "subject_organisation_id", "created_at"), entries_rows)
        _insert_rows(LedgerNode, ("node_id", "hash"), nodes)
        _save_head(crange)


def sequence_pending(*, batch_size: int = BATCH_SIZE, max_batches: int | None = None) -> int:
    """Integrate queued entries, `batch_size` per transaction; returns how many were integrated.

    Each batch locks the head row, so concurrent sequencers serialise and never fork the tree.
    """
    total, batches = 0, 0
    while max_batches is None or batches < max_batches:
        n = _integrate_batch(batch_size)
        if n == 0:
            break
        total += n
        batches += 1
    return total


def publish_checkpoint(*, actor: Actor, push: bool = True, timeout: float = 5.0) -> LedgerCheckpoint:
    """Sign the current tree head, collect witness cosignatures, and record the checkpoint.

    A checkpoint counts as published ("cosigned") once settings.LEDGER_QUORUM witnesses have
    cosigned it (a quorum of 0 publishes every signed checkpoint).
    """
    require(actor, "ledger.publish")
    size, root = selectors.head()
    latest = selectors.latest_checkpoint(published_only=False)
    if latest and latest.size == size and latest.cosigned:
        return latest
    text = note.Checkpoint(keys.origin(), size, root).text()
    signed = note.sign_note(text, keys.signers())
    witnesses = keys.witnesses()
    results: list[witness.PushResult] = []
    if push and witnesses:
        known = dict(WitnessView.objects.values_list("name", "size"))
        results = witness.push_all(witnesses, signed, known, selectors.consistency_proof, timeout)
    cosig_lines = [r.cosignature for r in results if r.status == 200]
    quorum = keys.quorum()
    full_note = signed + "".join(cosig_lines)
    token = None
    if settings.TSA_URL and len(cosig_lines) >= quorum:
        try:
            token = tsa.timestamp(settings.TSA_URL, full_note.encode(), timeout=timeout)
        except (OSError, tsa.TsaError) as exc:
            log.warning("no RFC 3161 time-stamp for the checkpoint", extra={"error": str(exc)[:200]})
    with transaction.atomic():
        for r in results:
            defaults = {"last_status": r.status, "last_error": r.error[:300]}
            if r.size is not None:
                defaults["size"] = r.size
            WitnessView.objects.update_or_create(name=r.name, defaults=defaults)
        cp = LedgerCheckpoint.objects.create(
            size=size, root=root, note=full_note, cosignatures=len(cosig_lines),
            cosigned=len(cosig_lines) >= quorum, tsa_token=token,
        )
        audit.record(actor=actor, action="ledger.checkpoint_published", obj=cp,
                     changes={"size": size, "cosignatures": len(cosig_lines), "quorum": quorum})
    if not cp.cosigned:
        log.warning("checkpoint below witness quorum", extra={"size": size, "cosignatures": len(cosig_lines)})
    return cp


# --------------------------------------------------------------------------- evidence


def deposit_evidence(*, actor: Actor, title: str, data: bytes | None = None, filename: str = "",
                     content_type: str = "", text: str = "") -> Evidence:
    """Preserve a file (or pasted text): store it, append its SHA-256 to the log, record audit."""
    require(actor, "evidence.deposit")
    title = (title or "").strip()
    if not title:
        raise field_error("title", _("Give the evidence a title."))
    if data is None:
        if not text:
            raise field_error("file", _("Upload a file or paste the text to preserve."))
        data = text.encode("utf-8")
        filename = filename or "text.txt"
        content_type = "text/plain; charset=utf-8"
    if len(data) > MAX_EVIDENCE_BYTES:
        raise field_error("file", _("The file is larger than 10 MB."))
    digest = entries.sha256_commitment(data)
    with transaction.atomic():
        pending = append_entry(actor=actor, entry_type="evidence.deposited",
                               subject_organisation=actor.organisation, content_hash=digest,
                               purpose="evidence preservation")
        ev = Evidence(organisation=actor.organisation, title=title[:200], filename=(filename or "file")[:255],
                      content_type=content_type[:100], size=len(data), sha256=digest, entry_uid=pending.uid,
                      created_by=actor.user)
        ev.file.save(str(ev.uid), ContentFile(data), save=False)
        ev.save()
        audit.record(actor=actor, action="ledger.evidence_deposited", obj=ev,
                     changes={"sha256": digest, "bytes": len(data), "entry": str(pending.uid)})
    return ev


def issue_receipt(*, actor: Actor, evidence: Evidence) -> str:
    """The tlog-proof receipt for a piece of evidence, frozen on first issue.

    Sequences and publishes a checkpoint first if none covers the entry yet.
    """
    if evidence.organisation_id != actor.organisation_id and not actor.is_system:
        raise PermissionDenied()
    if evidence.receipt:
        return evidence.receipt
    e = selectors.entry_by_uid(evidence.entry_uid)
    if e is None:
        sequence_pending()
        e = selectors.entry_by_uid(evidence.entry_uid)
    if e is None:
        raise Conflict(_("The entry is not in the log yet; try again shortly."))
    cp = selectors.checkpoint_covering(e.index)
    if cp is None:
        publish_checkpoint(actor=Actor.system())
        cp = selectors.checkpoint_covering(e.index)
    if cp is None:
        raise Conflict(_("No checkpoint with the witness quorum covers this entry yet; try again shortly."))
    proof = selectors.inclusion_proof(e.index, cp.size)
    text = receipts.Receipt(index=e.index, proof=proof, checkpoint=cp.note, extra=bytes(e.body)).text()
    with transaction.atomic():
        updated = Evidence.objects.filter(pk=evidence.pk, receipt="").update(receipt=text, checkpoint=cp)
        if updated:
            audit.record(actor=actor, action="ledger.receipt_issued", obj=evidence,
                         changes={"index": e.index, "checkpoint_size": cp.size})
    evidence.refresh_from_db(fields=["receipt", "checkpoint"])
    return evidence.receipt


def attach_evidence_to_case(*, actor: Actor, evidence: Evidence, case_ref: str) -> Evidence:
    if evidence.organisation_id != actor.organisation_id:
        raise PermissionDenied()
    case_ref = case_ref.strip()[:100]
    with transaction.atomic():
        old = evidence.case_ref
        evidence.case_ref = case_ref
        evidence.save(update_fields=["case_ref"])
        audit.record(actor=actor, action="ledger.evidence_attached", obj=evidence,
                     changes={"case_ref": [old, case_ref]})
    return evidence
