"""Background work (django-tasks): the daily overdue/classification/default refresh of every
active loan, and the expiry of open warrants."""

from django_tasks import task

from innoreform.core.actor import Actor


@task()
def refresh_loans() -> int:
    from .services import loans

    return loans.loans_refresh_all(actor=Actor.system())


@task()
def expire_warrants() -> int:
    from . import services

    return services.warrants_expire(actor=Actor.system())


@task()
def process_loan_import(import_id: int) -> dict:
    """A loan file too large to check in a web worker (imports.loan_import queues it)."""
    from . import imports

    batch = imports.loan_import_process(import_id=import_id)
    return {"loan_import": batch.pk, "status": batch.status}
