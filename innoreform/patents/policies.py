"""Who may do what in patent navigation (pure functions, tested as a table)."""

from innoreform.core.actor import ROLE_RANK, Actor
from innoreform.core.models import OrgKind, Role

ANALYST_KINDS = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR, OrgKind.SERVICE_INSTITUTION})
RULE_KINDS = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})

# operation -> (organisation kinds, minimum role)
TABLE = {
    "patents.view": (ANALYST_KINDS, Role.MEMBER),  # own organisation's datasets
    "patents.view_all": (RULE_KINDS, Role.MEMBER),  # every organisation's datasets
    "patents.import": (ANALYST_KINDS, Role.MEMBER),
    "patents.alias_edit": (ANALYST_KINDS, Role.REVIEWER),
    "patents.rules_edit": (RULE_KINDS, Role.REVIEWER),
    "patents.rules_approve": (RULE_KINDS, Role.APPROVER),
}


def allowed(kind: str | None, role: str | None, operation: str) -> bool:
    rule = TABLE.get(operation)
    if rule is None or kind is None or role is None:
        return False
    kinds, minimum = rule
    return kind in kinds and ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]


def can(actor: Actor | None, operation: str) -> bool:
    if actor is None:
        return False
    if actor.is_system:
        return True
    return allowed(actor.kind, actor.role, operation)
