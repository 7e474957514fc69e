"""Voucher pages for enterprises, institutions and departments. Thin: parse, call a service,
render. Domain errors are shown as messages next to the page; invisible objects are 404."""

import json
import mimetypes
from operator import itemgetter

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from innoreform.core.exports import EXPORT_FORMATS, Column, export_response
from innoreform.core.listing import list_page
from innoreform.core.models import OrgKind
from innoreform.core.views import portal_view, run_action

from . import forms, reports, selectors, services, settlement, use
from . import models as m
from .permissions import can, require
from .reconcile import reconcile
from .templatetags.vouchers_tags import yuan


def _upload(f) -> tuple[str, bytes] | None:
    return (f.name, f.read()) if f else None


# --- home: one page per kind of organisation ------------------------------------------------------------


@portal_view
def home(request):
    actor = request.actor
    ctx: dict = {"kind": actor.kind}
    if actor.kind == OrgKind.ENTERPRISE:
        ctx.update(vouchers=selectors.voucher_list(actor=actor)[:50],
                   applications=selectors.application_list(actor=actor)[:10],
                   orders=selectors.order_list(actor=actor)[:50], claims=selectors.claim_list(actor=actor)[:50],
                   can_apply=can(actor, "vouchers.apply"))
        return render(request, "vouchers/home_enterprise.html", ctx)
    if actor.kind == OrgKind.SERVICE_INSTITUTION:
        inst = selectors.own_institution(actor=actor)
        ctx.update(institution=inst, orders=selectors.order_list(actor=actor)[:50],
                   redemptions=selectors.redemption_list(actor=actor)[:50],
                   claims=selectors.claim_list(actor=actor)[:50],
                   services=inst.services.filter(is_active=True) if inst else [],
                   credit=inst.credit_events.all()[:20] if inst else [], service_form=forms.ServiceForm(),
                   is_admin=can(actor, "vouchers.institution_admin"))
        return render(request, "vouchers/home_institution.html", ctx)
    if selectors.sees_all(actor):
        ctx.update(
            applications=selectors.application_list(actor=actor, status=m.ApplicationStatus.SUBMITTED)[:50],
            institutions=selectors.institution_list(actor=actor).filter(
                status__in=[m.ListingStatus.SUBMITTED, m.ListingStatus.IN_NOTICE])[:50],
            objections=m.Objection.objects.filter(status=m.ObjectionStatus.OPEN).select_related(
                "institution__organisation")[:50],
            claims=selectors.review_queue(actor=actor)[:50], batches=selectors.batch_list(actor=actor)[:10],
            budgets=selectors.budget_list(actor=actor), budget_form=forms.BudgetForm(
                initial={"year": timezone.localdate().year}),
            can_review=can(actor, "vouchers.review"), can_approve=can(actor, "vouchers.approve"),
            can_settle=can(actor, "vouchers.settle") and not selectors.city_scope(actor),
            can_budget=can(actor, "vouchers.budget"),
        )
        return render(request, "vouchers/home_department.html", ctx)
    raise Http404


# --- enterprise ---------------------------------------------------------------------------------------


@portal_view
def apply(request):
    require(request.actor, "vouchers.apply", hide=True)
    form = forms.ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        holder = {}

        def act():
            holder["a"] = services.application_submit(actor=request.actor, requested_fen=d["requested"],
                                                      purpose=d["purpose"], contact_address=d["contact_address"],
                                                      contact_phone=d["contact_phone"])

        if run_action(request, act, _("Your application was submitted; see the eligibility checks below.")):
            return redirect("vouchers:application", holder["a"].pk)
    version, params = services.scheme()
    return render(request, "vouchers/apply.html", {"form": form, "params": params, "version": version})


@portal_view
def application_detail(request, pk: int):
    application = selectors.application_get(actor=request.actor, application_id=pk)
    return render(request, "vouchers/application.html", {
        "application": application, "voucher": m.Voucher.objects.filter(application=application).first(),
        "can_decide": can(request.actor, "vouchers.review") and application.status == m.ApplicationStatus.SUBMITTED,
        "form": forms.NoteForm()})


@portal_view
@require_POST
def application_decide(request, pk: int):
    selectors.application_get(actor=request.actor, application_id=pk)
    approve = request.POST.get("decision") == "approve"
    done = _("The application was approved and the voucher issued.") if approve else _("The application was rejected.")
    run_action(request, lambda: services.application_decide(actor=request.actor, application_id=pk, approve=approve,
                                                            note=request.POST.get("note", "")[:500]), done)
    return redirect("vouchers:application", pk)


