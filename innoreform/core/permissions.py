"""Who may do what, as pure functions over (organisation kind, role, operation).

The table is the single source of truth; views, APIs and selectors ask `allowed` or `can`.
Object-level checks (is this my organisation's object?) live in selectors, which turn a
failure into NotFound.
"""

from dataclasses import dataclass

from .actor import ROLE_RANK, Actor
from .models import API_KEY_KINDS, OrgKind, Role

ANY_KIND = "*"
OVERSIGHT_KINDS = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})


@dataclass(frozen=True)
class Rule:
    kinds: frozenset[str] | str  # ANY_KIND or a set of organisation kinds
    min_role: str


def _kinds(*kinds: str) -> frozenset[str]:
    return frozenset(kinds)


# operation -> rule. Reading one's own organisation is open to every member.
TABLE: dict[str, Rule] = {
    "organisation.view_own": Rule(ANY_KIND, Role.MEMBER),
    "organisation.view_all": Rule(OVERSIGHT_KINDS, Role.MEMBER),
    "organisation.create": Rule(_kinds(OrgKind.PLATFORM_OPERATOR), Role.ADMINISTRATOR),
    "membership.manage": Rule(ANY_KIND, Role.ADMINISTRATOR),
    "apikey.manage": Rule(API_KEY_KINDS, Role.ADMINISTRATOR),
    "audit.search_own": Rule(ANY_KIND, Role.ADMINISTRATOR),
    "audit.search_all": Rule(OVERSIGHT_KINDS, Role.REVIEWER),
    "policy.view": Rule(ANY_KIND, Role.MEMBER),
    "policy.propose": Rule(OVERSIGHT_KINDS, Role.REVIEWER),
    "policy.approve": Rule(OVERSIGHT_KINDS, Role.APPROVER),
    "job.view_own": Rule(ANY_KIND, Role.MEMBER),
    "notification.view_own": Rule(ANY_KIND, Role.MEMBER),
}


def allowed(kind: str | None, role: str | None, operation: str) -> bool:
    """Pure: may a person with `role` in an organisation of `kind` perform `operation`?"""
    rule = TABLE.get(operation)
    if rule is None or kind is None or role is None:
        return False
    if rule.kinds != ANY_KIND and kind not in rule.kinds:
        return False
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(rule.min_role)]


def can(actor: Actor | None, operation: str) -> bool:
    if actor is None:
        return False
    if actor.is_system:
        return True
    return allowed(actor.kind, actor.role, operation)


def is_maker_checker_violation(*, submitted_by_id: int | None, approver_id: int | None) -> bool:
    """Nobody approves what they submitted."""
    return submitted_by_id is not None and submitted_by_id == approver_id


class OperationTable:
    """A domain's role × operation table: operation -> (organisation kinds, minimum role).
    Each app's permissions.py builds one and exposes its `allowed` (pure, tested as a table) and
    `can` (for an actor; the system actor may do anything)."""

    def __init__(self, rules: dict[str, tuple[frozenset[str], str]]):
        self.rules = rules

    def allowed(self, kind: str | None, role: str | None, operation: str) -> bool:
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
