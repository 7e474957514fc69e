"""Who may do what, as pure functions over (organisation kind, role, operation).

Each app's permissions.py holds its table (an OperationTable) and exposes `allowed` (pure, tested
as a table), `can` (for an actor; asks, records nothing) and `require` (enforces: a denial is
audited, then refused). Pages and APIs alike deny through `require`, so a denied page and a denied
API call each leave exactly one audit row. Object-level checks (is this my organisation's
object?) live in selectors, which turn a failure into NotFound.
"""

from dataclasses import dataclass
from typing import Any, NoReturn

from django.db import connection

from . import audit
from .actor import ROLE_RANK, Actor
from .errors import NotFound, PermissionDenied
from .models import API_KEY_KINDS, OrgKind, Role

ANY_KIND = frozenset(OrgKind.values)
OVERSIGHT_KINDS = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})


def _kinds(*kinds: str) -> frozenset[str]:
    return frozenset(kinds)


@dataclass
class Denial:
    """What `deny` refused, carried on the error it raises (`error.denial`)."""

    actor: Actor
    action: str
    object_type: str = ""
    object_id: Any = ""
    recorded: bool = False

    def record(self) -> None:
        if not self.recorded:
            audit.record_denial(actor=self.actor, action=self.action, object_type=self.object_type,
                                object_id=self.object_id, reason="not allowed")
            self.recorded = True


def _in_transaction() -> bool:
    # A test's own wrapping transaction does not count (Django's durable check skips it the same way).
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def deny(actor: Actor | None, operations: tuple[str, ...], *, target: Any = None, hide: bool = False) -> NoReturn:
    """Audit the denial, then refuse: PermissionDenied, or NotFound with `hide` (pages the actor may
    not use do not exist for them, and an object they may not see is a 404, never a 403).

    The error carries the denial (`error.denial`). Outside a transaction, the usual case as
    services check before opening theirs, the row is written now, in its own transaction. Inside
    one (an API's idempotent() wraps the service in its transaction), a row written now would be
    rolled back with the refused work, so the edge that catches the error writes it after the
    rollback (record_denial_of), and records nothing else for it."""
    error = NotFound() if hide else PermissionDenied()
    error.denial = None
    if actor is not None:
        denial = Denial(actor=actor, action="|".join(operations)[:100])
        if target is not None:
            denial.object_type, denial.object_id = f"{target._meta.app_label}.{target._meta.model_name}", target.pk
        if not _in_transaction():
            denial.record()
        error.denial = denial
    raise error


def record_denial_of(error: Exception) -> bool:
    """For the edges (API error handler, portal_view): write the denial `deny` attached to `error`
    if it is still pending. True if the error came from `deny` (whether or not an actor was known),
    so the caller records nothing more about it."""
    if not hasattr(error, "denial"):
        return False
    if error.denial is not None:
        error.denial.record()
    return True


class OperationTable:
    """A domain's role × operation table: operation -> (organisation kinds, minimum role)."""

    def __init__(self, rules: dict[str, tuple[frozenset[str], str]]):
        self.rules = rules

    def allowed(self, kind: str | None, role: str | None, operation: str) -> bool:
        """Pure: may a person with `role` in an organisation of `kind` perform `operation`?"""
        rule = self.rules.get(operation)
        if rule is None or kind is None or role is None:
            return False
        kinds, minimum = rule
        return kind in kinds and ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]

    def can(self, actor: Actor | None, operation: str) -> bool:
        if actor is None:
            return False
        if actor.is_system:
            return True
        return self.allowed(actor.kind, actor.role, operation)

    def require(self, actor: Actor | None, *operations: str, target: Any = None, hide: bool = False) -> None:
        """Pass if the actor may perform any one of `operations`; otherwise deny (audited)."""
        for operation in operations:  # a loop, not any(): a voucher deduction calls this on its hot path
            if self.can(actor, operation):
                return
        deny(actor, operations, target=target, hide=hide)


# operation -> (organisation kinds, minimum role). Reading one's own organisation is open to every member.
TABLE: dict[str, tuple[frozenset[str], str]] = {
    "organisation.view_own": (ANY_KIND, Role.MEMBER),
    "organisation.view_all": (OVERSIGHT_KINDS, Role.MEMBER),
    "organisation.create": (_kinds(OrgKind.PLATFORM_OPERATOR), Role.ADMINISTRATOR),
    "membership.manage": (ANY_KIND, Role.ADMINISTRATOR),
    "apikey.manage": (frozenset(API_KEY_KINDS), Role.ADMINISTRATOR),
    "audit.search_own": (ANY_KIND, Role.ADMINISTRATOR),
    "audit.search_all": (OVERSIGHT_KINDS, Role.REVIEWER),
    "policy.view": (ANY_KIND, Role.MEMBER),
    "policy.propose": (OVERSIGHT_KINDS, Role.REVIEWER),
    "policy.approve": (OVERSIGHT_KINDS, Role.APPROVER),
    "job.view_own": (ANY_KIND, Role.MEMBER),
    "notification.view_own": (ANY_KIND, Role.MEMBER),
}

_table = OperationTable(TABLE)
allowed = _table.allowed
can = _table.can
require = _table.require


def is_maker_checker_violation(*, submitted_by_id: int | None, approver_id: int | None) -> bool:
    """Nobody approves what they submitted."""
    return submitted_by_id is not None and submitted_by_id == approver_id