CATALOGUE_COLUMNS = [
    Column(gettext_lazy("Institution"), lambda s: s.institution.organisation.name),
    Column(gettext_lazy("Region"), lambda s: s.institution.get_region_display()),
    Column(gettext_lazy("Category"), lambda s: s.get_category_display()),
    Column(gettext_lazy("Service"), lambda s: s.name),
    Column(gettext_lazy("Unit"), lambda s: s.unit),
    Column(gettext_lazy("Price (yuan)"), lambda s: yuan(s.price_fen)),
]


@portal_view
def catalogue(request):
    actor = request.actor
    return list_page(request, form_class=forms.CatalogueFilter, columns=CATALOGUE_COLUMNS,
                     rows=lambda f: selectors.service_list(actor=actor, category=f.get("category"), q=f.get("q")),
                     template="vouchers/catalogue.html", filename="voucher-catalogue",
                     context={"can_order": can(actor, "vouchers.use")})


@portal_view
def order_new(request, service_id: int):
    actor = request.actor
    require(actor, "vouchers.use", hide=True)
    service = selectors.service_list(actor=actor).filter(pk=service_id).first()
    if service is None:
        raise Http404
    vouchers = selectors.voucher_list(actor=actor, status=m.VoucherStatus.ACTIVE)
    form = forms.OrderForm(request.POST or None, vouchers=vouchers, initial={"service": service.pk})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if run_action(request, lambda: use.order_create(actor=actor, voucher_id=d["voucher"].pk, service_id=service.pk,
                                                        quantity=d["quantity"], fee_fen=d["fee"],
                                                        project_code=d["project_code"]),
                      _("The order was placed; the institution deducts the voucher share when it bills you.")):
            return redirect("vouchers:home")
    return render(request, "vouchers/order_new.html", {"form": form, "service": service})


@portal_view
def proof(request, order_id: int):
    order = selectors.order_get(actor=request.actor, order_id=order_id)
    if order.enterprise_id != request.actor.organisation_id:
        raise Http404
    form = forms.ProofForm(request.POST or None, request.FILES or None, initial={"paid": order.fee_fen / 100})
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        if run_action(request, lambda: use.proof_upload(actor=request.actor, order_id=order.pk,
                                                        paid_fen=form.cleaned_data["paid"], filename=f.name,
                                                        content=f.read()),
                      _("Your proof of payment was recorded; now submit the claim.")):
            return redirect("vouchers:home")
    return render(request, "vouchers/form_page.html", {"form": form, "title": _("Proof of full payment"),
                                                       "object": order, "multipart": True})


# --- institution ---------------------------------------------------------------------------------------


@portal_view
def institution_apply(request):
    require(request.actor, "vouchers.institution_admin", hide=True)
    form = forms.InstitutionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        docs = [("licence", d["licence"].name, d["licence"].read())]
        if d.get("accreditation"):
            docs.append(("accreditation", d["accreditation"].name, d["accreditation"].read()))
        if run_action(request, lambda: services.institution_apply(
                      actor=request.actor, founded_on=d["founded_on"], categories=d["categories"],
                      legal_representative=d["legal_representative"], actual_controller=d["actual_controller"],
                      shareholders=d["shareholders"].splitlines(), address=d["address"], phone=d["phone"],
                      description=d["description"], documents=docs),
                      _("Your application to be listed was submitted for review.")):
            return redirect("vouchers:home")
    _version, params = services.scheme()
    return render(request, "vouchers/form_page.html", {
        "form": form, "title": _("Apply to be listed (入库)"), "multipart": True,
        "lead": _("Institutions from any region may apply. You need at least %(years)s years of operation; after "
                  "review, the application is publicly noticed for %(days)s days before listing.")
        % {"years": params.institution_min_years, "days": params.notice_days}})


@portal_view
@require_POST
def service_publish(request):
    form = forms.ServiceForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        run_action(request, lambda: services.service_publish(actor=request.actor, category=d["category"],
                                                             name=d["name"], unit=d["unit"], price_fen=d["price"]),
                   _("The service was added to the catalogue."))
    else:
        messages.error(request, _("Check the service's fields."))
    return redirect("vouchers:home")


@portal_view
@require_POST
def order_deduct(request, order_id: int):
    selectors.order_get(actor=request.actor, order_id=order_id)
    run_action(request, lambda: use.deduct(actor=request.actor, order_id=order_id),
               _("The voucher share was deducted from the bill."))
    return redirect("vouchers:home")


