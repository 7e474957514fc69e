"""Background work: publishing checkpoints (signing, witness round trips) off the request path."""

import logging
import time

from django.conf import settings
from django_tasks import task

log = logging.getLogger("innoreform.ledger")
_last_scheduled = 0.0


@task()
def publish_checkpoint_task() -> int:
    from innoreform.core.actor import Actor

    from . import services

    cp = services.publish_checkpoint(actor=Actor.system())
    return cp.size


def schedule_checkpoint(force: bool = False) -> None:
    """Enqueue a checkpoint at most every LEDGER_CHECKPOINT_INTERVAL seconds (default 10, as Tessera)."""
    global _last_scheduled
    interval = float(getattr(settings, "LEDGER_CHECKPOINT_INTERVAL", 10))
    now = time.monotonic()
    if not force and now - _last_scheduled < interval:
        return
    _last_scheduled = now
    try:
        publish_checkpoint_task.enqueue()
    except Exception:
        log.exception("could not enqueue a ledger checkpoint")
