"""What every financing write checks first: may the actor do it."""

from innoreform.core.actor import Actor
from innoreform.core.errors import PermissionDenied

from ..policies import can


def require(actor: Actor, operation: str) -> None:
    if not can(actor, operation):
        raise PermissionDenied()