@portal_view
def claim_new(request, redemption_id: int):
    redemption = selectors.redemption_get(actor=request.actor, redemption_id=redemption_id)
    if redemption.payee_id != request.actor.organisation_id:
        raise Http404
    form = forms.ClaimForm(request.POST or None, request.FILES or None,
                           initial={"invoice_amount": redemption.order.fee_fen / 100})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        holder = {}

        def act():
            holder["c"] = use.claim_submit(
                actor=request.actor, redemption_id=redemption.pk, contract_no=d["contract_no"],
                invoice_no=d["invoice_no"], invoice_amount_fen=d["invoice_amount"], invoice_date=d["invoice_date"],
                deliverable=d["deliverable"], contract_file=_upload(d.get("contract_file")),
                invoice_file=_upload(d.get("invoice_file")), deliverable_file=_upload(d.get("deliverable_file")))

        if run_action(request, act, _("The claim was submitted.")):
            return redirect("vouchers:claim", holder["c"].pk)
    return render(request, "vouchers/form_page.html", {"form": form, "title": _("Redemption claim"),
                                                       "object": redemption, "multipart": True})


# --- institutions: public pages, review, objections ----------------------------------------------------


@portal_view
def institution_detail(request, pk: int):
    actor = request.actor
    inst = selectors.institution_get(actor=actor, institution_id=pk)
    own = inst.organisation_id == actor.organisation_id
    oversight = selectors.sees_all(actor)
    now = timezone.now()
    return render(request, "vouchers/institution.html", {
        "inst": inst, "services": inst.services.filter(is_active=True),
        "objections": inst.objections.all() if oversight else [],
        "credit": inst.credit_events.all() if (oversight or own) else [],
        "documents": inst.documents.all() if (oversight or own) else [],
        "can_object": inst.status == m.ListingStatus.IN_NOTICE and inst.notice_ends_at and now <= inst.notice_ends_at,
        "can_review": can(actor, "vouchers.review") and inst.status == m.ListingStatus.SUBMITTED,
        "can_resolve": can(actor, "vouchers.review"), "can_status": can(actor, "vouchers.approve"),
        "objection_form": forms.ObjectionForm(), "note_form": forms.NoteForm(),
    })


@portal_view
@require_POST
def institution_review(request, pk: int):
    selectors.institution_get(actor=request.actor, institution_id=pk)
    approve = request.POST.get("decision") == "approve"
    run_action(request, lambda: services.institution_review(actor=request.actor, institution_id=pk, approve=approve,
                                                            note=request.POST.get("note", "")[:500]),
               _("The institution is now in public notice.") if approve else _("The application was rejected."))
    return redirect("vouchers:institution", pk)


@portal_view
@require_POST
def institution_status(request, pk: int):
    selectors.institution_get(actor=request.actor, institution_id=pk)
    run_action(request, lambda: services.institution_set_status(actor=request.actor, institution_id=pk,
                                                                status=request.POST.get("status", ""),
                                                                reason=request.POST.get("note", "")[:500]),
               _("The status was changed and recorded in the credit file."))
    return redirect("vouchers:institution", pk)


@portal_view
@require_POST
def objection_submit(request, pk: int):
    selectors.institution_get(actor=request.actor, institution_id=pk)
    run_action(request, lambda: services.objection_submit(actor=request.actor, institution_id=pk,
                                                          text=request.POST.get("text", "")[:2000]),
               _("Your objection was recorded; the department will resolve it before listing."))
    return redirect("vouchers:institution", pk)


@portal_view
@require_POST
def objection_resolve(request, pk: int):
    objection = m.Objection.objects.filter(pk=pk).first()
    if objection is None or not can(request.actor, "vouchers.review"):
        raise Http404
    run_action(request, lambda: services.objection_resolve(actor=request.actor, objection_id=pk,
                                                           uphold=request.POST.get("decision") == "uphold",
                                                           resolution=request.POST.get("note", "")[:500]),
               _("The objection was resolved."))
    return redirect("vouchers:institution", objection.institution_id)


# --- claims ---------------------------------------------------------------------------------------------

CLAIM_COLUMNS = [
    Column(gettext_lazy("Claim"), lambda c: c.pk),
    Column(gettext_lazy("Payee"), lambda c: c.payee.name),
    Column(gettext_lazy("Voucher"), lambda c: c.redemption.voucher.serial),
    Column(gettext_lazy("Amount (yuan)"), lambda c: yuan(c.amount_fen)),
    Column(gettext_lazy("Invoice number"), lambda c: c.invoice_no),
    Column(gettext_lazy("Invoice date"), lambda c: c.invoice_date.isoformat()),
    Column(gettext_lazy("Status"), lambda c: c.get_status_display()),
    Column(gettext_lazy("Flags"), lambda c: "; ".join(f["rule"] for f in c.flags)),
]


