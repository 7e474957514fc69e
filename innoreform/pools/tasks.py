"""Background task: the payout job (django-tasks), enqueued by the department's "run payouts" action."""

from django_tasks import task

from innoreform.core.actor import Actor


@task()
def run_payouts() -> dict:
    from .payouts import run_payouts as run

    return run(actor=Actor.system())
