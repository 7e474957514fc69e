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
