"""Who may do what in the ledger. The log itself is public; these rules cover writes."""

from innoreform.core.models import OrgKind, Role
from innoreform.core.permissions import ANY_KIND, OperationTable

TABLE: dict[str, tuple[frozenset[str], str]] = {
    # any member of any organisation may preserve evidence for their organisation
    "evidence.deposit": (ANY_KIND, Role.MEMBER),
    "evidence.view_own": (ANY_KIND, Role.MEMBER),
    "ledger.view_own_entries": (ANY_KIND, Role.MEMBER),
    # publishing a checkpoint by hand: platform operator administrators (the sequencer runs as system)
    "ledger.publish": (frozenset({OrgKind.PLATFORM_OPERATOR}), Role.ADMINISTRATOR),
}


_table = OperationTable(TABLE)
allowed = _table.allowed
can = _table.can
require = _table.require
