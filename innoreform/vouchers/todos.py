"""What awaits each user in vouchers, and the key figures, for the home page (registered from
VouchersConfig.ready). Every count goes through this app's actor-scoped selectors."""

from datetime import timedelta

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoreform.core import todo
from innoreform.core.models import OrgKind, Role
from innoreform.core.money import yuan_text
from innoreform.core.todo import Chart, Due, Figure, Figures, FigureSource, Item, TodoSource, Tone

from . import models as m
from . import selectors

OVERSIGHT = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})
ENTERPRISE = frozenset({OrgKind.ENTERPRISE})
INSTITUTION = frozenset({OrgKind.SERVICE_INSTITUTION})
EXPIRY_WARNING_DAYS = 60  # a voucher's unused value is lost at expiry: warn two months ahead


def _application(a: m.Application) -> Item:
    return Item(a.enterprise.name, reverse("vouchers:application", args=[a.pk]), yuan_text(a.requested_fen),
                a.submitted_at.date())


def _claim(c: m.Claim) -> Item:
    return Item(f"{c.redemption.order.service.name} · {c.payee.name}", reverse("vouchers:claim", args=[c.pk]),
                c.get_status_display(), c.submitted_at.date())


def _order(o: m.Order) -> Item:
    return Item(f"{o.service.name} · {o.institution.organisation.name}", reverse("vouchers:proof", args=[o.pk])
                if o.voucher.flow == m.FlowChoice.TONGYONG else reverse("vouchers:home"), yuan_text(o.voucher_fen))


def applications_to_decide(actor):
    return todo.from_queryset(selectors.application_list(actor=actor, status=m.ApplicationStatus.SUBMITTED)
                              .order_by("submitted_at", "id"), item=_application)


def listings_to_review(actor):
    qs = selectors.institution_list(actor=actor, status=m.ListingStatus.SUBMITTED).order_by("submitted_at", "id")
    return todo.from_queryset(qs, item=lambda i: Item(i.organisation.name, reverse("vouchers:institution",
                                                                                    args=[i.pk]),
                                                      i.get_region_display(), i.submitted_at.date()))


def claims_to_review(actor):
    return todo.from_queryset(selectors.review_queue(actor=actor), item=_claim)


def batches_to_approve(actor):
    qs = selectors.batch_list(actor=actor).filter(status=m.BatchStatus.BUILT)
    return todo.from_queryset(qs, item=lambda b: Item(b.period, reverse("vouchers:batch", args=[b.pk]),
                                                      yuan_text(b.total_fen), b.created_at.date()))


def vouchers_expiring(actor):
    soon = timezone.localdate() + timedelta(days=EXPIRY_WARNING_DAYS)
    qs = selectors.voucher_list(actor=actor, status=m.VoucherStatus.ACTIVE).filter(expires_on__lte=soon).order_by(
        "expires_on")
    return todo.from_queryset(qs, item=lambda v: Item(v.serial, reverse("vouchers:home"),
                                                      yuan_text(v.face_fen - v.used_fen), v.expires_on))


def my_applications_waiting(actor):
    return todo.from_queryset(selectors.application_list(actor=actor, status=m.ApplicationStatus.SUBMITTED),
                              item=_application)


def orders_to_settle(actor):
    """Enterprise: open orders (通用: upload the proof of full payment; 通兑: the institution deducts)."""
    return todo.from_queryset(selectors.order_list(actor=actor, status=m.OrderStatus.OPEN), item=_order)


def orders_to_deduct(actor):
    qs = selectors.order_list(actor=actor, status=m.OrderStatus.OPEN).filter(voucher__flow=m.FlowChoice.TONGDUI)
    return todo.from_queryset(qs.order_by("created_at", "id"), item=lambda o: Item(
        # the deduction itself is a POST from the vouchers page, where the order is listed
        f"{o.service.name} · {o.enterprise.name}", reverse("vouchers:home") + f"#order-{o.pk}",
        yuan_text(o.voucher_fen), o.created_at.date()))


def uses_to_claim(actor):
    qs = selectors.redemption_list(actor=actor).filter(payee_id=actor.organisation_id,
                                                       status=m.RedemptionStatus.ACTIVE, claims__isnull=True)
    return todo.from_queryset(qs, item=lambda r: Item(r.order.service.name, reverse("vouchers:claim_new",
                                                                                    args=[r.pk]),
                                                      yuan_text(r.amount_fen), r.created_at.date()))


def claims_returned(actor):
    qs = selectors.claim_list(actor=actor, status=m.ClaimStatus.REJECTED).filter(payee_id=actor.organisation_id)
    return todo.from_queryset(qs, item=_claim)


def claims_in_review(actor):
    qs = selectors.claim_list(actor=actor).filter(
        payee_id=actor.organisation_id,
        status__in=[m.ClaimStatus.SUBMITTED, m.ClaimStatus.FLAGGED, m.ClaimStatus.REVIEWED, m.ClaimStatus.APPROVED])
    return todo.from_queryset(qs, item=_claim)


