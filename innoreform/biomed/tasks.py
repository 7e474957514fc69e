"""Background work (django-tasks): the daily escalation of overdue follow-ups."""

from django_tasks import task

from innoreform.core.actor import Actor


@task()
def daily() -> dict:
    from . import services

    return {"escalated": services.followups_escalate_due(actor=Actor.system())}
