"""Background work (django-tasks): the daily overdue/classification/default refresh of every
active loan, and the expiry of open warrants."""

from django_tasks import task

from innoreform.core.actor import Actor


@task()
def refresh_loans() -> int:
    from . import loans

    return loans.loans_refresh_all(actor=Actor.system())


@task()
def expire_warrants() -> int:
    from . import special

    return special.warrants_expire(actor=Actor.system())
