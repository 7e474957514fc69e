"""Who may do what in the registry (a table over organisation kind and minimum role, tested as a table).
The versioned policy parameters are in innoreform.registry.policies."""

from innoreform.core.models import FINANCIAL_KINDS, OrgKind, Role
from innoreform.core.permissions import OperationTable

OVERSIGHT = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})

# operation -> (organisation kinds, minimum role)
TABLE: dict[str, tuple[frozenset[str], str]] = {
    "registry.view_all": (OVERSIGHT, Role.MEMBER),
    "registry.import": (OVERSIGHT, Role.MEMBER),
    "registry.review": (OVERSIGHT, Role.REVIEWER),
    "registry.approve": (OVERSIGHT, Role.APPROVER),
    "registry.recompute": (OVERSIGHT, Role.REVIEWER),
    "registry.declare": (frozenset({OrgKind.ENTERPRISE}), Role.MEMBER),
    "registry.view_own": (frozenset({OrgKind.ENTERPRISE}), Role.MEMBER),
    "registry.grant": (frozenset({OrgKind.ENTERPRISE}), Role.ADMINISTRATOR),
    "registry.bank_read": (FINANCIAL_KINDS, Role.MEMBER),
}


_table = OperationTable(TABLE)
allowed = _table.allowed
can = _table.can
require = _table.require
