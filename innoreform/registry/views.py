"""Registry pages. Enterprise: profile, declarations, grants, access history. Department:
enterprises, imports, review queue, public list, dashboard. Bank: enterprises that granted access.
Thin: parse with a form, call a service or selector, render."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from innoreform.core.errors import DomainError
from innoreform.core.exports import Column
from innoreform.core.forms import NoFilters, apply_domain_error
from innoreform.core.listing import list_page
from innoreform.core.regions import Region
from innoreform.core.views import portal_view

from . import evaluation as ev
from . import imports, presenting, selectors, services
from . import models as m
from .forms import (
    DecideForm,
    DeclarationFilterForm,
    DeclarationForm,
    EnterpriseFilterForm,
    GrantForm,
    ImportForm,
    PublicListFilterForm,
    PublishForm,
    ReviewForm,
    RevokeForm,
)
from .permissions import can, require
from .presenting import INDEX_LABELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- enterprise profile (enterprise, department, granted bank sees via API) -----------------------------------


def _profile_context(actor, enterprise: m.Enterprise) -> dict:
    index = selectors.latest_index(enterprise)
    contributions = []
    if index is not None:
        labels = dict(INDEX_LABELS)
        contributions = sorted(((labels.get(k, k), v) for k, v in index.contributions.items()),
                               key=lambda kv: -kv[1])
    today = timezone.localdate()
    return {
        "enterprise": enterprise,
        "indicators": enterprise.indicators.order_by("-year")[:5],
        "qualifications": enterprise.qualifications.order_by("-valid_to"),
        "ip_rights": enterprise.ip_rights.order_by("kind", "number")[:200],
        "awards": enterprise.awards.order_by("-year"),
        "rd_institutions": enterprise.rd_institutions.all(),
        "standards": enterprise.standards.order_by("-year"),
        "shareholders": enterprise.shareholders.order_by("-share_percent"),
        "group": selectors.controller_group(actor=actor, enterprise=enterprise),
        "judgments": enterprise.judgments.order_by("-judged_on")[:50],
        "dishonest": enterprise.dishonest_entries.order_by("-listed_on"),
        "abnormal": enterprise.abnormal_entries.order_by("-listed_on"),
        "listing": selectors.current_listing(enterprise),
        "index": index,
        "contributions": contributions,
        "today": today,
    }


@portal_view
def my_profile(request):
    enterprise = selectors.own_enterprise(actor=request.actor)
    return render(request, "registry/profile.html", _profile_context(request.actor, enterprise))


@portal_view
def enterprise_detail(request, credit_code: str):
    actor = request.actor
    require(actor, "registry.view_all", hide=True)
    enterprise = selectors.enterprise_get(actor=actor, credit_code=credit_code)
    ctx = _profile_context(actor, enterprise)
    ctx["declarations"] = selectors.declaration_list(actor=actor).filter(enterprise=enterprise)
    return render(request, "registry/profile.html", ctx)


ENTERPRISE_COLUMNS = [
    Column(gettext_lazy("Unified social credit code"), lambda e: e.credit_code),
    Column(gettext_lazy("Name"), lambda e: e.name),
    Column(gettext_lazy("City"), lambda e: e.get_region_display()),
    Column(gettext_lazy("District"), lambda e: e.district),
    Column(gettext_lazy("Industry"), lambda e: e.industry_code),
    Column(gettext_lazy("Legal representative"), lambda e: e.legal_representative),
    Column(gettext_lazy("Actual controller"), lambda e: e.actual_controller.name if e.actual_controller else ""),
    Column(gettext_lazy("Registered on"), lambda e: e.registered_on.isoformat() if e.registered_on else ""),
]


@portal_view
def enterprise_list(request):
    actor = request.actor
    require(actor, "registry.view_all", hide=True)
    return list_page(request, form_class=EnterpriseFilterForm, columns=ENTERPRISE_COLUMNS,
                     rows=lambda f: selectors.enterprise_list(actor=actor, **f),
                     template="registry/enterprise_list.html", filename="enterprises")


# --- declarations -----------------------------------------------------------------------------------------------


@portal_view
def my_declarations(request):
    actor = request.actor
    enterprise = selectors.own_enterprise(actor=actor)
    form = DeclarationForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        figures = dict(form.cleaned_data)
        try:
            if "preview" in request.POST:
                preview = ev.explain(services.evaluation_preview(actor=actor, **figures))
            else:
                declaration = services.declaration_submit(actor=actor, **figures)
                messages.success(request, _("Your declaration was submitted and evaluated."))
                return redirect("registry:declaration_detail", declaration.pk)
        except DomainError as exc:
            apply_domain_error(form, exc)
    return render(request, "registry/my_declarations.html", {
        "enterprise": enterprise, "form": form, "preview": preview,
        "declarations": selectors.declaration_list(actor=actor), "can_declare": can(actor, "registry.declare"),
    })


@portal_view
def declaration_detail(request, pk: int):
    actor = request.actor
    declaration = selectors.declaration_get(actor=actor, declaration_id=pk)
    is_department = can(actor, "registry.view_all")
    status = declaration.status
    return render(request, "registry/declaration_detail.html", {
        "d": declaration, "lines": ev.explain(declaration.evaluation), "is_department": is_department,
        "review_form": ReviewForm() if can(actor, "registry.review") and status == "submitted" else None,
        "decide_form": DecideForm() if can(actor, "registry.approve") and status == "recommended" else None,
        "revoke_form": RevokeForm() if can(actor, "registry.approve") and status in ("approved", "listed") else None,
        "risk_labels": [RISK_LABELS.get(f, f) for f in declaration.risk_flags],
    })


RISK_LABELS = {
    "staff_mismatch": gettext_lazy("Declared staff differ from social-security records"),
    "tax_mismatch": gettext_lazy("Declared sales or R&D differ from tax records"),
    "rd_jump": gettext_lazy("R&D intensity jumped over the year before"),
    "young_enterprise": gettext_lazy("Enterprise registered recently"),
    "borderline_score": gettext_lazy("Passed close to the pass mark"),
    "recent_litigation": gettext_lazy("Recent judgment as defendant"),
}


def _declaration_action(request, pk: int, form_class, call):
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("registry:declaration_detail", pk)
    try:
        call(form.cleaned_data)
        messages.success(request, _("Saved."))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, str(exc.message))
    return redirect("registry:declaration_detail", pk)


@require_POST
@portal_view
def declaration_review(request, pk: int):
    return _declaration_action(request, pk, ReviewForm, lambda d: services.declaration_review(
        actor=request.actor, declaration_id=pk, recommend=d["recommend"], note=d["note"]))


@require_POST
@portal_view
def declaration_decide(request, pk: int):
    return _declaration_action(request, pk, DecideForm, lambda d: services.declaration_decide(
        actor=request.actor, declaration_id=pk, approve=d["approve"], note=d["note"]))


@require_POST
@portal_view
def declaration_revoke(request, pk: int):
    return _declaration_action(request, pk, RevokeForm, lambda d: services.declaration_revoke(
        actor=request.actor, declaration_id=pk, reason=d["reason"], falsification=d["falsification"]))


DECLARATION_COLUMNS = [
    Column(gettext_lazy("Year"), lambda d: d.year),
    Column(gettext_lazy("Unified social credit code"), lambda d: d.enterprise.credit_code),
    Column(gettext_lazy("Name"), lambda d: d.enterprise.name),
    Column(gettext_lazy("City"), lambda d: d.enterprise.get_region_display()),
    Column(gettext_lazy("Status"), lambda d: d.get_status_display()),
    Column(gettext_lazy("Score"), lambda d: d.score),
    Column(gettext_lazy("Meets the rules"), lambda d: d.passed),
    Column(gettext_lazy("On-site check"), lambda d: d.onsite_check_required),
    Column(gettext_lazy("Registration number"), lambda d: d.registration_number or ""),
]


@portal_view
def review_queue(request):
    actor = request.actor
    require(actor, "registry.review", hide=True)
    publish_form = PublishForm(initial={"year": timezone.localdate().year, "region": actor.organisation.region
                                        if actor.organisation.region in Region.values else Region.GUANGZHOU})
    return list_page(request, form_class=DeclarationFilterForm, columns=DECLARATION_COLUMNS,
                     rows=lambda f: _queue_rows(actor, f), template="registry/review_queue.html",
                     filename="declarations",
                     context={"publish_form": publish_form if can(actor, "registry.approve") else None})


def _queue_rows(actor, filters: dict):
    if filters:
        return selectors.declaration_list(actor=actor, **filters)
    return selectors.review_queue(actor=actor)


@require_POST
@portal_view
def batch_publish(request):
    actor = request.actor
    require(actor, "registry.approve", hide=True)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            batch = services.batch_publish(actor=actor, **form.cleaned_data)
            messages.success(request, _("Published batch %(number)s: %(size)s enterprises, %(sample)s drawn for "
                                        "random on-site checks.") % {"number": batch.number, "size": batch.size,
                                                                     "sample": batch.sample_size})
        except DomainError as exc:
            messages.error(request, str(exc.message))
    return redirect("registry:review_queue")


@require_POST
@portal_view
def listings_lapse(request):
    require(request.actor, "registry.approve", hide=True)
    n = services.listings_lapse_overdue(actor=request.actor)
    messages.success(request, _("%(n)s listings lapsed for missing the update deadline.") % {"n": n})
    return redirect("registry:review_queue")


PUBLIC_COLUMNS = [
    Column(gettext_lazy("Registration number"), lambda d: d.registration_number),
    Column(gettext_lazy("Name"), lambda d: d.enterprise.name),
    Column(gettext_lazy("Unified social credit code"), lambda d: d.enterprise.credit_code),
    Column(gettext_lazy("City"), lambda d: d.enterprise.get_region_display()),
    Column(gettext_lazy("Year"), lambda d: d.year),
    Column(gettext_lazy("Batch"), lambda d: d.batch.number if d.batch else ""),
]


def public_list(request):
    """The published tech-SME list: open to everyone, signed in or not."""
    return list_page(request, form_class=PublicListFilterForm, columns=PUBLIC_COLUMNS,
                     rows=lambda f: selectors.public_list(**f), template="registry/public_list.html",
                     filename="tech-sme-list", per_page=50)


# --- imports --------------------------------------------------------------------------------------------------------

IMPORT_COLUMNS = [
    Column(gettext_lazy("ID"), lambda b: b.pk),
    Column(gettext_lazy("Template"), lambda b: b.template),
    Column(gettext_lazy("File name"), lambda b: b.original_name),
    Column(gettext_lazy("Status"), lambda b: b.get_status_display()),
    Column(gettext_lazy("Rows"), lambda b: b.rows_total),
    Column(gettext_lazy("Rows with errors"), lambda b: b.error_count),
    Column(gettext_lazy("Uploaded at"), lambda b: b.created_at.isoformat()),
    Column(gettext_lazy("Content hash"), lambda b: b.content_sha256),
]


@portal_view
def import_list(request):
    actor = request.actor
    require(actor, "registry.import", hide=True)
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = services.import_upload(actor=actor, template=form.cleaned_data["template"],
                                               filename=upload.name, content=upload.read())
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                _import_message(request, batch)
                return redirect("registry:import_list")
    templates = [(imports.SOURCES[t.source], t) for t in imports.TEMPLATES.values()]
    return list_page(request, form_class=NoFilters, columns=IMPORT_COLUMNS,
                     rows=lambda f: selectors.import_list(actor=actor), template="registry/import_list.html",
                     filename="imports", context={"upload_form": form, "templates": templates,
                                                  "template_titles": {t.key: t.title for _s, t in templates}})


def _import_message(request, batch: m.ImportBatch) -> None:
    if batch.status == m.ImportStatus.APPLIED:
        messages.success(request, _("Imported %(rows)s rows: %(created)s new, %(updated)s changed, %(unchanged)s "
                                    "unchanged.") % {"rows": batch.rows_total, **batch.summary})
    elif batch.status == m.ImportStatus.DUPLICATE:
        messages.info(request, _("This file was already imported; nothing changed."))
    elif batch.status == m.ImportStatus.REJECTED:
        messages.error(request, _("%(n)s rows have errors; nothing was imported. Download the error report, fix "
                                  "the rows and upload again.") % {"n": batch.error_count})
    else:
        messages.info(request, _("The file is large and is being imported in the background."))


@portal_view
def import_error_report(request, pk: int):
    batch = selectors.import_get(actor=request.actor, batch_id=pk)
    if batch.status != m.ImportStatus.REJECTED:
        raise Http404
    with batch.file.open("rb") as fh:
        content = fh.read()
    response = HttpResponse(imports.error_report(content, batch.original_name, batch.errors), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.xlsx"'
    return response


@portal_view
def import_source_file(request, pk: int):
    batch = selectors.import_get(actor=request.actor, batch_id=pk)
    with batch.file.open("rb") as fh:
        content = fh.read()
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-source-{batch.content_sha256[:8]}"'
    return response


@portal_view
def import_template(request, key: str, fmt: str):
    require(request.actor, "registry.import", hide=True)
    template = imports.TEMPLATES.get(key)
    if template is None or fmt not in ("xlsx", "csv"):
        raise Http404
    if fmt == "xlsx":
        response = HttpResponse(imports.template_workbook(template), content_type=XLSX)
    else:
        response = HttpResponse(imports.template_csv(template), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="template-{key}.{fmt}"'
    return response


# --- dashboard --------------------------------------------------------------------------------------------------------


@portal_view
def dashboard(request):
    actor = request.actor
    require(actor, "registry.view_all", hide=True)
    stats = selectors.dashboard(actor=actor)
    labels = dict(Region.choices)
    cities = sorted(set(stats["by_city"]) | set(stats["listed_by_city"]))
    chart = {
        "cities": [str(labels.get(c, c)) for c in cities],
        "enterprises": [stats["by_city"].get(c, 0) for c in cities],
        "listed": [stats["listed_by_city"].get(c, 0) for c in cities],
        "index": [round(stats["index_by_city"].get(c, 0), 2) for c in cities],
        "industries": [{"name": k, "value": v} for k, v in stats["by_industry"].items()],
        "labels": {"enterprises": _("Enterprises"), "listed": _("Listed tech SMEs"),
                   "index": _("Average innovation index"), "industry": _("Enterprises by industry section")},
    }
    return render(request, "registry/dashboard.html", {"stats": stats, "chart": chart,
                                                       "can_recompute": can(actor, "registry.recompute")})


@require_POST
@portal_view
def index_recompute(request):
    require(request.actor, "registry.recompute", hide=True)
    n = services.index_recompute(actor=request.actor)
    messages.success(request, _("Innovation index recomputed for %(n)s enterprises.") % {"n": n})
    return redirect("registry:dashboard")


# --- consent ------------------------------------------------------------------------------------------------


@portal_view
def my_grants(request):
    actor = request.actor
    enterprise = selectors.own_enterprise(actor=actor)
    version, notice = services.consent_notice()
    form = GrantForm(request.POST or None, initial={"notice_version": version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.grant_create(actor=actor, institution_id=data["institution"].pk, categories=data["categories"],
                                  purpose=data["purpose"], valid_until=data["valid_until"],
                                  notice_version=data["notice_version"])
            messages.success(request, _("Access granted."))
            return redirect("registry:my_grants")
        except DomainError as exc:
            apply_domain_error(form, exc)
    text = notice["text_en"] if translation.get_language() == "en" else notice["text_zh"]
    grants = selectors.grant_list(actor=actor)
    return render(request, "registry/my_grants.html", {
        "enterprise": enterprise, "form": form, "notice_text": text, "notice_version": version,
        "grants": [(g, selectors.grant_is_valid(g)) for g in grants], "can_grant": can(actor, "registry.grant"),
        "category_labels": dict(m.DataCategory.choices),
    })


@require_POST
@portal_view
def grant_revoke(request, pk: int):
    try:
        services.grant_revoke(actor=request.actor, grant_id=pk)
        messages.success(request, _("Access revoked. The institution's next request will be refused."))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, str(exc.message))
    return redirect("registry:my_grants")


ACCESS_COLUMNS = [
    Column(gettext_lazy("Time"), lambda a: timezone.localtime(a.accessed_at).strftime("%Y-%m-%d %H:%M:%S")),
    Column(gettext_lazy("Institution"), lambda a: a.institution.name),
    Column(gettext_lazy("Purpose"), lambda a: a.get_purpose_display()),
    Column(gettext_lazy("Data categories"), lambda a: ", ".join(str(dict(m.DataCategory.choices).get(c, c))
                                                                for c in a.categories)),
    Column(gettext_lazy("Accessed by"), lambda a: a.accessed_by),
    Column(gettext_lazy("Authorisation"), lambda a: a.grant_id),
    Column(gettext_lazy("Ledger entry"), lambda a: a.ledger_entry),
]


@portal_view
def my_access(request):
    actor = request.actor
    selectors.own_enterprise(actor=actor)
    return list_page(request, form_class=NoFilters, columns=ACCESS_COLUMNS,
                     rows=lambda f: selectors.access_history(actor=actor), template="registry/access_history.html",
                     filename="access-history", per_page=50)


@portal_view
def bank_enterprises(request):
    actor = request.actor
    require(actor, "registry.bank_read", hide=True)
    rows = selectors.bank_enterprises(actor=actor)
    return render(request, "registry/bank_enterprises.html", {"rows": rows})


@portal_view
@require_POST
def bank_enterprise_read(request, credit_code: str):
    """The institution reads an enterprise's granted data in the portal, as its systems do through
    the bank API: the same grant check, the same access record the enterprise sees, the same
    ledger entry. A POST, because reading is recorded."""
    actor = request.actor
    require(actor, "registry.bank_read", hide=True)
    try:
        data = services.bank_read(actor=actor, credit_code=credit_code, purpose=request.POST.get("purpose", ""))
    except DomainError as exc:
        raise Http404 from exc
    enterprise = next((row["enterprise"] for row in selectors.bank_enterprises(actor=actor)
                       if row["enterprise"].credit_code == credit_code), None)
    return render(request, "registry/bank_enterprise_data.html", {
        "data": data, "enterprise": enterprise, "purpose": dict(m.Purpose.choices).get(data["purpose"], ""),
        "sections": presenting.sections(data["data"])})
