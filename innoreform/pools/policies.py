"""Who may do what in the pools app (a table, tested as a table). The compensation parameters
themselves are the versioned policy "pools.compensation" (innoreform.books.pool_rules)."""

from innoreform.core.actor import ROLE_RANK, Actor
from innoreform.core.models import OrgKind, Role

DEPARTMENT = frozenset({OrgKind.DEPARTMENT})
OVERSIGHT = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})
CLAIMANTS = frozenset({OrgKind.BANK, OrgKind.GUARANTOR, OrgKind.INVESTOR})

TABLE: dict[str, tuple[frozenset[str], str]] = {
    "pools.view_all": (OVERSIGHT, Role.MEMBER),
    "pools.manage": (DEPARTMENT, Role.REVIEWER),  # create pools, coverage, key list, loss ratios
    "pools.contribute": (DEPARTMENT, Role.REVIEWER),  # record money received into a pool
    "pools.reverse": (DEPARTMENT, Role.APPROVER),
    "pools.claim_file": (CLAIMANTS, Role.MEMBER),
    "pools.claim_review": (DEPARTMENT, Role.REVIEWER),  # maker
    "pools.claim_approve": (DEPARTMENT, Role.APPROVER),  # checker (another person)
    "pools.run_payouts": (OVERSIGHT, Role.REVIEWER),
}


def allowed(kind: str | None, role: str | None, operation: str) -> bool:
    rule = TABLE.get(operation)
    if rule is None or kind is None or role is None:
        return False
    kinds, min_role = rule
    return kind in kinds and ROLE_RANK[Role(role)] >= ROLE_RANK[Role(min_role)]


def can(actor: Actor | None, operation: str) -> bool:
    if actor is None:
        return False
    if actor.is_system:
        return True
    return allowed(actor.kind, actor.role, operation)
