"""Who may do what in the pools app (a table, tested as a table). The compensation parameters
themselves are the versioned policy "pools.compensation" (innoreform.pools.rules)."""

from innoreform.core.models import OrgKind, Role
from innoreform.core.permissions import OperationTable

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


_table = OperationTable(TABLE)
allowed = _table.allowed
can = _table.can
require = _table.require
