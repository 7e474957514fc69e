"""Who may do what with vouchers (a table over organisation kind and minimum role, tested as a table).
The scheme's versioned policy parameters are in innoreform.vouchers.policies."""

from innoreform.core.models import OrgKind, Role
from innoreform.core.permissions import OperationTable

OVERSIGHT = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})
ENTERPRISE = frozenset({OrgKind.ENTERPRISE})
INSTITUTION = frozenset({OrgKind.SERVICE_INSTITUTION})
ANY = frozenset(OrgKind.values)

TABLE: dict[str, tuple[frozenset[str], str]] = {
    "vouchers.apply": (ENTERPRISE, Role.MEMBER),
    "vouchers.use": (ENTERPRISE, Role.MEMBER),
    "vouchers.institution": (INSTITUTION, Role.MEMBER),
    "vouchers.institution_admin": (INSTITUTION, Role.ADMINISTRATOR),
    "vouchers.object": (ANY, Role.MEMBER),
    "vouchers.view_all": (OVERSIGHT, Role.MEMBER),
    "vouchers.review": (OVERSIGHT, Role.REVIEWER),
    "vouchers.approve": (OVERSIGHT, Role.APPROVER),
    "vouchers.budget": (OVERSIGHT, Role.APPROVER),
    "vouchers.settle": (OVERSIGHT, Role.REVIEWER),
}


_table = OperationTable(TABLE)
allowed = _table.allowed
can = _table.can
require = _table.require
