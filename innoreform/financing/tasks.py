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