def listing_pending(actor):
    inst = selectors.own_institution(actor=actor)
    if inst is None or inst.status not in (m.ListingStatus.SUBMITTED, m.ListingStatus.IN_NOTICE):
        return None
    return Due(1, [Item(inst.get_status_display(), reverse("vouchers:institution", args=[inst.pk]),
                        due=inst.notice_ends_at.date() if inst.notice_ends_at else None)])


def figures(actor):
    if actor.kind == OrgKind.ENTERPRISE:
        vouchers = selectors.voucher_list(actor=actor, status=m.VoucherStatus.ACTIVE).aggregate(
            n=Count("id"), face=Sum("face_fen"), used=Sum("used_fen"))
        return Figures([Figure(_("Active vouchers"), vouchers["n"], reverse("vouchers:home")),
                        Figure(_("Voucher value left"), yuan_text((vouchers["face"] or 0) - (vouchers["used"] or 0)))])
    if actor.kind == OrgKind.SERVICE_INSTITUTION:
        inst = selectors.own_institution(actor=actor)
        paid = selectors.claim_list(actor=actor, status=m.ClaimStatus.PAID).filter(
            payee_id=actor.organisation_id).aggregate(s=Sum("amount_fen"))["s"] or 0
        return Figures([Figure(_("Listing"), inst.get_status_display() if inst else _("Not applied"),
                               reverse("vouchers:institution", args=[inst.pk]) if inst else
                               reverse("vouchers:institution_apply")),
                        Figure(_("Voucher claims paid to us"), yuan_text(paid))])
    claims = selectors.claim_list(actor=actor)
    totals = selectors.voucher_list(actor=actor).aggregate(n=Count("id"), face=Sum("face_fen"),
                                                            paid=Sum("paid_fen"))
    by_status = dict(claims.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    chart = Chart(_("Voucher claims by status"), [label for value, label in m.ClaimStatus.choices],
                  [by_status.get(value, 0) for value, _label in m.ClaimStatus.choices], _("claims"))
    return Figures([Figure(_("Vouchers issued"), totals["n"], reverse("vouchers:reports")),
                    Figure(_("Voucher value issued"), yuan_text(totals["face"] or 0)),
                    Figure(_("Voucher value paid"), yuan_text(totals["paid"] or 0))],
                   chart if any(chart.values) else None)


def register() -> None:
    for source in (
        TodoSource("vouchers.applications", _("Voucher applications to decide"), applications_to_decide,
                   group="vouchers", url_name="vouchers:home", kinds=OVERSIGHT, operation="vouchers.review", order=20),
        TodoSource("vouchers.listings", _("Institution listings to review"), listings_to_review, group="vouchers",
                   url_name="vouchers:home", kinds=OVERSIGHT, operation="vouchers.review", order=21),
        TodoSource("vouchers.claims", _("Voucher claims to review"), claims_to_review, group="vouchers",
                   url_name="vouchers:claims", kinds=OVERSIGHT, operation="vouchers.review", order=22),
        TodoSource("vouchers.batches", _("Settlement batches to approve"), batches_to_approve, group="vouchers",
                   url_name="vouchers:home", kinds=OVERSIGHT, min_role=Role.APPROVER, operation="vouchers.approve",
                   order=23),
        TodoSource("vouchers.expiring", _("Vouchers expiring within 60 days"), vouchers_expiring, group="vouchers",
                   url_name="vouchers:home", kinds=ENTERPRISE, tone=Tone.DEADLINE, order=20),
        TodoSource("vouchers.my_applications", _("Voucher applications awaiting the department"),
                   my_applications_waiting, group="vouchers", url_name="vouchers:home", kinds=ENTERPRISE,
                   tone=Tone.WAITING, order=21),
        TodoSource("vouchers.my_orders", _("Open voucher orders"), orders_to_settle, group="vouchers",
                   url_name="vouchers:home", kinds=ENTERPRISE, tone=Tone.WAITING, order=22),
        TodoSource("vouchers.to_deduct", _("Voucher orders to deduct"), orders_to_deduct, group="vouchers",
                   url_name="vouchers:home", kinds=INSTITUTION, order=20),
        TodoSource("vouchers.to_claim", _("Voucher uses to claim"), uses_to_claim, group="vouchers",
                   url_name="vouchers:home", kinds=INSTITUTION, order=21),
        TodoSource("vouchers.claims_in_review", _("Our voucher claims in review"), claims_in_review,
                   group="vouchers", url_name="vouchers:claims", kinds=INSTITUTION, tone=Tone.WAITING, order=23),
        TodoSource("vouchers.listing", _("Our listing application"), listing_pending, group="vouchers",
                   url_name="vouchers:home", kinds=INSTITUTION, tone=Tone.WAITING, order=19),
        TodoSource("vouchers.returned", _("Voucher claims returned"), claims_returned, group="vouchers",
                   url_name="vouchers:claims", kinds=ENTERPRISE | INSTITUTION, tone=Tone.OVERDUE, order=22),
    ):
        todo.register(source)
    todo.register_figures(FigureSource("vouchers", figures, kinds=ENTERPRISE | INSTITUTION | OVERSIGHT, order=20))