@portal_view
def claim_list(request):
    actor = request.actor
    return list_page(request, form_class=forms.StatusFilter, columns=CLAIM_COLUMNS,
                     rows=lambda f: selectors.claim_list(actor=actor, status=f.get("status")),
                     template="vouchers/claim_list.html", filename="voucher-claims")


@portal_view
def claim_detail(request, pk: int):
    actor = request.actor
    claim = selectors.claim_get(actor=actor, claim_id=pk)
    papers = [(which, label, getattr(claim, CLAIM_FILES[which])) for which, label in (
        ("contract", _("Contract")), ("invoice", _("Invoice")), ("deliverable", _("Deliverable")))]
    return render(request, "vouchers/claim.html", {
        "claim": claim, "order": claim.redemption.order, "form": forms.NoteForm(), "papers": papers,
        "can_review": can(actor, "vouchers.review") and claim.status in (m.ClaimStatus.SUBMITTED,
                                                                         m.ClaimStatus.FLAGGED),
        "can_approve": can(actor, "vouchers.approve") and claim.status == m.ClaimStatus.REVIEWED,
        "can_fraud": can(actor, "vouchers.approve") and claim.status in (
            m.ClaimStatus.SUBMITTED, m.ClaimStatus.FLAGGED, m.ClaimStatus.REVIEWED, m.ClaimStatus.APPROVED),
    })


CLAIM_FILES = {"contract": "contract_file", "invoice": "invoice_file", "deliverable": "deliverable_file"}
# Shown in the browser so a reviewer reads the paper before deciding; anything else (an HTML or an
# office file an institution uploaded) is a download, so it never runs on the portal's origin.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


@portal_view
def claim_file(request, pk: int, which: str):
    """The contract, invoice or deliverable behind a claim, for whoever may see the claim."""
    claim = selectors.claim_get(actor=request.actor, claim_id=pk)
    stored = getattr(claim, CLAIM_FILES[which]) if which in CLAIM_FILES else None
    if not stored:
        raise Http404
    name = stored.name.rsplit("/", 1)[-1]
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = kind in INLINE_TYPES
    return FileResponse(stored.open("rb"), as_attachment=not inline, filename=name,
                        content_type=kind if inline else "application/octet-stream")


@portal_view
@require_POST
def claim_act(request, pk: int):
    actor = request.actor
    selectors.claim_get(actor=actor, claim_id=pk)
    action, note = request.POST.get("action", ""), request.POST.get("note", "")[:500]
    actions = {
        "review": (lambda: use.claim_review(actor=actor, claim_id=pk, note=note, clear_flags=True),
                   _("The claim was reviewed; another person approves it.")),
        "approve": (lambda: use.claim_approve(actor=actor, claim_id=pk), _("The claim was approved for settlement.")),
        "reject": (lambda: use.claim_reject(actor=actor, claim_id=pk, reason=note), _("The claim was rejected.")),
        "fraud": (lambda: use.claim_confirm_fraud(actor=actor, claim_id=pk, reason=note),
                  _("Fraud confirmed: the voucher was cancelled and the institution suspended.")),
    }
    if action not in actions:
        raise Http404
    run_action(request, *actions[action])
    return redirect("vouchers:claim", pk)


# --- settlement and budgets ----------------------------------------------------------------------------


PAYMENT_COLUMNS = (
    ("item", gettext_lazy("Item")), ("claim", gettext_lazy("Claim")), ("payee", gettext_lazy("Payee")),
    ("payee_credit_code", gettext_lazy("Credit code")), ("payee_region", gettext_lazy("Region")),
    ("amount_fen", gettext_lazy("Amount (fen)")), ("province_fen", gettext_lazy("Province (fen)")),
    ("city", gettext_lazy("City")), ("city_fen", gettext_lazy("City (fen)")),
    ("invoice_no", gettext_lazy("Invoice number")), ("reference", gettext_lazy("Reference")),
    ("paid", gettext_lazy("Paid")),
)


