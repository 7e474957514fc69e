"""What awaits each user in special goods, and the key figures, for the home page (registered
from BiomedConfig.ready). Every count goes through this app's actor-scoped selectors."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innoreform.core import todo
from innoreform.core.models import Role
from innoreform.core.todo import Due, Figure, Figures, FigureSource, Item, TodoSource, Tone

from . import models as m
from . import selectors
from .permissions import CUSTOMS, ENTERPRISE


def _application(a: m.Application) -> Item:
    return Item(f"{a.item.name} · {a.enterprise.name}", reverse("biomed:application", args=[a.pk]),
                a.get_level_display(), a.submitted_at.date())


def _follow_up(f: m.FollowUp) -> Item:
    return Item(f"{f.get_kind_display()} · {f.approval.item.name}", reverse("biomed:follow_up", args=[f.pk]),
                f"{f.approval.number} · {f.get_status_display()}", f.due_on)


def to_assess(actor) -> Due:
    qs = selectors.application_list(actor=actor, status=m.ApplicationStatus.ASSESSING).order_by("submitted_at", "id")
    return todo.from_queryset(qs, item=_application)


def to_decide(actor) -> Due:
    qs = selectors.application_list(actor=actor, status=m.ApplicationStatus.AWAITING_DECISION).order_by(
        "submitted_at", "id")
    return todo.from_queryset(qs, item=_application)


def follow_ups_overdue(actor) -> Due:
    return todo.from_queryset(selectors.follow_ups_overdue(actor=actor), item=_follow_up)


def follow_ups_to_close(actor) -> Due:
    return todo.from_queryset(selectors.follow_up_list(actor=actor, status=m.FollowUpStatus.REPORTED),
                              item=_follow_up)


def returned(actor) -> Due:
    return todo.from_queryset(selectors.application_list(actor=actor, status=m.ApplicationStatus.RETURNED),
                              item=_application)


def follow_ups_due(actor) -> Due:
    return todo.from_queryset(selectors.follow_ups_due(actor=actor), item=_follow_up)


def in_review(actor) -> Due:
    qs = selectors.application_list(actor=actor).filter(
        status__in=[m.ApplicationStatus.ASSESSING, m.ApplicationStatus.AWAITING_DECISION])
    return todo.from_queryset(qs, item=_application)


def figures(actor) -> Figures:
    approvals = selectors.approval_list(actor=actor, status=m.ApprovalStatus.ACTIVE)
    return Figures([
        Figure(_("Active special-goods approvals"), approvals.count(), reverse("biomed:home")),
        Figure(_("Import batches written off"), selectors.batch_list(actor=actor).count(), reverse("biomed:ledger")),
        Figure(_("Open follow-ups"), selectors.follow_up_list(actor=actor).exclude(
            status=m.FollowUpStatus.CLOSED).count(), reverse("biomed:follow_ups")),
    ])


def register() -> None:
    for source in (
        TodoSource("biomed.to_assess", _("Special-goods applications awaiting risk assessment"), to_assess,
                   group="programmes", url_name="biomed:home", kinds=CUSTOMS, operation="biomed.assess", order=10),
        TodoSource("biomed.to_decide", _("Special-goods applications to decide"), to_decide, group="programmes",
                   url_name="biomed:home", kinds=CUSTOMS, min_role=Role.APPROVER, operation="biomed.decide",
                   order=11),
        TodoSource("biomed.overdue", _("Overdue special-goods follow-ups"), follow_ups_overdue, group="programmes",
                   url_name="biomed:follow_ups", kinds=CUSTOMS, operation="biomed.followup_close",
                   tone=Tone.OVERDUE, order=12),
        TodoSource("biomed.reported", _("Follow-up reports to check"), follow_ups_to_close, group="programmes",
                   url_name="biomed:follow_ups", kinds=CUSTOMS, operation="biomed.followup_close", order=13),
        TodoSource("biomed.returned", _("Special-goods applications returned"), returned, group="programmes",
                   url_name="biomed:home", kinds=ENTERPRISE, tone=Tone.OVERDUE, order=10),
        TodoSource("biomed.follow_ups_due", _("Special-goods follow-ups due"), follow_ups_due, group="programmes",
                   url_name="biomed:follow_ups", kinds=ENTERPRISE, tone=Tone.DEADLINE, order=11),
        TodoSource("biomed.in_review", _("Special-goods applications with customs"), in_review, group="programmes",
                   url_name="biomed:home", kinds=ENTERPRISE, tone=Tone.WAITING, order=12),
    ):
        todo.register(source)
    todo.register_figures(FigureSource("biomed", figures, kinds=ENTERPRISE | CUSTOMS, order=60))
