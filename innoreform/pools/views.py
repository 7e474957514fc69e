"""Portal pages of the pools: claims (institutions file and follow; departments review and decide),
pools (balances, contributions, coverage), reports with charts and Excel export, and the audit trail
of one claim. Thin: parse with a form, call a service or selector, render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from innoreform.books.templatetags.books import fen_to_yuan
from innoreform.core.errors import DomainError
from innoreform.core.exports import EXPORT_FORMATS, Column, export_response
from innoreform.core.forms import apply_domain_error
from innoreform.core.listing import list_page
from innoreform.core.views import portal_view
from innoreform.financing import selectors as fin_selectors

from . import selectors, services
from .forms import (
    ClaimFilterForm,
    ClaimForm,
    ContributionForm,
    CoverageForm,
    DecideForm,
    DocumentForm,
    PoolForm,
    ReverseForm,
    ReviewForm,
)
from .models import LIVE_STATUSES, Claim, ClaimStatus, PayoutItem
from .policies import can

CLAIM_COLUMNS = [
    Column(gettext_lazy("Claim"), lambda c: c.pk),
    Column(gettext_lazy("Claimant"), lambda c: c.institution.name),
    Column(gettext_lazy("Loan"), lambda c: c.loan.contract_no),
    Column(gettext_lazy("Borrower"), lambda c: c.loan.borrower_name),
    Column(gettext_lazy("Mode"), lambda c: c.get_mode_display()),
    Column(gettext_lazy("Loss (yuan)"), lambda c: fen_to_yuan(c.loss_fen)),
    Column(gettext_lazy("Rate"), lambda c: str(c.rate)),
    Column(gettext_lazy("Compensation (yuan)"), lambda c: fen_to_yuan(c.total_fen)),
    Column(gettext_lazy("Policy version"), lambda c: c.policy_version or ""),
    Column(gettext_lazy("Status"), lambda c: c.get_status_display()),
    Column(gettext_lazy("Filed at"), lambda c: c.filed_at.isoformat()),
]


@portal_view
def claim_list(request):
    actor = request.actor
    return list_page(
        request, form_class=ClaimFilterForm, columns=CLAIM_COLUMNS,
        rows=lambda f: selectors.claim_list(actor=actor, status=f.get("status")),
        template="pools/claim_list.html", filename="compensation-claims",
        context={"can_file": can(actor, "pools.claim_file")},
    )


def _claimable_loans(actor):
    defaults = fin_selectors.defaults_for_pools(actor=actor)
    live = set(Claim.objects.filter(status__in=LIVE_STATUSES, institution_id=actor.organisation_id)
               .values_list("loan_id", flat=True))
    return [d.loan for d in defaults[:500] if d.loan_id not in live and d.outstanding_fen > 0]


@portal_view
def claim_new(request):
    actor = request.actor
    if not can(actor, "pools.claim_file"):
        raise Http404
    loans = _claimable_loans(actor)
    form = ClaimForm(request.POST or None, request.FILES or None, loans=loans)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            claim = services.claim_file(actor=actor, loan_id=d["loan"], mode=d["mode"], loss_fen=d["loss"],
                                        ip_pledge_sharing=d["ip_pledge_sharing"], statement=d["statement"])
            if d["document"]:
                services.claim_document_add(actor=actor, claim_id=claim.pk,
                                            title=d["document_title"] or d["document"].name,
                                            filename=d["document"].name,
                                            content=d["document"].read(services.MAX_DOCUMENT_BYTES + 1))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Claim filed. The platform has computed the compensation."))
            return redirect("pools:claim", claim.pk)
    return render(request, "pools/claim_new.html", {"form": form, "loans": loans})


@portal_view
def claim_detail(request, pk: int):
    actor = request.actor
    claim = selectors.claim_get(actor=actor, claim_id=pk)
    own = claim.institution_id == actor.organisation_id
    forms = {"document": DocumentForm(), "review": ReviewForm(), "decide": DecideForm()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "document" and own:
                forms["document"] = form = DocumentForm(request.POST, request.FILES)
                if form.is_valid():
                    f = form.cleaned_data["file"]
                    services.claim_document_add(actor=actor, claim_id=pk, title=form.cleaned_data["title"],
                                                filename=f.name, content=f.read(services.MAX_DOCUMENT_BYTES + 1))
                    return redirect("pools:claim", pk)
            elif action == "withdraw" and own:
                services.claim_withdraw(actor=actor, claim_id=pk)
                return redirect("pools:claim", pk)
            elif action == "review":
                forms["review"] = form = ReviewForm(request.POST)
                if form.is_valid():
                    services.claim_review(actor=actor, claim_id=pk, recommend=form.cleaned_data["recommend"],
                                          note=form.cleaned_data["note"])
                    return redirect("pools:claim", pk)
            elif action == "decide":
                forms["decide"] = form = DecideForm(request.POST)
                if form.is_valid():
                    services.claim_decide(actor=actor, claim_id=pk, approve=form.cleaned_data["approve"],
                                          note=form.cleaned_data["note"])
                    return redirect("pools:claim", pk)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("pools:claim", pk)
    payouts = list(claim.payouts.select_related("pool").order_by("id"))
    for item in payouts:
        item.position = selectors.waiting_position(item) if item.status == PayoutItem.Status.WAITING else None
    return render(request, "pools/claim_detail.html", {
        "claim": claim, "own": own, "payouts": payouts, "documents": claim.documents.order_by("id"),
        "shares": claim.recovery_shares.select_related("payout", "recovery").order_by("id"),
        "can_review": can(actor, "pools.claim_review") and claim.status == ClaimStatus.SUBMITTED,
        "can_decide": (can(actor, "pools.claim_approve") and claim.status == ClaimStatus.REVIEWED
                       and claim.reviewed_by_id != getattr(actor.user, "pk", None)),
        "undecided": claim.status in (ClaimStatus.SUBMITTED, ClaimStatus.REVIEWED), **{f"{k}_form": v for k, v in
                                                                                       forms.items()},
    })


TRAIL_COLUMNS = [
    Column(gettext_lazy("Time"), lambda e: e.at.isoformat()),
    Column(gettext_lazy("Action"), lambda e: e.action),
    Column(gettext_lazy("Actor"), lambda e: e.actor),
    Column(gettext_lazy("Object"), lambda e: f"{e.object_type}:{e.object_id}"),
    Column(gettext_lazy("Changes"), lambda e: e.changes),
]


@portal_view
def claim_trail(request, pk: int):
    actor = request.actor
    claim = selectors.claim_get(actor=actor, claim_id=pk)
    events = selectors.claim_trail(actor=actor, claim_id=pk)
    fmt = request.GET.get("format", "")
    if fmt in EXPORT_FORMATS:
        return export_response(filename=f"claim-{pk}-trail", columns=TRAIL_COLUMNS, rows=events, fmt=fmt)
    return render(request, "pools/claim_trail.html", {"claim": claim, "events": events})


POOL_COLUMNS = [
    Column(gettext_lazy("Pool"), lambda s: s.pool.name),
    Column(gettext_lazy("Level"), lambda s: s.pool.get_level_display()),
    Column(gettext_lazy("City"), lambda s: s.pool.get_region_display() if s.pool.region else ""),
    Column(gettext_lazy("Balance (yuan)"), lambda s: fen_to_yuan(s.balance_fen)),
    Column(gettext_lazy("Contributed (yuan)"), lambda s: fen_to_yuan(s.contributed_fen)),
    Column(gettext_lazy("Paid out (yuan)"), lambda s: fen_to_yuan(s.paid_fen)),
    Column(gettext_lazy("Recoveries returned (yuan)"), lambda s: fen_to_yuan(s.returned_fen)),
    Column(gettext_lazy("Waiting claims (yuan)"), lambda s: fen_to_yuan(s.waiting_fen)),
    Column(gettext_lazy("Covered loans outstanding (yuan)"), lambda s: fen_to_yuan(s.covered_outstanding_fen)),
    Column(gettext_lazy("Leverage"), lambda s: str(s.leverage) if s.leverage is not None else ""),
    Column(gettext_lazy("Leverage target"), lambda s: str(s.pool.leverage_target)),
]


@portal_view
def pool_list(request):
    actor = request.actor
    if not selectors.sees_all(actor):
        raise Http404
    form = PoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            pool = services.pool_create(actor=actor, name=d["name"], level=d["level"], region=d["region"],
                                        district=d["district"], leverage_target=d["leverage_target"],
                                        institution_ids=[o.pk for o in d["institutions"]])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("pools:pool", pool.pk)
    summaries = selectors.pool_summaries(actor=actor)
    fmt = request.GET.get("format", "")
    if fmt in EXPORT_FORMATS:
        return export_response(filename="pools", columns=POOL_COLUMNS, rows=summaries, fmt=fmt)
    return render(request, "pools/pool_list.html", {"summaries": summaries, "form": form,
                                                    "can_manage": can(actor, "pools.manage")})


@portal_view
def pool_detail(request, pk: int):
    actor = request.actor
    pool = selectors.pool_get(actor=actor, pool_id=pk)
    contribution_form = ContributionForm()
    coverage_form = CoverageForm(initial={"leverage_target": pool.leverage_target,
                                          "institutions": list(pool.institutions.all())})
    reverse_form = ReverseForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "contribute":
                contribution_form = ContributionForm(request.POST)
                if contribution_form.is_valid():
                    d = contribution_form.cleaned_data
                    services.contribution_record(actor=actor, pool_id=pk, amount_fen=d["amount"],
                                                 received_on=d["received_on"], note=d["note"])
                    return redirect("pools:pool", pk)
            elif action == "coverage":
                coverage_form = CoverageForm(request.POST)
                if coverage_form.is_valid():
                    d = coverage_form.cleaned_data
                    services.pool_set_coverage(actor=actor, pool_id=pk, leverage_target=d["leverage_target"],
                                               institution_ids=[o.pk for o in d["institutions"]],
                                               programme_ids=list(pool.programmes.values_list("id", flat=True)))
                    return redirect("pools:pool", pk)
            elif action == "reverse":
                reverse_form = ReverseForm(request.POST)
                if reverse_form.is_valid():
                    services.contribution_reverse(actor=actor, contribution_id=reverse_form.cleaned_data[
                        "contribution_id"], reason=reverse_form.cleaned_data["reason"])
                    return redirect("pools:pool", pk)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("pools:pool", pk)
    summary = selectors.pool_summaries(actor=actor, pools=[pool])[0]
    return render(request, "pools/pool_detail.html", {
        "pool": pool, "summary": summary, "contributions": selectors.contributions_of(actor=actor, pool_id=pk)[:200],
        "waiting": pool.payouts.filter(status=PayoutItem.Status.WAITING).select_related("claim").order_by("id"),
        "contribution_form": contribution_form, "coverage_form": coverage_form, "reverse_form": reverse_form,
        "can_contribute": can(actor, "pools.contribute"), "can_manage": can(actor, "pools.manage"),
        "can_reverse": can(actor, "pools.reverse"),
    })


GROUP_COLUMNS = [
    Column(pgettext_lazy("pool report", "Group"), lambda g: g["name"]),
    Column(pgettext_lazy("pool report", "Claims"), lambda g: g["claims"]),
    Column(gettext_lazy("Claimed (yuan)"), lambda g: fen_to_yuan(g["claimed_fen"])),
    Column(gettext_lazy("Approved (yuan)"), lambda g: fen_to_yuan(g["approved_fen"])),
    Column(gettext_lazy("Paid (yuan)"), lambda g: fen_to_yuan(g["paid_fen"])),
    Column(gettext_lazy("Recoveries returned (yuan)"), lambda g: fen_to_yuan(g["returned_fen"])),
]
RATIO_COLUMNS = [
    Column(gettext_lazy("Institution"), lambda r: r["institution"]),
    Column(gettext_lazy("Loss ratio used"), lambda r: "" if r["ratio"] is None else str(r["ratio"])),
    Column(gettext_lazy("Source"), lambda r: r["source"]),
    Column(gettext_lazy("Computed from platform loans"), lambda r: "" if r["computed"] is None else str(r["computed"])),
]


def _chart(r: dict) -> dict:
    def yuan(fen: int) -> float:
        return round(fen / 100, 2)

    return {
        "labels": {"pools": _("Pool balances (yuan)"), "cities": _("Compensation paid by city (yuan)"),
                   "institutions": _("Compensation paid by institution"), "leverage": _("Leverage: actual and target")},
        "pools": [{"name": s.pool.name, "value": yuan(s.balance_fen)} for s in r["pools"]],
        "cities": [{"name": g["name"], "value": yuan(g["paid_fen"])} for g in r["by_city"]],
        "institutions": [{"name": g["name"], "value": yuan(g["paid_fen"])} for g in r["by_institution"]],
        "leverage": [{"name": s.pool.name, "actual": float(s.leverage or 0), "target": float(s.pool.leverage_target)}
                     for s in r["pools"]],
    }


@portal_view
def reports(request):
    actor = request.actor
    r = selectors.report(actor=actor)
    fmt, table = request.GET.get("format", ""), request.GET.get("table", "pools")
    if fmt in EXPORT_FORMATS:
        tables = {"pools": (POOL_COLUMNS, r["pools"]), "city": (GROUP_COLUMNS, r["by_city"]),
                  "institution": (GROUP_COLUMNS, r["by_institution"]), "programme": (GROUP_COLUMNS, r["by_programme"]),
                  "loss_ratios": (RATIO_COLUMNS, r["loss_ratios"])}
        columns, rows = tables.get(table, tables["pools"])
        return export_response(filename=f"pool-report-{table if table in tables else 'pools'}", columns=columns,
                               rows=rows, fmt=fmt)
    return render(request, "pools/reports.html", {"r": r, "chart": _chart(r)})
