"""Who may do what in the ledger. The log itself is public; these rules cover writes."""

from innoreform.core.actor import Actor
from innoreform.core.models import OrgKind, Role

RULES = {
    # any member of any organisation may preserve evidence for their organisation
    "evidence.deposit": (None, Role.MEMBER),
    "evidence.view_own": (None, Role.MEMBER),
    "ledger.view_own_entries": (None, Role.MEMBER),
    # publishing a checkpoint by hand: platform operator administrators (the sequencer runs as system)
    "ledger.publish": (frozenset({OrgKind.PLATFORM_OPERATOR}), Role.ADMINISTRATOR),
}


def can(actor: Actor | None, operation: str) -> bool:
    if actor is None:
        return False
    if actor.is_system:
        return True
    rule = RULES.get(operation)
    if rule is None or actor.organisation is None:
        return False
    kinds, min_role = rule
    if kinds is not None and actor.kind not in kinds:
        return False
    return actor.has_role(min_role)