@portal_view
def batch_detail(request, pk: int):
    batch = selectors.batch_get(actor=request.actor, batch_id=pk)
    fmt = request.GET.get("format", "")
    rows = settlement.payment_file_rows(batch)
    if fmt == "json":
        response = HttpResponse(json.dumps({"batch": batch.pk, "period": batch.period, "items": rows},
                                           ensure_ascii=False, indent=1),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="voucher-payments-{batch.pk}.json"'
        return response
    if fmt in EXPORT_FORMATS:
        columns = [Column(label, itemgetter(key)) for key, label in PAYMENT_COLUMNS]
        return export_response(filename=f"voucher-payments-{batch.pk}", columns=columns, rows=rows, fmt=fmt)
    return render(request, "vouchers/batch.html", {
        "batch": batch, "rows": rows, "can_approve": can(request.actor, "vouchers.approve"),
        "can_run": batch.status in (m.BatchStatus.APPROVED,)})


@portal_view
@require_POST
def batch_build(request):
    holder = {}

    def act():
        holder["b"] = settlement.batch_build(actor=request.actor)

    if run_action(request, act, _("The settlement batch was built; another person approves it.")):
        return redirect("vouchers:batch", holder["b"].pk)
    return redirect("vouchers:home")


@portal_view
@require_POST
def batch_act(request, pk: int):
    selectors.batch_get(actor=request.actor, batch_id=pk)
    if request.POST.get("action") == "approve":
        run_action(request, lambda: settlement.batch_approve(actor=request.actor, batch_id=pk),
                   _("The batch was approved."))
    elif request.POST.get("action") == "run":
        run_action(request, lambda: settlement.batch_run(actor=request.actor, batch_id=pk), _("The batch was paid."))
    return redirect("vouchers:batch", pk)


@portal_view
@require_POST
def budget_fund(request):
    form = forms.BudgetForm(request.POST)
    require(request.actor, "vouchers.budget", hide=True)
    if form.is_valid():
        d = form.cleaned_data

        def act():
            budget = services.budget_open(actor=request.actor, year=d["year"], level=d["level"], city=d["city"] or "")
            services.budget_appropriate(actor=request.actor, budget=budget, amount_fen=d["amount"], note=d["note"])

        run_action(request, act, _("The budget was funded."))
    else:
        messages.error(request, _("Check the budget's fields."))
    return redirect("vouchers:home")


# --- reports -------------------------------------------------------------------------------------------

REPORT_COLUMNS = [
    Column(gettext_lazy("Key"), lambda r: r["key"]),
    Column(gettext_lazy("Name"), lambda r: r["label"]),
    Column(gettext_lazy("Vouchers"), lambda r: r["vouchers"]),
    Column(gettext_lazy("Issued (yuan)"), lambda r: yuan(r["issued_fen"])),
    Column(gettext_lazy("Used (yuan)"), lambda r: yuan(r["used_fen"])),
    Column(gettext_lazy("Paid (yuan)"), lambda r: yuan(r["paid_fen"])),
    Column(gettext_lazy("Paid by the province (yuan)"), lambda r: yuan(r["province_paid_fen"])),
    Column(gettext_lazy("Paid by the city (yuan)"), lambda r: yuan(r["city_paid_fen"])),
]


@portal_view
def reports_page(request):
    actor = request.actor
    if not selectors.sees_all(actor):
        raise Http404
    form = forms.ReportForm(request.GET or None)
    dimension, year = "city", None
    if form.is_valid():
        dimension = form.cleaned_data.get("dimension") or "city"
        year = form.cleaned_data.get("year")
    rows = reports.report(actor=actor, dimension=dimension, year=year)
    fmt = request.GET.get("format", "")
    if fmt in EXPORT_FORMATS:
        return export_response(filename=f"voucher-report-{dimension}", columns=REPORT_COLUMNS, rows=rows, fmt=fmt)
    chart = {"labels": [r["label"] for r in rows], "used": [r["used_fen"] / 100 for r in rows],
             "paid": [r["paid_fen"] / 100 for r in rows], "province": [r["province_paid_fen"] / 100 for r in rows],
             "city": [r["city_paid_fen"] / 100 for r in rows],
             "names": {"used": _("Used (yuan)"), "paid": _("Paid (yuan)"), "province": _("Province"),
                       "city": _("City")}}
    clearing = reports.report(actor=actor, dimension="region", year=year) if dimension != "region" else rows
    recon = reconcile().as_dict() if not selectors.city_scope(actor) else None
    return render(request, "vouchers/reports.html", {"form": form, "rows": rows, "chart": chart,
                                                     "dimension": dimension, "clearing": clearing,
                                                     "reconciliation": recon})
