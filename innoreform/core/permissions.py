"""Who may do what, as pure functions over (organisation kind, role, operation).

Each app's permissions.py holds its table (an OperationTable) and exposes `allowed` (pure, tested
as a table), `can` (for an actor; asks, records nothing) and `require` (enforces: a denial is
audited, then refused). Pages and APIs alike deny through `require`, so a denied page and a denied
API call each leave exactly one audit row. Object-level checks (is this my organisation's
object?) live in selectors, which turn a failure into NotFound.
"""

from typing import Any, NoReturn

from . import audit
from .actor import ROLE_RANK, Actor
from .errors import NotFound, PermissionDenied
from .models import API_KEY_KINDS, OrgKind, Role

ANY_KIND = frozenset(OrgKind.values)
OVERSIGHT_KINDS = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})


def _kinds(*kinds: str) -> frozenset[str]:
    return frozenset(kinds)


def deny(actor: Actor | None, operations: tuple[str, ...], *, target: Any = None, hide: bool = False) -> NoReturn:
    """Audit the denial, then refuse: PermissionDenied, or NotFound with `hide` (pages the actor may
    not use do not exist for them, and an object they may not see is a 404, never a 403).

    The audit row is written in its own transaction (audit.record_denial), so call this before the
    service opens its transaction: the refused request rolls back, the denial stays. The raised
    error is marked `audited`, so the API's error handler does not record it a second time."""
    if actor is not None:
        object_type, object_id = "", ""
        if target is not None:
            object_type, object_id = f"{target._meta.app_label}.{target._meta.model_name}", target.pk
        audit.record_denial(actor=actor, action="|".join(operations)[:100], object_type=object_type,
                            object_id=object_id, reason="not allowed")
    error = NotFound() if hide else PermissionDenied()
    error.audited = True
    raise error


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
