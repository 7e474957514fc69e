"""Who may do what in credit: a table over (organisation kind, minimum role), like core's."""

from innoreform.core.actor import ROLE_RANK, Actor
from innoreform.core.models import FINANCIAL_KINDS, OrgKind, Role

OVERSIGHT = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})

TABLE: dict[str, tuple[frozenset, str]] = {
    "credit.model_view": (OVERSIGHT, Role.MEMBER),
    "credit.model_submit": (OVERSIGHT, Role.REVIEWER),
    "credit.model_approve": (OVERSIGHT, Role.APPROVER),
    "credit.score_registry": (OVERSIGHT, Role.REVIEWER),
    "credit.bank_score": (frozenset(FINANCIAL_KINDS), Role.MEMBER),
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
