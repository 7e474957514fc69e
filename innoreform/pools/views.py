"""Portal pages of the pools: claims (institutions file and follow; departments review and decide),
pools (balances, contributions, coverage), reports with charts and Excel export, and the audit trail
of one claim. Thin: parse with a form, call a service or selector, render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from innoreform.core.errors import DomainError
from innoreform.core.exports import EXPORT_FORMATS, Column, export_response
from innoreform.core.forms import apply_domain_error
from innoreform.core.listing import list_page
from innoreform.core.models import OrgKind
from innoreform.core.money import fen_to_yuan
from innoreform.core.views import portal_view
from innoreform.financing import selectors as fin_selectors

from . import facts, selectors, services
from .forms import (
    ClaimFilterForm,
    ClaimForm,
    ContributionForm,
    CoverageForm,
    DecideForm,
    DocumentForm,
    InvestorClaimForm,
    KeyListForm,
    LossRatioForm,
    PoolForm,
    ReverseForm,
    ReviewForm,
    StakeRecoveryForm,
)
from .models import LIVE_STATUSES, Claim, ClaimStatus, Level, Mode, PayoutItem
from .permissions import can, require

CLAIM_COLUMNS = [
    Column(pgettext_lazy("pools", "Claim"), lambda c: c.pk),
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


def _claimable_stakes(actor):
    defaulted = [s for s in facts.investor_stakes(actor=actor)[:500]
                 if getattr(s.loan, "default_event", None) is not None]
    live = set(Claim.objects.filter(status__in=LIVE_STATUSES, stake_id__in=[s.pk for s in defaulted])
               .values_list("stake_id", flat=True))
    return [s for s in defaulted if s.pk not in live]


@portal_view
def claim_new(request):
    actor = request.actor
    require(actor, "pools.claim_file", hide=True)
    investor = actor.kind == OrgKind.INVESTOR
    loans = _claimable_stakes(actor) if investor else _claimable_loans(actor)
    if investor:
        form = InvestorClaimForm(request.POST or None, request.FILES or None, stakes=loans)
    else:
        form = ClaimForm(request.POST or None, request.FILES or None, loans=loans)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if investor:
                claim = services.investor_claim_file(actor=actor, stake_id=d["stake"], loss_fen=d["loss"],
                                                     statement=d["statement"])
            else:
                claim = services.claim_file(actor=actor, loan_id=d["loan"], mode=d["mode"], loss_fen=d["loss"],
                                            statement=d["statement"])
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
    return render(request, "pools/claim_new.html", {"form": form, "loans": loans, "investor": investor})


@portal_view
def claim_detail(request, pk: int):
    actor = request.actor
    claim = selectors.claim_get(actor=actor, claim_id=pk)
    own = claim.institution_id == actor.organisation_id
    forms = {"document": DocumentForm(), "review": ReviewForm(), "decide": DecideForm(),
             "stake_recovery": StakeRecoveryForm()}
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
            elif action == "stake_recovery" and own:
                forms["stake_recovery"] = form = StakeRecoveryForm(request.POST)
                if form.is_valid():
                    services.stake_recovery_record(actor=actor, claim_id=pk, amount_fen=form.cleaned_data["amount"],
                                                   received_on=form.cleaned_data["received_on"],
                                                   note=form.cleaned_data["note"])
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
    layers = [{**x, "label": Level(x["level"]).label if x["level"] in Level.values else x["level"]}
              for x in claim.layers]
    return render(request, "pools/claim_detail.html", {
        "claim": claim, "own": own, "layers": layers, "loss_ratio_pct": _pct(claim.loss_ratio), "payouts": payouts,
        "documents": claim.documents.order_by("id"),
        "shares": claim.recovery_shares.select_related("payout", "recovery").order_by("id"),
        "stake_recoveries": claim.stake_recoveries.order_by("id"),
        "can_record_stake_recovery": own and claim.mode == Mode.INVESTOR_PRINCIPAL and claim.status in LIVE_STATUSES,
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


KEYLIST_COLUMNS = [
    Column(gettext_lazy("Unified social credit code"), lambda e: e.credit_code),
    Column(gettext_lazy("Enterprise"), lambda e: e.name),
    Column(gettext_lazy("List"), lambda e: e.list_name),
    Column(gettext_lazy("Added by"), lambda e: e.added_by.name),
    Column(gettext_lazy("Added at"), lambda e: e.created_at.isoformat()),
]


@portal_view
def keylist(request):
    """The key list (重点名单): loans to these enterprises earn the bonus points."""
    actor = request.actor
    if not selectors.sees_all(actor):
        raise Http404
    form = KeyListForm(request.POST or None)
    if request.method == "POST" and can(actor, "pools.manage") and form.is_valid():
        d = form.cleaned_data
        try:
            services.keylist_add(actor=actor, credit_code=d["credit_code"], name=d["name"], list_name=d["list_name"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Added to the key list."))
            return redirect("pools:keylist")
    rows = selectors.keylist(actor=actor).select_related("added_by")
    fmt = request.GET.get("format", "")
    if fmt in EXPORT_FORMATS:
        return export_response(filename="key-list", columns=KEYLIST_COLUMNS, rows=rows, fmt=fmt)
    return render(request, "pools/keylist.html", {"entries": rows[:500], "form": form,
                                                  "can_manage": can(actor, "pools.manage")})


def _pct(ratio) -> str:
    return "—" if ratio is None else f"{(ratio * 100).normalize():f}%"


LOSS_RATIO_COLUMNS = [
    Column(gettext_lazy("Institution"), lambda r: r.institution.name),
    Column(gettext_lazy("Reported loss ratio"), lambda r: str(r.ratio)),
    Column(gettext_lazy("As of"), lambda r: r.as_of.isoformat()),
    Column(gettext_lazy("Source"), lambda r: r.source),
    Column(gettext_lazy("Recorded by"), lambda r: r.recorded_by.name),
]


@portal_view
def loss_ratios(request):
    """Loss ratios: computed from the platform's loans for each covered institution, and the
    reported figures the department records, which override the computed ones in the pause rule."""
    actor = request.actor
    if not selectors.sees_all(actor):
        raise Http404
    form = LossRatioForm(request.POST or None)
    if request.method == "POST" and can(actor, "pools.manage") and form.is_valid():
        d = form.cleaned_data
        try:
            services.loss_ratio_record(actor=actor, institution_id=d["institution"].pk, ratio=d["percent"] / 100,
                                       as_of=d["as_of"], source=d["source"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Reported loss ratio recorded: it overrides the computed ratio."))
            return redirect("pools:loss_ratios")
    reports = selectors.loss_ratio_reports(actor=actor)
    fmt = request.GET.get("format", "")
    if fmt in EXPORT_FORMATS:
        return export_response(filename="loss-ratio-reports", columns=LOSS_RATIO_COLUMNS, rows=reports, fmt=fmt)
    reports = list(reports[:500])
    for r in reports:
        r.pct = _pct(r.ratio)
    used = [{**r, "pct": _pct(r["ratio"]), "computed_pct": _pct(r["computed"])}
            for r in selectors.report(actor=actor)["loss_ratios"]]
    return render(request, "pools/loss_ratios.html", {
        "reports": reports, "used": used, "form": form,
        "can_manage": can(actor, "pools.manage")})


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
                   "institutions": _("Compensation paid by institution"), "leverage": _("Leverage: actual and target"),
                   "actual": _("Actual leverage"), "target": _("Target leverage")},
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
