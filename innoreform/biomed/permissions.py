"""Who may do what in special goods: a pure role × operation table (tested as a table).

Enterprises register items, apply, declare batches against their approvals and report on
follow-ups; customs assesses (reviewer), decides and revokes (approver, never the assessor of the
same application), keeps the white list, closes follow-ups and may record declarations from its
own systems; the science department and the platform operator read everything and the statistics.
Object-level checks (is this my enterprise's approval?) live in selectors, which answer NotFound.
"""

from innoreform.core.models import OrgKind, Role
from innoreform.core.permissions import OperationTable

ENTERPRISE = frozenset({OrgKind.ENTERPRISE})
CUSTOMS = frozenset({OrgKind.CUSTOMS})
OVERSIGHT = frozenset({OrgKind.CUSTOMS, OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})

TABLE: dict[str, tuple[frozenset[str], str]] = {
    "biomed.item_register": (ENTERPRISE, Role.MEMBER),
    "biomed.apply": (ENTERPRISE, Role.MEMBER),
    "biomed.declare": (ENTERPRISE | CUSTOMS, Role.MEMBER),
    "biomed.followup_report": (ENTERPRISE, Role.MEMBER),
    "biomed.view_all": (OVERSIGHT, Role.MEMBER),
    "biomed.statistics": (OVERSIGHT, Role.MEMBER),
    "biomed.assess": (CUSTOMS, Role.REVIEWER),
    "biomed.followup_close": (CUSTOMS, Role.REVIEWER),
    "biomed.decide": (CUSTOMS, Role.APPROVER),
    "biomed.revoke": (CUSTOMS, Role.APPROVER),
    "biomed.whitelist": (CUSTOMS, Role.APPROVER),
}

_table = OperationTable(TABLE)
allowed = _table.allowed
can = _table.can
require = _table.require
