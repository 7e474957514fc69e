"""Who may do what in IP cases: role × operation, pure (tested as a table in tests/test_permissions.py).

Object checks (is this my dispute, my court, my mediation, my notary office?) live in selectors,
which answer NotFound for what the actor may not see.
"""

from innoreform.core.models import OrgKind, Role
from innoreform.core.permissions import OperationTable

PARTY = frozenset({OrgKind.ENTERPRISE, OrgKind.SERVICE_INSTITUTION, OrgKind.COLLEGE})
COURT = frozenset({OrgKind.COURT})
MEDIATION = frozenset({OrgKind.MEDIATION_BODY})
NOTARY = frozenset({OrgKind.NOTARY_OFFICE})
OVERSIGHT = frozenset({OrgKind.PLATFORM_OPERATOR})

TABLE: dict[str, tuple[frozenset[str], str]] = {
    "ipcases.file": (PARTY, Role.MEMBER),  # file, correct, consent, choose a mediator, sign, confirm
    "ipcases.party": (PARTY, Role.MEMBER),
    "ipcases.clerk": (COURT, Role.MEMBER),  # see the court's filings and cases, schedule, serve
    "ipcases.decide_filing": (COURT, Role.REVIEWER),  # docket, correct, refuse; entrust mediation
    "ipcases.judge": (COURT, Role.APPROVER),  # rulings, trial-limit exclusions, appeals
    "ipcases.mediate": (MEDIATION, Role.MEMBER),  # accept, decline, record, sign for the organisation
    "ipcases.roster": (MEDIATION, Role.ADMINISTRATOR),
    "ipcases.notary_request": (PARTY | COURT, Role.MEMBER),
    "ipcases.notary_capture": (NOTARY, Role.MEMBER),
    "ipcases.notary_certify": (NOTARY, Role.APPROVER),
    "ipcases.dashboard": (COURT | OVERSIGHT, Role.MEMBER),
}

_table = OperationTable(TABLE)
allowed = _table.allowed
can = _table.can
require = _table.require
