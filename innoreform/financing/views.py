"""Portal pages: the enterprise financing centre, the institution pipeline, loans (with Excel
export), the equipment registry, collective credit programmes and the department dashboard.
Thin: parse, call a service or selector, render."""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from innoreform.core.errors import DomainError, NotFound, ValidationFailed
from innoreform.core.exports import Column
from innoreform.core.listing import list_page
from innoreform.core.models import OrgKind
from innoreform.core.money import fen_to_yuan
from innoreform.core.regions import Region
from innoreform.core.selectors import policy_in_force
from innoreform.core.views import portal_view
from innoreform.registry import presenting

from . import imports, selectors, services
from . import models as m
from . import rules as rules_mod
from .forms import (
    ApplyForm,
    ClassifyForm,
    ContractForm,
    CreditLineForm,
    DecideForm,
    DefaultForm,
    DisburseForm,
    ImportForm,
    LoanFilter,
    MemberForm,
    NeedForm,
    ProgrammeForm,
    RecoveryForm,
    RefreshForm,
    RepayForm,
)
from .permissions import FINANCIAL, can, require
from .policies import COLLECTIVE_KEY
from .services import loans


def _error(request, form, exc: DomainError) -> None:
    for field, msgs in (exc.details or {}).items():
        for msg in msgs if isinstance(msgs, list) else [msgs]:
            if form is not None and field in form.fields:
                form.add_error(field, str(msg))
            else:
                messages.error(request, f"{msg}")
    messages.error(request, str(exc.message))


# Service error fields that a page form calls differently (forms take yuan, services fen).
FIELD_ALIASES = {"amount_fen": "amount", "line_fen": "amount", "principal_fen": "amount"}


def _inline_errors(form, exc: DomainError) -> None:
    """Put a refused service call on the form itself: field messages next to their fields; the
    refusal itself (a conflict) and messages about no single field (the loss-sharing vector,
    readiness problems) at the top of the form."""
    top, placed = [], False
    for field, msgs in (exc.details or {}).items():
        texts = msgs if isinstance(msgs, list) else [msgs]
        if not all(isinstance(x, str | Promise) for x in texts):
            continue  # figures for API clients (used_fen, invoiced_fen), not messages
        name = FIELD_ALIASES.get(field, field)
        for text in texts:
            if name in form.fields:
                form.add_error(name, str(text))
            else:
                top.append(str(text))
        placed = True
    if not placed or not isinstance(exc, ValidationFailed):
        top.insert(0, str(exc.message))
    for text in top:
        form.add_error(None, text)


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
            if batch.status == m.LoanImport.Status.QUEUED and batch.job_id:
                return redirect("core:job_detail", pk=batch.job_id)
            return render(request, "financing/pipeline.html", _pipeline_context(actor, form, batch))
    return render(request, "financing/pipeline.html", _pipeline_context(actor, form, None))


def _pipeline_context(actor, form, batch) -> dict:
    return {"form": form, "batch": batch, "applications": selectors.application_list(actor=actor)[:100],
            "products": selectors.product_list(actor=actor, mine=True),
            "loans": selectors.loan_list(actor=actor)[:100],
            "can_import": can(actor, "financing.loan_manage")}


@portal_view
def application_detail(request, pk: int):
    actor = request.actor
    a = selectors.application_get(actor=actor, application_id=pk)
    form, data, contract_form = None, None, None
    institution = actor.organisation_id == a.institution_id
    if institution:
        action = request.POST.get("action") if request.method == "POST" else None
        form = DecideForm(request.POST if action == "decide" else None)
        contract_form = _contract_form(actor, a, request.POST if action == "contract" else None)
        try:
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
        if action == "contract" and contract_form is not None and contract_form.is_valid():
            d = contract_form.cleaned_data
            try:
                loan = loans.loan_contract(actor=actor, application_id=pk, contract_no=d["contract_no"],
                                           contract_on=d["contract_on"], method=d["method"],
                                           period_months=d["period_months"], programme_id=d["programme_id"])
            except DomainError as exc:
                _inline_errors(contract_form, exc)
            else:
                messages.success(request, _("Contract recorded. Disburse it from the loan page."))
                return redirect("financing:loan", pk=loan.pk)
        a = selectors.application_get(actor=actor, application_id=pk)
    return render(request, "financing/application_detail.html", {
        "a": a, "form": form, "data": data, "institution": institution, "contract_form": contract_form,
        "data_sections": presenting.sections(data["data"]) if data else None, "loan": getattr(a, "loan", None)})


