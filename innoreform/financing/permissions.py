"""Who may do what in financing (a table over organisation kind and minimum role, tested as a table).
The versioned policy parameters are in innoreform.financing.policies."""

from innoreform.core.models import OrgKind, Role
from innoreform.core.permissions import OperationTable

OVERSIGHT = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})
FINANCIAL = frozenset({OrgKind.BANK, OrgKind.GUARANTOR, OrgKind.INSURER, OrgKind.INVESTOR})
ENTERPRISE = frozenset({OrgKind.ENTERPRISE})
BANK = frozenset({OrgKind.BANK})

TABLE: dict[str, tuple[frozenset[str], str]] = {
    "financing.need_publish": (ENTERPRISE, Role.MEMBER),
    "financing.apply": (ENTERPRISE, Role.ADMINISTRATOR),  # applying grants data access (registry.grant)
    "financing.product_manage": (FINANCIAL, Role.MEMBER),
    "financing.application_handle": (FINANCIAL, Role.MEMBER),
    "financing.loan_manage": (BANK, Role.MEMBER),
    "financing.invest": (frozenset({OrgKind.INVESTOR}), Role.MEMBER),
    "financing.view_all": (OVERSIGHT, Role.MEMBER),
    "financing.programme_manage": (frozenset({OrgKind.DEPARTMENT}), Role.REVIEWER),
    "financing.subsidy_compute": (frozenset({OrgKind.DEPARTMENT}), Role.REVIEWER),
    "financing.subsidy_approve": (frozenset({OrgKind.DEPARTMENT}), Role.APPROVER),
    "financing.equipment_dispose": (frozenset({OrgKind.PLATFORM_OPERATOR}), Role.REVIEWER),
}


_table = OperationTable(TABLE)
allowed = _table.allowed
can = _table.can
require = _table.require
