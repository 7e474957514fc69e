"""Background work (django-tasks): settlement runs with progress, and the daily upkeep."""

from django_tasks import task

from innoreform.core.actor import Actor


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
