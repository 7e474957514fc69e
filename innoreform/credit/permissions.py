"""Who may do what in credit: a table over (organisation kind, minimum role), like core's. The
credit policy parameters are in innoreform.credit.policies."""

from innoreform.core.models import FINANCIAL_KINDS, OrgKind, Role
from innoreform.core.permissions import OperationTable

OVERSIGHT = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})

TABLE: dict[str, tuple[frozenset, str]] = {
    "credit.model_view": (OVERSIGHT, Role.MEMBER),
    "credit.model_submit": (OVERSIGHT, Role.REVIEWER),
    "credit.model_approve": (OVERSIGHT, Role.APPROVER),
    "credit.score_registry": (OVERSIGHT, Role.REVIEWER),
    "credit.bank_score": (frozenset(FINANCIAL_KINDS), Role.MEMBER),
}


_table = OperationTable(TABLE)
allowed = _table.allowed
can = _table.can
require = _table.require


def can_use_whole_registry(actor) -> bool:
    """Scoring every registered enterprise, or training on the registry snapshot, reads every
    city's firms; a city department's reads stop at its city, so only province-level oversight
    (and the system) may start such a run."""
    return actor.city_limit is None
