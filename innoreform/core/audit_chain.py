"""The audit trail's hash chain, so that `innoreform audit verify` finds a deleted, altered or
inserted audit row. The database role (`innoreform db roles`) already keeps the application from
changing audit rows; the chain is for whoever can still write the tables (a superuser, a restore).

- Every committed audit event gets a link: seq 1, 2, 3, ... with the event's id and
  mac = HMAC-SHA256(key, previous mac | seq | the event's canonical content). The key
  (settings.AUDIT_CHAIN_KEY) lives with the application, not in the database, so someone who can
  only write the database can neither make a link for a row they insert nor rebuild the chain
  after deleting or altering a row.
- Links are written just after the business transaction commits, in a short transaction of their
  own that takes one lock and holds no other. Chaining inside the business transaction would make
  every audited write in the platform wait for every other, and could deadlock with the row locks
  services take before and after auditing. The price: a crash between the commit and the chaining
  leaves events unlinked, which verify reports like an inserted row; after checking them,
  `innoreform audit chain --pending` links them.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import AuditChainLink, AuditEvent

log = logging.getLogger(__name__)

FIELDS = ("id", "created_at", "actor_id", "actor_label", "organisation_id", "action", "object_type", "object_id",
          "changes", "outcome", "request_id", "ip")
GENESIS = "0" * 64
LOCK_KEY = 0x61756469  # pg_advisory_xact_lock key of the chain ("audi")
BATCH = 2000


def _key() -> bytes:
    return settings.AUDIT_CHAIN_KEY.encode()


def canonical(event: dict) -> bytes:
    """The event's content as it is stored: one JSON array in FIELDS order, times in UTC."""
    values = []
    for name in FIELDS:
        value = event[name]
        if name == "created_at":
            value = value.astimezone(UTC).isoformat(timespec="microseconds")
        values.append(value)
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def link_mac(prev_mac: str, seq: int, event: dict) -> str:
    message = prev_mac.encode() + b"|" + str(seq).encode() + b"|" + canonical(event)
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def _lock() -> None:
    # One chainer at a time. The lock is taken first, so the next statement (READ COMMITTED)
    # sees the link the previous chainer committed. SQLite's IMMEDIATE transactions already
    # hold the database's one write lock from BEGIN.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _append(events) -> int:
    """Link `events` (dicts with FIELDS, in the order to chain them) after the current head;
    inside a transaction that holds the lock."""
    head = AuditChainLink.objects.order_by("-seq").values_list("seq", "mac").first() or (0, GENESIS)
    seq, mac = head
    links = []
    for event in events:
        seq += 1
        mac = link_mac(mac, seq, event)
        links.append(AuditChainLink(seq=seq, event_id=event["id"], mac=mac))
    AuditChainLink.objects.bulk_create(links, batch_size=BATCH)
    return len(links)


def chain_tokens(tokens: list) -> int:
    """Link the committed, not yet linked events written with these tokens (in id order)."""
    with transaction.atomic():
        _lock()
        linked = AuditChainLink.objects.values("event_id")
        events = list(AuditEvent.objects.filter(chain_token__in=tokens).exclude(id__in=linked)
                      .order_by("id").values(*FIELDS))
        return _append(events)


def chain_pending(*, older_than: timedelta | None = None) -> int:
    """Link every unlinked event (all of them, or those older than `older_than`): after a crash
    left some unlinked and they were checked, or to start the chain over existing rows."""
    total = 0
    while True:
        with transaction.atomic():
            _lock()
            qs = AuditEvent.objects.exclude(id__in=AuditChainLink.objects.values("event_id"))
            if older_than is not None:
                qs = qs.filter(created_at__lt=timezone.now() - older_than)
            events = list(qs.order_by("id").values(*FIELDS)[:BATCH])
            total += _append(events)
        if len(events) < BATCH:
            return total


class _Pending:
    """The tokens of this connection's events waiting for the commit; one drain per commit."""

    def __init__(self):
        self.tokens: list = []

    def drain(self) -> None:
        tokens, self.tokens = self.tokens, []
        try:
            chain_tokens(tokens)
        except Exception:  # the business transaction has committed; verify will name the event
            log.exception("audit chain: linking %d event(s) failed", len(tokens))


def queue(token) -> None:
    """Called by audit.record inside the caller's transaction: link the event after the commit.
    A rolled-back event leaves a token that matches nothing, which costs nothing."""
    pending = getattr(connection, "_audit_chain_pending", None)
    if pending is None:
        pending = connection._audit_chain_pending = _Pending()
    pending.tokens.append(token)
    if not any(entry[1] == pending.drain for entry in connection.run_on_commit):
        transaction.on_commit(pending.drain)


@dataclass
class Report:
    links: int = 0
    events: int = 0
    problems: list[tuple[str, int, str]] = field(default_factory=list)  # (what, position, message)
    recent_unlinked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> tuple[str, int, str] | None:
        return self.problems[0] if self.problems else None


def verify(*, grace: timedelta = timedelta(minutes=1)) -> Report:
    """Walk the chain in seq order: every position present, its event present and unchanged, its
    mac right; then every event older than `grace` must have a link (a younger one may still be
    waiting for its transaction's chainer)."""
    report = Report()
    expected_seq, prev = 1, GENESIS
    linked_ids: set[int] = set()
    last = 0
    while True:
        links = list(AuditChainLink.objects.filter(seq__gt=last).order_by("seq")[:BATCH])
        if not links:
            break
        events = {e["id"]: e for e in AuditEvent.objects.filter(id__in=[link.event_id for link in links])
                  .values(*FIELDS)}
        for link in links:
            if link.seq != expected_seq:
                report.problems.append(("seq", expected_seq, f"links {expected_seq}..{link.seq - 1} are missing"))
                expected_seq = link.seq
            event = events.get(link.event_id)
            if event is None:
                report.problems.append(("seq", link.seq, f"event {link.event_id} was deleted"))
            elif not hmac.compare_digest(link_mac(prev, link.seq, event), link.mac):
                report.problems.append(("seq", link.seq, f"event {link.event_id} or its link was altered"))
            linked_ids.add(link.event_id)
            prev, expected_seq = link.mac, link.seq + 1
            report.links += 1
        last = links[-1].seq
    cutoff = timezone.now() - grace
    for event_id, created_at in AuditEvent.objects.order_by("id").values_list("id", "created_at").iterator():
        report.events += 1
        if event_id in linked_ids:
            continue
        if created_at >= cutoff:
            report.recent_unlinked += 1
        else:
            report.problems.append(("event", event_id, f"event {event_id} is not in the chain (inserted, or its "
                                                       "chaining was interrupted)"))
    return report
