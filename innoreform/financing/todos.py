"""What awaits each user in financing (applications to accept and decide, repayments due, overdue
loans, subsidies to approve) and the key figures, for the home page (registered from
FinancingConfig.ready), through this app's actor-scoped selectors."""

from datetime import timedelta

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoreform.core import todo
from innoreform.core.models import FINANCIAL_KINDS, OrgKind, Role
from innoreform.core.money import yuan_text
from innoreform.core.todo import Chart, Figure, Figures, FigureSource, Item, TodoSource, Tone

from . import models as m
from . import selectors

OVERSIGHT = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})
ENTERPRISE = frozenset({OrgKind.ENTERPRISE})
FINANCIAL = frozenset(FINANCIAL_KINDS)
REPAYMENT_WARNING_DAYS = 30
A = m.Application.Status


def _application(a: m.Application, *, enterprise_side: bool = False) -> Item:
    return Item(a.product.name if enterprise_side else a.enterprise.name,
                reverse("financing:application", args=[a.pk]), yuan_text(a.need.amount_fen), a.submitted_at.date())


def applications(actor, statuses, *, enterprise_side=False):
    qs = selectors.application_list(actor=actor).filter(status__in=statuses).order_by("submitted_at", "id")
    return todo.from_queryset(qs, item=lambda a: _application(a, enterprise_side=enterprise_side))


def overdue_loans(actor):
    qs = selectors.loan_list(actor=actor, status=m.LoanStatus.ACTIVE).filter(overdue_days__gt=0).order_by(
        "-overdue_days", "id")
    return todo.from_queryset(qs, item=lambda loan: Item(
        f"{loan.contract_no} · {loan.borrower_name}", reverse("financing:loan", args=[loan.pk]),
        _("%(days)s days overdue") % {"days": loan.overdue_days}))


def repayments_due(actor):
    today = timezone.localdate()
    loans = selectors.loan_list(actor=actor, status=m.LoanStatus.ACTIVE)
    qs = (m.Instalment.objects.filter(loan__in=loans.values("pk"), due_on__gte=today,
                                      due_on__lte=today + timedelta(days=REPAYMENT_WARNING_DAYS))
          .select_related("loan").order_by("due_on", "id"))
    return todo.from_queryset(qs, item=lambda i: Item(
        i.loan.contract_no, reverse("financing:loan", args=[i.loan_id]),
        yuan_text(i.principal_fen + i.interest_fen - i.principal_paid_fen - i.interest_paid_fen), i.due_on))


def subsidies_to_approve(actor):
    qs = selectors.subsidy_list(actor=actor).filter(status=m.Subsidy.Status.COMPUTED)
    return todo.from_queryset(qs, item=lambda s: Item(f"{s.loan.contract_no} · {s.year}Q{s.quarter}",
                                                      reverse("financing:loan", args=[s.loan_id]),
                                                      yuan_text(s.amount_fen)))


def programmes_in_draft(actor):
    qs = selectors.programme_list(actor=actor).filter(status=m.Programme.Status.DRAFT)
    return todo.from_queryset(qs, item=lambda p: Item(p.name, reverse("financing:programme", args=[p.pk])))


def figures(actor):
    loans = selectors.loan_list(actor=actor)
    totals = loans.filter(status=m.LoanStatus.ACTIVE).aggregate(n=Count("id"), p=Sum("principal_fen"))
    figures = [Figure(_("Active loans"), totals["n"], reverse("financing:loans")),
               Figure(_("Principal of active loans"), yuan_text(totals["p"] or 0))]
    chart = None
    if actor.kind in FINANCIAL or actor.kind in OVERSIGHT:
        by_status = dict(selectors.application_list(actor=actor).order_by().values_list("status")
                         .annotate(n=Count("id")).values_list("status", "n"))
        chart = Chart(_("Financing applications by status"), [label for _v, label in A.choices],
                      [by_status.get(value, 0) for value, _l in A.choices], _("applications"))
        figures.insert(0, Figure(_("Financing applications"), sum(by_status.values()),
                                 reverse("financing:pipeline" if actor.kind in FINANCIAL else "financing:dashboard")))
    return Figures(figures, chart if chart and any(chart.values) else None)


def register() -> None:
    for source in (
        TodoSource("financing.to_accept", _("Financing applications to accept"),
                   lambda actor: applications(actor, [A.SUBMITTED]), group="financing",
                   url_name="financing:pipeline", kinds=FINANCIAL, operation="financing.application_handle", order=30),
        TodoSource("financing.to_decide", _("Loan decisions to make"),
                   lambda actor: applications(actor, [A.ACCEPTED]), group="financing",
                   url_name="financing:pipeline", kinds=FINANCIAL, min_role=Role.REVIEWER,
                   operation="financing.application_handle", order=31),
        TodoSource("financing.overdue", _("Overdue loans"), overdue_loans, group="financing",
                   url_name="financing:loans", kinds=FINANCIAL | ENTERPRISE | OVERSIGHT, tone=Tone.OVERDUE, order=32),
        TodoSource("financing.my_applications", _("Financing applications with the banks"),
                   lambda actor: applications(actor, [A.SUBMITTED, A.ACCEPTED], enterprise_side=True),
                   group="financing", url_name="financing:centre", kinds=ENTERPRISE, tone=Tone.WAITING, order=30),
        TodoSource("financing.repayments", _("Repayments due within 30 days"), repayments_due, group="financing",
                   url_name="financing:loans", kinds=ENTERPRISE, tone=Tone.DEADLINE, order=31),
        TodoSource("financing.subsidies", _("Interest subsidies to approve"), subsidies_to_approve,
                   group="financing", url_name="financing:dashboard", kinds=OVERSIGHT,
                   operation="financing.subsidy_approve", order=30),
        TodoSource("financing.programmes", _("Collective credit programmes in draft"), programmes_in_draft,
                   group="financing", url_name="financing:programmes", kinds=OVERSIGHT,
                   operation="financing.programme_manage", order=31),
    ):
        todo.register(source)
    todo.register_figures(FigureSource("financing", figures, kinds=FINANCIAL | ENTERPRISE | OVERSIGHT, order=30))
