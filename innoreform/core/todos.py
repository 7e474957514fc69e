"""Core's own to-dos for the home page: policy versions awaiting a second person's approval
(maker-checker) and the user's failed background jobs."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors, todo
from .models import JobStatus, PolicyStatus, Role
from .notifications import render as render_notification
from .todo import Item, TodoSource, Tone

FAILED_JOB_DAYS = 7


def policies_to_approve(actor):
    # The author cannot approve their own draft, so it is not their to-do.
    qs = selectors.policy_list(actor=actor).filter(status=PolicyStatus.DRAFT).exclude(created_by=actor.user)
    return todo.from_queryset(qs.order_by("created_at", "id"), item=lambda p: Item(f"{p.key} v{p.version}",
                                                                                 reverse("core:policy_detail",
                                                                                         args=[p.pk])))


def failed_jobs(actor):
    since = timezone.now() - timedelta(days=FAILED_JOB_DAYS)
    qs = selectors.job_list(actor=actor).filter(status=JobStatus.FAILED, created_at__gte=since)
    return todo.from_queryset(qs, item=lambda j: Item(j.kind, reverse("core:job_detail", args=[j.pk]),
                                                      due=j.created_at.date()))


def unread_notifications(actor):
    qs = selectors.notification_list(actor=actor).filter(read_at__isnull=True)
    return todo.from_queryset(qs, item=lambda n: Item(render_notification(n.message_id, n.params), n.url,
                                                      due=n.created_at.date()))


def register() -> None:
    todo.register(TodoSource("core.notifications", _("Unread notifications"), unread_notifications, group="admin",
                             url_name="core:notifications", tone=Tone.WAITING, order=90))
    todo.register(TodoSource("core.policies", _("Policy versions to approve"), policies_to_approve, group="admin",
                             url_name="core:policies", min_role=Role.APPROVER, operation="policy.approve", order=85))
    todo.register(TodoSource("core.failed_jobs", _("Background jobs that failed this week"), failed_jobs,
                             group="admin", url_name="core:jobs", tone=Tone.OVERDUE, order=86))
