"""Adapter to the financing app: the facts of a loan for a claim, institution loss ratios and the
loans a pool covers. Every read goes through financing's selectors: actor-scoped ones for what an
actor sees, financing's system reads for the aggregates over many institutions' loans (oversight
reports)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound
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
    """The actor's (an investor's) equity stakes linked to an investment-linked loan."""
    return fin.investor_linked_stakes(actor=actor)


def investor_stake(*, actor: Actor, stake_id: int):
    stake = investor_stakes(actor=actor).filter(pk=stake_id).first()
    if stake is None:
        raise NotFound()
    return stake


def computed_loss_ratio(institution_id: int) -> Decimal | None:
    """Unrecovered default exposure over the principal of the institution's disbursed loans on the
    platform, unrounded (the pause rule compares this exact value; only storage and display round);
    None when it has none. Decimal's 28 digits separate any fen quotient from the threshold."""
    loans = fin.institution_disbursed_loans(institution_id)
    principal = loans.aggregate(s=Sum("principal_fen"))["s"] or 0
    if not principal:
        return None
    d = fin.default_totals(loans)
    return Decimal(d["amount_fen"] - d["recovered_fen"]) / Decimal(principal)


def stored_ratio(ratio: Decimal | None) -> Decimal | None:
    """A ratio at the precision claims and reports keep (six places, half up); for storage and
    display only, never for a comparison."""
    return None if ratio is None else ratio.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def loss_ratio(institution_id: int) -> tuple[Decimal | None, str]:
    """The ratio the pause rule uses and where it comes from ("reported" or "computed")."""
    d = loss_ratio_detail(institution_id)
    return d["ratio"], d["source"]


def covered_loans(pool):
    """Active or defaulted loans the pool covers: its region (city or district) and a covered
    institution or programme."""
    inst = list(pool.institutions.values_list("id", flat=True))
    progs = list(pool.programmes.values_list("id", flat=True))
    return fin.live_loans_covered(region=pool.region if pool.level in ("city", "district") else None,
                                  district=pool.district if pool.level == "district" else None,
                                  institution_ids=inst, programme_ids=progs)


def covered_outstanding_fen(pool) -> int:
    return covered_loans(pool).aggregate(s=Sum("principal_outstanding_fen"))["s"] or 0


def recoveries_after(*, default_id: int, after_id: int):
    return fin.recoveries_after(default_id=default_id, after_id=after_id)


def last_recovery_id(default_id: int) -> int:
    return fin.last_recovery_id(default_id)
