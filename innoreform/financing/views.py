"""Portal pages: the enterprise financing centre, the institution pipeline, loans (with Excel
export), the equipment registry, collective credit programmes and the department dashboard.
Thin: parse, call a service or selector, render."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innoreform.core.errors import DomainError
from innoreform.core.exports import Column
from innoreform.core.listing import list_page
from innoreform.core.models import OrgKind
from innoreform.core.money import fen_to_yuan
from innoreform.core.regions import Region
from innoreform.core.views import portal_view

from . import imports, selectors, services
from . import models as m
from .forms import ApplyForm, DecideForm, ImportForm, LoanFilter, NeedForm
from .policies import FINANCIAL, can


def _error(request, form, exc: DomainError) -> None:
    for field, msgs in (exc.details or {}).items():
        for msg in msgs if isinstance(msgs, list) else [msgs]:
            if form is not None and field in form.fields:
                form.add_error(field, str(msg))
            else:
                messages.error(request, f"{msg}")
    messages.error(request, str(exc.message))


@portal_view
def centre(request):
    actor = request.actor
    if actor.kind != OrgKind.ENTERPRISE:
        if actor.kind in FINANCIAL:
            return redirect("financing:pipeline")
        if selectors.sees_all(actor):
            return redirect("financing:dashboard")
        raise Http404
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            need = services.need_publish(actor=actor, amount_fen=d["amount"], term_months=d["term_months"],
                                         purpose=d["purpose"], purpose_detail=d["purpose_detail"],
                                         collateral=d["collateral"], urgency=d["urgency"],
                                         preferred_kinds=d["preferred_kinds"])
        except DomainError as exc:
            _error(request, form, exc)
        else:
            messages.success(request, _("Your need is published. Here are the products that fit it."))
            return redirect("financing:need", pk=need.pk)
    return render(request, "financing/centre.html", {
        "form": form, "needs": selectors.need_list(actor=actor)[:50],
        "applications": selectors.application_list(actor=actor)[:50],
        "loans": selectors.loan_list(actor=actor)[:50], "can_publish": can(actor, "financing.need_publish")})


@portal_view
def need_detail(request, pk: int):
    from innoreform.registry import services as registry_services

    actor = request.actor
    need = selectors.need_get(actor=actor, need_id=pk)
    if actor.kind != OrgKind.ENTERPRISE and not selectors.sees_all(actor):
        raise Http404
    version, notice = registry_services.consent_notice()
    form = ApplyForm(request.POST or None, initial={"notice_version": version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            a = services.application_submit(actor=actor, need_id=need.pk, product_id=d["product_id"],
                                            categories=d["categories"], valid_until=d["valid_until"],
                                            notice_version=d["notice_version"])
        except DomainError as exc:
            _error(request, form, exc)
        else:
            messages.success(request, _("Applied. The institution may now read the data you authorised."))
            return redirect("financing:application", pk=a.pk)
    matches = selectors.match_need(actor=actor, need_id=pk)
    return render(request, "financing/need_detail.html", {
        "need": need, "matches": matches, "form": form, "notice": notice, "notice_version": version,
        "can_apply": can(actor, "financing.apply") and need.status == "open"})


@portal_view
def pipeline(request):
    actor = request.actor
    if actor.kind not in FINANCIAL:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = imports.loan_import(actor=actor, filename=upload.name, content=upload.read(imports.MAX_BYTES + 1))
        except DomainError as exc:
            _error(request, form, exc)
        else:
            if batch.status == m.LoanImport.Status.APPLIED:
                messages.success(request, _("%(n)d loans imported.") % {"n": batch.rows_total})
                return redirect("financing:loans")
            return render(request, "financing/pipeline.html", _pipeline_context(actor, form, batch))
    return render(request, "financing/pipeline.html", _pipeline_context(actor, form, None))


def _pipeline_context(actor, form, batch) -> dict:
    return {"form": form, "batch": batch, "applications": selectors.application_list(actor=actor)[:100],
            "products": selectors.product_list(actor=actor, mine=True),
            "can_import": can(actor, "financing.loan_manage")}


@portal_view
def application_detail(request, pk: int):
    actor = request.actor
    a = selectors.application_get(actor=actor, application_id=pk)
    form, data = None, None
    institution = actor.organisation_id == a.institution_id
    if institution:
        form = DecideForm(request.POST or None) if request.POST.get("action") == "decide" else DecideForm()
        try:
            if request.method == "POST":
                action = request.POST.get("action")
                if action == "accept":
                    services.application_accept(actor=actor, application_id=pk)
                    return redirect("financing:application", pk=pk)
                if action == "read":
                    data = services.application_read_data(actor=actor, application_id=pk)
                if action == "decide" and form.is_valid():
                    d = form.cleaned_data
                    services.application_decide(actor=actor, application_id=pk, approve=d["approve"],
                                                amount_fen=d["amount"], annual_rate=d["annual_rate"],
                                                term_months=d["term_months"], reason=d["reason"])
                    return redirect("financing:application", pk=pk)
        except DomainError as exc:
            _error(request, form, exc)
        a = selectors.application_get(actor=actor, application_id=pk)
    return render(request, "financing/application_detail.html", {"a": a, "form": form, "data": data,
                                                                 "institution": institution})


LOAN_COLUMNS = [
    Column(gettext_lazy("Contract"), lambda x: x.contract_no),
    Column(gettext_lazy("Lender"), lambda x: x.institution.name),
    Column(gettext_lazy("Borrower"), lambda x: x.borrower_name),
    Column(gettext_lazy("Credit code"), lambda x: x.borrower_credit_code),
    Column(gettext_lazy("City"), lambda x: x.get_region_display()),
    Column(gettext_lazy("Kind"), lambda x: x.get_kind_display()),
    Column(gettext_lazy("Programme"), lambda x: x.programme.code if x.programme_id else ""),
    Column(gettext_lazy("Principal (yuan)"), lambda x: fen_to_yuan(x.principal_fen)),
    Column(gettext_lazy("Outstanding (yuan)"), lambda x: fen_to_yuan(x.principal_outstanding_fen)),
    Column(gettext_lazy("Annual rate"), lambda x: str(x.annual_rate)),
    Column(gettext_lazy("Term (months)"), lambda x: x.term_months),
    Column(gettext_lazy("Status"), lambda x: x.get_status_display()),
    Column(gettext_lazy("Classification"), lambda x: x.get_classification_display()),
    Column(gettext_lazy("Days overdue"), lambda x: x.overdue_days),
    Column(gettext_lazy("Disbursed on"), lambda x: x.disbursed_on.isoformat() if x.disbursed_on else ""),
]


@portal_view
def loan_list(request):
    actor = request.actor
    return list_page(request, form_class=LoanFilter, columns=LOAN_COLUMNS, template="financing/loan_list.html",
                     filename="loans", rows=lambda f: selectors.loan_list(actor=actor, **f))


@portal_view
def loan_detail(request, pk: int):
    loan = selectors.loan_get(actor=request.actor, loan_id=pk)
    return render(request, "financing/loan_detail.html", {
        "loan": loan, "instalments": loan.instalments.order_by("number"), "repayments": loan.repayments.all(),
        "changes": loan.classification_changes.all(), "default": getattr(loan, "default_event", None),
        "pledges": loan.pledged_ip.all(), "equipment": loan.equipment.all(), "warrants": loan.warrants.all()})


@portal_view
def import_template(request):
    if not can(request.actor, "financing.loan_manage"):
        raise Http404
    response = HttpResponse(imports.template_workbook(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="loan-import-template.xlsx"'
    return response


@portal_view
def equipment_list(request):
    return render(request, "financing/equipment_list.html",
                  {"items": selectors.equipment_list(actor=request.actor)[:500]})


@portal_view
def programme_list(request):
    return render(request, "financing/programme_list.html",
                  {"programmes": selectors.programme_list(actor=request.actor)[:200]})


@portal_view
def programme_detail(request, pk: int):
    summary = selectors.programme_summary(actor=request.actor, programme_id=pk)
    programme = summary["programme"]
    return render(request, "financing/programme_detail.html", {
        "s": summary, "programme": programme, "members": programme.members.all()[:500],
        "loans": selectors.loan_list(actor=request.actor).filter(programme=programme)[:500],
        "chart": {"categories": [{"name": str(m.Category(k).label), "value": v}
                                 for k, v in summary["by_category"].items()]}})


@portal_view
def dashboard(request):
    actor = request.actor
    data = selectors.dashboard(actor=actor)
    chart = {
        "cities": [{"name": str(Region(k).label) if k in Region.values else k, "value": v["principal_fen"] / 100}
                   for k, v in sorted(data["by_city"].items())],
        "kinds": [{"name": str(m.LoanKind(k).label), "value": v["principal_fen"] / 100}
                  for k, v in sorted(data["by_kind"].items())],
        "institutions": [{"name": r["institution"], "value": r["principal_fen"] / 100}
                         for r in data["by_institution"]],
        "categories": [{"name": str(m.Category(k).label), "value": v} for k, v in data["by_category"].items()],
        "labels": {"cities": _("Loans by city (yuan)"), "kinds": _("Loans by kind (yuan)"),
                   "institutions": _("Loans by institution (yuan)"), "categories": _("Five-category classification")},
    }
    return render(request, "financing/dashboard.html", {"d": data, "chart": chart,
                                                        "programmes": selectors.programme_list(actor=actor)[:50]})
