"""What awaits each user in the risk pools (claims to review, approve, or waiting), and the pools'
key figures, for the home page (registered from PoolsConfig.ready), through this app's selectors."""

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innoreform.core import todo
from innoreform.core.models import OrgKind, Role
from innoreform.core.money import yuan_text
from innoreform.core.todo import Chart, Figure, Figures, FigureSource, Item, TodoSource, Tone

from . import selectors
from .models import Claim, ClaimStatus

OVERSIGHT = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})
CLAIMANTS = frozenset({OrgKind.BANK, OrgKind.GUARANTOR, OrgKind.INVESTOR})


def _claim(c: Claim) -> Item:
    return Item(f"{c.institution.name} · {c.loan.contract_no}", reverse("pools:claim", args=[c.pk]),
                yuan_text(c.loss_fen), c.filed_at.date())


def claims(actor, statuses):
    qs = selectors.claim_list(actor=actor).filter(status__in=statuses).order_by("filed_at", "id")
    return todo.from_queryset(qs, item=_claim)


def figures(actor):
    if actor.kind not in OVERSIGHT:
        return None
    summaries = selectors.pool_summaries(actor=actor)
    paid = selectors.claim_list(actor=actor, status=ClaimStatus.PAID).aggregate(s=Sum("total_fen"))["s"] or 0
    by_status = dict(selectors.claim_list(actor=actor).order_by().values_list("status").annotate(n=Count("id"))
                     .values_list("status", "n"))
    chart = Chart(_("Compensation claims by status"), [label for _v, label in ClaimStatus.choices],
                  [by_status.get(v, 0) for v, _l in ClaimStatus.choices], _("claims"))
    return Figures([Figure(_("Risk pools"), len(summaries), reverse("pools:pools")),
                    Figure(_("Compensation paid"), yuan_text(paid),
                           reverse("pools:reports"))],
                   chart if any(chart.values) else None)


def register() -> None:
    for source in (
        TodoSource("pools.to_review", _("Compensation claims to review"),
                   lambda actor: claims(actor, [ClaimStatus.SUBMITTED]), group="pools", url_name="pools:claims",
                   kinds=OVERSIGHT, operation="pools.claim_review", order=40),
        TodoSource("pools.to_approve", _("Compensation claims to approve"),
                   lambda actor: claims(actor, [ClaimStatus.REVIEWED]), group="pools", url_name="pools:claims",
                   kinds=OVERSIGHT, min_role=Role.APPROVER, operation="pools.claim_approve", order=41),
        TodoSource("pools.mine", _("Our compensation claims in progress"),
                   lambda actor: claims(actor, [ClaimStatus.SUBMITTED, ClaimStatus.REVIEWED, ClaimStatus.APPROVED]),
                   group="pools", url_name="pools:claims", kinds=CLAIMANTS, tone=Tone.WAITING, order=40),
    ):
        todo.register(source)
    todo.register_figures(FigureSource("pools", figures, kinds=OVERSIGHT, order=40))
