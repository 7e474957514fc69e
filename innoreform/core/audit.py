"""Append-only audit events. `record` is called by services inside their transaction, so the
event commits or rolls back with the change. `record_denial` runs in its own transaction
because the denied operation's transaction has rolled back."""

import re
import uuid
from typing import Any

from django.db import transaction

from . import audit_chain, context
from .actor import Actor
from .models import AuditEvent, Outcome

_SECRET_KEY_NAME = re.compile("password|secret|token", re.IGNORECASE)


def _sanitise(value: Any) -> Any:
    """Keep summaries JSON-safe and free of secrets and CR/LF (log injection)."""
    if isinstance(value, dict):
        return {str(k): ("***" if _SECRET_KEY_NAME.search(str(k)) else _sanitise(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_sanitise(v) for v in value]
    if isinstance(value, str):
        return value.replace("\r", "\\r").replace("\n", "\\n")[:2000]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def record(
    *,
    actor: Actor,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    changes: dict | None = None,
    outcome: str = Outcome.SUCCESS,
    organisation=None,
) -> int:
    """Write the event (in the caller's transaction) and return its id."""
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or obj.pk
    ctx = context.current()
    token = uuid.uuid4()
    event_id = AuditEvent.objects.create(
        chain_token=token,
        actor=actor.user,
        actor_label=actor.label,
        organisation=organisation if organisation is not None else actor.organisation,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        changes=_sanitise(changes or {}),
        outcome=outcome,
        request_id=ctx.request_id if ctx else "",
        ip=ctx.ip if ctx else None,
    ).pk
    # After the insert: outside a transaction on_commit runs at once, and the row must be there.
    audit_chain.queue(token)
    return event_id


def record_denial(*, actor: Actor, action: str, object_type: str = "", object_id: Any = "", reason: str = "") -> None:
    with transaction.atomic():
        record(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            changes={"reason": reason} if reason else {},
            outcome=Outcome.DENIED,
        )
