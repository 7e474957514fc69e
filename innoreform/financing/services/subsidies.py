"""Interest subsidies (贴息): a department computes, per quarter, a share of the interest each
eligible loan's borrower actually paid, within a yearly cap per enterprise (policy
financing.interest_subsidy); another person approves, and the approved amount is booked as the
department's expense and a payable to the enterprise."""

from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innoreform.core.money import percent_of
from innoreform.core.permissions import is_maker_checker_violation
from innoreform.core.selectors import policy_in_force

from .. import booking, selectors
from .. import models as m
from ..policies import SUBSIDY_KEY, SubsidyRules
from .access import require


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end  # [start, end)


def subsidy_compute(*, actor: Actor, year: int, quarter: int) -> list[m.Subsidy]:
    require(actor, "financing.subsidy_compute")
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        raise ValidationFailed(details={"quarter": [_("Give a year and a quarter from 1 to 4.")]})
    start, end = quarter_bounds(year, quarter)
    if end > timezone.localdate():
        raise Conflict(_("The quarter is not over yet."), code="quarter_open")
    policy = policy_in_force(SUBSIDY_KEY, end)
    rules = SubsidyRules(**policy.parameters)
    created = []
    with transaction.atomic():
        loans = selectors.loan_list(actor=actor).filter(kind__in=rules.loan_kinds).select_for_update(of=("self",))
        if rules.programme_loans_only:
            loans = loans.filter(programme__isnull=False)
        for loan in loans.order_by("id"):
            if m.Subsidy.objects.filter(loan=loan, year=year, quarter=quarter).exclude(status="rejected").exists():
                continue
            interest = loan.repayments.filter(paid_on__gte=start, paid_on__lt=end).aggregate(
                s=Sum("interest_fen"))["s"] or 0
            if not interest:
                continue
            amount = percent_of(interest, rules.share_percent)
            used = m.Subsidy.objects.filter(loan__borrower_credit_code=loan.borrower_credit_code, year=year).exclude(
                status="rejected").aggregate(s=Sum("amount_fen"))["s"] or 0
            capped = amount > rules.yearly_cap_fen - used
            amount = max(0, min(amount, rules.yearly_cap_fen - used))
            if amount == 0:
                continue
            created.append(m.Subsidy.objects.create(
                loan=loan, department=actor.organisation, year=year, quarter=quarter, interest_paid_fen=interest,
                share_percent=rules.share_percent, amount_fen=amount, capped=capped, policy_version=policy.version,
                computed_by=actor.user))
        audit.record(actor=actor, action="financing.subsidies_computed", object_type="financing.subsidy",
                     changes={"year": year, "quarter": quarter, "count": len(created),
                              "total_fen": sum(s.amount_fen for s in created), "policy_version": policy.version})
    return created


def subsidy_decide(*, actor: Actor, subsidy_id: int, approve: bool) -> m.Subsidy:
    require(actor, "financing.subsidy_approve")
    with transaction.atomic():
        s = m.Subsidy.objects.select_for_update().select_related("loan").filter(
            pk=subsidy_id, department_id=actor.organisation_id).first()
        if s is None:
            raise NotFound()
        if s.status != m.Subsidy.Status.COMPUTED:
            raise Conflict(_("This subsidy has already been decided."), code="already_decided")
        if is_maker_checker_violation(submitted_by_id=s.computed_by_id,
                                      approver_id=actor.user.pk if actor.user else None):
            raise PermissionDenied(_("You cannot approve what you computed."), code="maker_checker")
        s.status = m.Subsidy.Status.APPROVED if approve else m.Subsidy.Status.REJECTED
        s.approved_by, s.approved_at = actor.user, timezone.now()
        if approve:
            s.books_reference = booking.subsidy(actor, s)
        s.save()
        audit.record(actor=actor, action="financing.subsidy_approved" if approve else "financing.subsidy_rejected",
                     obj=s, changes={"amount_fen": s.amount_fen, "loan": s.loan_id})
    return s
