"""Background work (django-tasks): settlement runs with progress, the trust-ledger sequencing of
voucher uses, and the daily upkeep."""

import logging
import threading
import time
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from innoreform.core.actor import Actor

log = logging.getLogger("innoreform.vouchers")
SEQUENCE_DELAY = 1.0  # seconds: a voucher use reaches the trust ledger within about this long
CLOCK_MARGIN = 0.1  # seconds: web and task worker clocks (other machines, NTP) may differ by less
_sequencing_lock = threading.Lock()
_next_sequencing = 0.0


@task()
def sequence_ledger() -> int:
    from innoreform.ledger import tasks as ledger_tasks
    from innoreform.ledger.services import sequence_pending

    done = sequence_pending()
    if done:
        ledger_tasks.schedule_checkpoint()  # as the ledger does after its own on-commit sequencing
    return done


def schedule_sequencing() -> None:
    """After a voucher use commits: integrate its queued trust-ledger entry off the request path.

    Sequencing in the request costs two more transactions, serialised on the log's head. Here
    each process enqueues at most one task per SEQUENCE_DELAY, to run SEQUENCE_DELAY later, so
    that task also integrates every entry the process queued meanwhile; and none while a task
    (any process's) is queued to start within that delay, which will integrate them as well. The
    entries are rows committed with the use, so a lost task loses nothing: the next one, any
    other append with sequencing, or the daily upkeep integrates them. A backend that cannot
    defer (the immediate one in tests) runs the task at once, every time."""
    global _next_sequencing
    backend = sequence_ledger.get_backend()
    if backend.supports_defer:
        now = time.monotonic()
        with _sequencing_lock:
            if now < _next_sequencing:
                return
            _next_sequencing = now + SEQUENCE_DELAY
        wait = _queued_sequencing_starts_in(backend)
        if wait is not None:  # what this process commits before that task may start is its work
            with _sequencing_lock:
                _next_sequencing = now + wait
            return
        job = sequence_ledger.using(run_after=timezone.now() + timedelta(seconds=SEQUENCE_DELAY))
    else:
        job = sequence_ledger
    try:
        job.enqueue()
    except Exception:  # the entries stay queued (see above)
        log.exception("could not enqueue the ledger sequencing")


def _queued_sequencing_starts_in(backend) -> float | None:
    """Seconds until a queued sequencing task (any process's) may start, if one is queued to start
    within SEQUENCE_DELAY; else None. That task integrates every entry committed before it starts,
    so this process needs none of its own until then (it looks again at that time). With one web
    worker process per request slot, each enqueuing its own, the log took many small batches a
    second instead of one (bench/NOTES.md).
    Only the database backend can be asked; on an error the caller enqueues, as before."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(backend, DatabaseBackend):
        return None
    now = timezone.now()
    margin = timedelta(seconds=CLOCK_MARGIN)
    try:
        starts = (DBTaskResult.objects.filter(task_path=sequence_ledger.module_path, status="READY",
                                              run_after__gt=now + margin,
                                              run_after__lte=now + timedelta(seconds=SEQUENCE_DELAY))
                  .order_by("run_after").values_list("run_after", flat=True).first())
    except Exception:
        log.warning("could not look for a queued ledger sequencing", exc_info=True)
        return None
    return None if starts is None else (starts - now - margin).total_seconds()


@task()
def run_batch(batch_id: int, job_id: str | None = None) -> dict:
    from innoreform.core import services as core_services

    from . import settlement

    def progress(done: int, total: int) -> None:
        if job_id:
            core_services.job_progress(job_id=job_id, done=done, total=total)

    try:
        result = settlement.batch_run(actor=Actor.system(), batch_id=batch_id, progress=progress)
    except Exception as exc:
        if job_id:
            core_services.job_finish(job_id=job_id, ok=False, message=str(exc))
        raise
    if job_id:
        core_services.job_finish(job_id=job_id, ok=True, result=result)
    return result


@task()
def daily() -> dict:
    from innoreform.ledger.services import sequence_pending

    from . import services, use

    system = Actor.system()
    return {
        "sequenced": sequence_pending(),  # queued voucher-use entries into the trust ledger
        "listed": services.institutions_publish_due(actor=system),
        "expired": services.vouchers_expire_due(actor=system),
        "voided": use.unclaimed_void_due(actor=system),
    }
