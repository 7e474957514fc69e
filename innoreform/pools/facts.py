"""Adapter to the financing app: the facts of a loan for a claim, institution loss ratios and the
loans a pool covers. Reads go through financing's selectors where they exist; the aggregates over
many institutions' loans (oversight reports) read financing's models with the system actor's
unrestricted scope."""

from decimal import Decimal

from django.db.models import Q, Sum

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound
from innoreform.financing import models as fm
from innoreform.financing import selectors as fin

from .models import KeyListEntry, LossRatioReport


def loan_facts(*, actor: Actor, loan_id: int) -> dict:
    """NotFound unless the actor may see the loan (financing's scope)."""
    facts = fin.loan_for_claim(actor=actor, loan_id=loan_id)
    loan = fin.loan_get(actor=actor, loan_id=loan_id)
    facts["borrower_district"] = loan.borrower.district if loan.borrower_id else ""
    facts["guarantor_id"] = loan.programme.guarantor_id if loan.programme_id else None
    facts["borrower_name"] = loan.borrower_name
    facts["key_list"] = KeyListEntry.objects.filter(credit_code=loan.borrower_credit_code).exists()
    facts["programme"] = f"{loan.programme.code} {loan.programme.name}" if loan.programme_id else ""
    return facts


def loss_ratio_detail(institution_id: int) -> dict:
    """The ratio the pause rule uses, where it comes from and the computed value beside it: the
    ratio computed from the institution's loans on the platform, unless the department has recorded
    a reported ratio, which overrides it (the latest report wins)."""
    computed = computed_loss_ratio(institution_id)
    report = (LossRatioReport.objects.filter(institution_id=institution_id).select_related("recorded_by")
              .order_by("-as_of", "-id").first())
    if report is not None:
        return {"ratio": report.ratio, "source": "reported", "computed": computed, "report": report}
    return {"ratio": computed, "source": "computed", "computed": computed, "report": None}


def investor_stakes(*, actor: Actor):
    """The actor's (an investor's) equity stakes linked to an investment-linked loan. Financing has
    no stake selector; the filter is the investor's own scope."""
    return (fm.EquityStake.objects.filter(investor_id=actor.organisation_id, loan__isnull=False)
            .select_related("loan", "loan__default_event").order_by("-id"))


def investor_stake(*, actor: Actor, stake_id: int):
    stake = investor_stakes(actor=actor).filter(pk=stake_id).first()
    if stake is None:
        raise NotFound()
    return stake


def computed_loss_ratio(institution_id: int) -> Decimal | None:
    """Unrecovered default exposure over the principal of the institution's disbursed loans on the
    platform; None when it has none."""
    loans = fm.Loan.objects.filter(institution_id=institution_id, disbursed_on__isnull=False)
    principal = loans.aggregate(s=Sum("principal_fen"))["s"] or 0
    if not principal:
        return None
    d = fm.LoanDefault.objects.filter(loan__in=loans).aggregate(a=Sum("amount_fen"), r=Sum("recovered_fen"))
    return (Decimal((d["a"] or 0) - (d["r"] or 0)) / Decimal(principal)).quantize(Decimal("0.000001"))


def loss_ratio(institution_id: int) -> tuple[Decimal | None, str]:
    """The ratio the pause rule uses and where it comes from ("reported" or "computed")."""
    d = loss_ratio_detail(institution_id)
    return d["ratio"], d["source"]


def covered_loans(pool):
    """Active or defaulted loans the pool covers: its region (city or district) and a covered
    institution or programme."""
    qs = fm.Loan.objects.filter(status__in=[fm.LoanStatus.ACTIVE, fm.LoanStatus.DEFAULTED])
    if pool.level in ("city", "district") and pool.region:
        qs = qs.filter(region=pool.region)
    if pool.level == "district" and pool.district:
        qs = qs.filter(borrower__district=pool.district)
    inst = list(pool.institutions.values_list("id", flat=True))
    progs = list(pool.programmes.values_list("id", flat=True))
    return qs.filter(Q(institution_id__in=inst) | Q(programme_id__in=progs) | Q(programme__guarantor_id__in=inst))


def covered_outstanding_fen(pool) -> int:
    return covered_loans(pool).aggregate(s=Sum("principal_outstanding_fen"))["s"] or 0


def recoveries_after(*, default_id: int, after_id: int):
    return fm.Recovery.objects.filter(default_id=default_id, id__gt=after_id).order_by("id")


def last_recovery_id(default_id: int) -> int:
    last = fm.Recovery.objects.filter(default_id=default_id).order_by("-id").values_list("id", flat=True).first()
    return last or 0
