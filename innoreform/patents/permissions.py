"""Who may do what in patent navigation (pure functions, tested as a table)."""

from innoreform.core.models import OrgKind, Role
from innoreform.core.permissions import OperationTable

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


_table = OperationTable(TABLE)
allowed = _table.allowed
can = _table.can
require = _table.require