def _contract_form(actor, a: m.Application, data) -> ContractForm | None:
    """A bank turns its approved application into a loan contract (once)."""
    if (a.status != m.Application.Status.APPROVED or hasattr(a, "loan")
            or not can(actor, "financing.loan_manage")):
        return None
    programmes = selectors.programme_list(actor=actor).filter(status=m.Programme.Status.ACTIVE,
                                                             credit_lines__bank_id=actor.organisation_id)
    return ContractForm(data, programmes=programmes, initial={"contract_no": f"{a.institution_id}-{a.pk:06d}"})


LOAN_COLUMNS = [
    Column(gettext_lazy("Contract"), lambda x: x.contract_no),
    Column(gettext_lazy("Lender"), lambda x: x.institution.name),
    Column(gettext_lazy("Borrower"), lambda x: x.borrower_name),
    Column(gettext_lazy("Credit code"), lambda x: x.borrower_credit_code),
    Column(gettext_lazy("City"), lambda x: x.get_region_display()),
    Column(gettext_lazy("Kind"), lambda x: x.get_kind_display()),
    Column(gettext_lazy("Programme"), lambda x: x.programme.code if x.programme_id else ""),
    Column(gettext_lazy("Principal (yuan)"), lambda x: fen_to_yuan(x.principal_fen)),
    Column(gettext_lazy("Disbursed (yuan)"), lambda x: fen_to_yuan(x.disbursed_fen)),
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


# The lender's actions on a loan page: form, the statuses it applies to, and the service call.
LOAN_ACTIONS = {
    "disburse": (DisburseForm, gettext_lazy("Disburse a tranche"), ("contracted", "active"),
                 lambda actor, loan, d: loans.loan_disburse(actor=actor, loan_id=loan.pk,
                                                            disbursed_on=d["disbursed_on"], amount_fen=d["amount"])),
    "repay": (RepayForm, gettext_lazy("Record a repayment"), ("active",),
              lambda actor, loan, d: loans.loan_repay(actor=actor, loan_id=loan.pk, amount_fen=d["amount"],
                                                      paid_on=d["paid_on"])),
    "refresh": (RefreshForm, gettext_lazy("Recompute days overdue"), ("active", "defaulted"),
                lambda actor, loan, d: loans.loan_refresh(actor=actor, loan_id=loan.pk, on=d["on"])),
    "classify": (ClassifyForm, gettext_lazy("Classify (five categories)"), ("active", "defaulted", "repaid"),
                 lambda actor, loan, d: loans.loan_classify(actor=actor, loan_id=loan.pk, category=d["category"],
                                                            reason=d["reason"])),
    "default": (DefaultForm, gettext_lazy("Record a default"), ("active",),
                lambda actor, loan, d: loans.loan_default_declare(actor=actor, loan_id=loan.pk, on=d["on"],
                                                                  reason=d["reason"])),
    "recover": (RecoveryForm, gettext_lazy("Record a recovery"), ("defaulted",),
                lambda actor, loan, d: loans.recovery_record(actor=actor, loan_id=loan.pk, amount_fen=d["amount"],
                                                             received_on=d["received_on"], source=d["source"],
                                                             note=d["note"])),
}
ACTION_DONE = {
    "disburse": gettext_lazy("Tranche disbursed."), "repay": gettext_lazy("Repayment recorded."),
    "refresh": gettext_lazy("Days overdue recomputed."), "classify": gettext_lazy("Classification recorded."),
    "default": gettext_lazy("Default recorded."), "recover": gettext_lazy("Recovery recorded."),
}


def _is_lender(actor, loan: m.Loan) -> bool:
    return can(actor, "financing.loan_manage") and loan.institution_id == actor.organisation_id


def _action_forms(loan: m.Loan, bound: dict | None = None) -> list[dict]:
    bound = bound or {}
    out = []
    for name, (form_class, title, statuses, _call) in LOAN_ACTIONS.items():
        if loan.status not in statuses or (name == "disburse" and loan.disbursed_fen >= loan.principal_fen):
            continue
        out.append({"name": name, "title": title, "form": bound.get(name) or form_class(prefix=name)})
    return out


def _loan_context(actor, loan: m.Loan, bound: dict | None = None) -> dict:
    return {"loan": loan, "instalments": loan.instalments.select_related("disbursement").order_by("due_on", "number"),
            "tranches": loan.disbursements.annotate(n_instalments=Count("instalments")).order_by("number"),
            "undrawn_fen": loan.principal_fen - loan.disbursed_fen, "repayments": loan.repayments.all(),
            "changes": loan.classification_changes.all(), "default": getattr(loan, "default_event", None),
            "recoveries": m.Recovery.objects.filter(default__loan=loan).order_by("id"),
            "pledges": loan.pledged_ip.all(), "equipment": loan.equipment.all(), "warrants": loan.warrants.all(),
            "actions": _action_forms(loan, bound) if _is_lender(actor, loan) else []}


@portal_view
def loan_detail(request, pk: int):
    loan = selectors.loan_get(actor=request.actor, loan_id=pk)
    return render(request, "financing/loan_detail.html", _loan_context(request.actor, loan))


@require_POST
@portal_view
def loan_action(request, pk: int, action: str):
    """One lender action from the loan page. Over HTMX a refused call answers the form with its
    errors in place; a done one sends the browser back to the refreshed loan page."""
    actor = request.actor
    loan = selectors.loan_get(actor=actor, loan_id=pk)
    if action not in LOAN_ACTIONS or not _is_lender(actor, loan):
        raise Http404
    form_class, title, _statuses, call = LOAN_ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        try:
            call(actor, loan, form.cleaned_data)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            _inline_errors(form, exc)
        else:
            messages.success(request, str(ACTION_DONE[action]))
            url = reverse("financing:loan", args=[pk])
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    if request.htmx:
        return render(request, "financing/partials/loan_action.html",
                      {"loan": loan, "x": {"name": action, "title": title, "form": form}})
    loan = selectors.loan_get(actor=actor, loan_id=pk)
    return render(request, "financing/loan_detail.html", _loan_context(actor, loan, {action: form}))


@portal_view
def import_template(request):
    require(request.actor, "financing.loan_manage", hide=True)
    response = HttpResponse(imports.template_workbook(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="loan-import-template.xlsx"'
    return response


@portal_view
def equipment_list(request):
    # Not "items": the base template's `{% nav_items as items %}` sets that name for the menu and
    # would shadow this list (the page then reversed a loan link for each menu entry).
    return render(request, "financing/equipment_list.html",
                  {"equipment": selectors.equipment_list(actor=request.actor)[:500]})


@portal_view
def programme_list(request):
    return render(request, "financing/programme_list.html",
                  {"programmes": selectors.programme_list(actor=request.actor)[:200],
                   "can_create": can(request.actor, "financing.programme_manage")})


def _programme_form(data=None) -> ProgrammeForm:
    return ProgrammeForm(data, guarantors=selectors.institutions(kind=OrgKind.GUARANTOR),
                         insurers=selectors.institutions(kind=OrgKind.INSURER),
                         shares=policy_in_force(COLLECTIVE_KEY).parameters["loss_sharing"])


@portal_view
def programme_create(request):
    """A department opens a collective credit programme (a draft); enterprises, credit lines and
    activation follow on the programme page."""
    actor = request.actor
    require(actor, "financing.programme_manage", hide=True)
    form = _programme_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            programme = services.programme_create(actor=actor, code=d["code"], name=d["name"],
                                                  guarantor_id=d["guarantor_id"], insurer_id=d["insurer_id"],
                                                  loss_sharing=form.loss_sharing(),
                                                  selection_rules=form.selection_rules())
        except DomainError as exc:
            _inline_errors(form, exc)
        else:
            messages.success(request, _("Programme created. Now select the enterprises and record the credit lines."))
            return redirect("financing:programme", pk=programme.pk)
    return render(request, "financing/programme_form.html",
                  {"form": form, "policy": policy_in_force(COLLECTIVE_KEY)})


def _programme_forms(bound: dict | None = None) -> dict:
    bound = bound or {}
    return {"member": bound.get("member") or MemberForm(prefix="member"),
            "line": bound.get("line") or CreditLineForm(prefix="line",
                                                        banks=selectors.institutions(kind=OrgKind.BANK))}


def _programme_context(actor, pk: int, bound: dict | None = None, problems=None) -> dict:
    summary = selectors.programme_summary(actor=actor, programme_id=pk)
    programme = summary["programme"]
    manage = can(actor, "financing.programme_manage") and programme.department_id == actor.organisation_id
    return {
        "s": summary, "programme": programme, "members": programme.members.all()[:500], "manage": manage,
        "forms": _programme_forms(bound) if manage else None, "problems": problems or [],
        "rules": [rules_mod.describe(r) for r in programme.selection_rules],
        "loans": selectors.loan_list(actor=actor).filter(programme=programme)[:500],
        "chart": {"categories": [{"name": str(m.Category(k).label), "value": v}
                                 for k, v in summary["by_category"].items()]}}


@portal_view
def programme_detail(request, pk: int):
    return render(request, "financing/programme_detail.html", _programme_context(request.actor, pk))


@require_POST
@portal_view
def programme_action(request, pk: int, action: str):
    """The owning department's steps: select by the rules, add or exclude by hand, record a
    bank's unified credit line, activate."""
    actor = request.actor
    programme = selectors.programme_get(actor=actor, programme_id=pk)
    if not (can(actor, "financing.programme_manage") and programme.department_id == actor.organisation_id):
        raise Http404
    bound, problems = {}, []
    try:
        if action == "select":
            result = services.programme_select(actor=actor, programme_id=pk)
            messages.success(request, _("%(added)d enterprises added (%(considered)d considered).") % result)
        elif action in ("include", "exclude"):
            services.programme_member_set(actor=actor, programme_id=pk, credit_code=request.POST.get("credit_code", ""),
                                          included=action == "include", note=request.POST.get("note", ""))
            messages.success(request, _("Membership updated."))
        elif action == "member":
            form = bound["member"] = MemberForm(request.POST, prefix="member")
            if not form.is_valid():
                return render(request, "financing/programme_detail.html", _programme_context(actor, pk, bound))
            services.programme_member_set(actor=actor, programme_id=pk, credit_code=form.cleaned_data["credit_code"],
                                          included=True, note=form.cleaned_data["note"])
            messages.success(request, _("Enterprise added by hand."))
        elif action == "line":
            form = bound["line"] = CreditLineForm(request.POST, prefix="line",
                                                  banks=selectors.institutions(kind=OrgKind.BANK))
            if not form.is_valid():
                return render(request, "financing/programme_detail.html", _programme_context(actor, pk, bound))
            services.programme_credit_line_set(actor=actor, programme_id=pk, bank_id=form.cleaned_data["bank_id"],
                                               line_fen=form.cleaned_data["amount"])
            messages.success(request, _("Unified credit line recorded."))
        elif action == "activate":
            services.programme_activate(actor=actor, programme_id=pk)
            messages.success(request, _("Programme activated: its banks can now lend under it."))
        else:
            raise Http404
    except DomainError as exc:
        if isinstance(exc, NotFound) and action not in ("member", "include", "exclude"):
            raise
        if action in bound:
            if isinstance(exc, NotFound):
                bound[action].add_error("credit_code", _("No enterprise with this code in your jurisdiction."))
            else:
                _inline_errors(bound[action], exc)
        else:
            problems = [str(exc.message)] + [str(x) for x in (exc.details or {}).get("problems", [])]
            if isinstance(exc, NotFound):
                problems = [_("No enterprise with this code in your jurisdiction.")]
        return render(request, "financing/programme_detail.html", _programme_context(actor, pk, bound, problems))
    return redirect("financing:programme", pk=pk)


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
