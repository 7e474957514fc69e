"""Special-goods pages for enterprises, customs and the science department. Thin: parse, call a
service, render. Domain errors are shown as messages; objects the actor may not see are 404."""

from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from innoreform.core.exports import EXPORT_FORMATS, Column, export_response
from innoreform.core.listing import list_page
from innoreform.core.models import Organisation, OrgKind
from innoreform.core.selectors import policy_in_force
from innoreform.core.views import portal_view, run_action

from . import forms, selectors, services
from . import models as m
from .permissions import can, require
from .rules import POLICY_KEY


def _levels_table() -> dict:
    version, params = services.levels()
    policy = policy_in_force(POLICY_KEY)
    return {"version": version, "policy_id": policy.pk, "levels": [
        {"level": level, "label": m.Level(level).label, "rule": rule,
         "attachments": [m.AttachmentKind(k).label for k in rule.attachments],
         "matches": [c.text for c in params.classification if c.level == level]}
        for level, rule in sorted(params.levels.items())]}


# --- home: one page per kind of organisation -------------------------------------------------------------


@portal_view
def home(request):
    actor = request.actor
    ctx: dict[str, Any] = {"levels": _levels_table()}
    if actor.kind == OrgKind.ENTERPRISE:
        ctx.update(items=selectors.item_list(actor=actor)[:20],
                   applications=selectors.application_list(actor=actor)[:10],
                   approvals=selectors.approval_list(actor=actor, status=m.ApprovalStatus.ACTIVE)[:20],
                   follow_ups=selectors.follow_ups_due(actor=actor, within_days=60)[:20],
                   can_apply=can(actor, "biomed.apply"))
        return render(request, "biomed/home_enterprise.html", ctx)
    if selectors.sees_all(actor):
        ctx.update(
            to_assess=selectors.application_list(actor=actor, status=m.ApplicationStatus.ASSESSING)[:20],
            to_decide=selectors.application_list(actor=actor, status=m.ApplicationStatus.AWAITING_DECISION)[:20],
            overdue=selectors.follow_ups_overdue(actor=actor)[:20],
            reported=selectors.follow_up_list(actor=actor, status=m.FollowUpStatus.REPORTED)[:20],
            approvals=selectors.approval_list(actor=actor)[:10],
            is_customs=actor.kind == OrgKind.CUSTOMS)
        return render(request, "biomed/home_customs.html", ctx)
    raise Http404


# --- enterprise: items and applications -----------------------------------------------------------------


@portal_view
def item_new(request):
    require(request.actor, "biomed.item_register", hide=True)
    form = forms.ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_action(request, lambda: services.item_register(actor=request.actor, **form.cleaned_data),
                      _("The item was registered; it can be used in every application.")):
            return redirect("biomed:apply")
    return render(request, "biomed/form_page.html", {"form": form, "title": _("Register an item"),
                                                     "multipart": False})


@portal_view
def apply(request):
    require(request.actor, "biomed.apply", hide=True)
    items = selectors.item_list(actor=request.actor)
    form = forms.ApplicationForm(request.POST or None, request.FILES or None, items=items,
                                 initial={"item": request.GET.get("item")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        holder = {}

        def act():
            holder["a"] = services.application_submit(
                actor=request.actor, item_id=d["item"].pk, quantity=d["quantity"], unit=d["unit"], ports=d["ports"],
                origin=d["origin"], purpose=d["purpose"], attachments=form.attachments())

        if run_action(request, act, _("Your application was submitted; see how it was levelled and decided below.")):
            return redirect("biomed:application", holder["a"].pk)
    return render(request, "biomed/apply.html", {"form": form, "levels": _levels_table(), "has_items": items.exists()})


@portal_view
def application_detail(request, pk: int):
    actor = request.actor
    application = selectors.application_get(actor=actor, application_id=pk)
    open_for_customs = actor.kind == OrgKind.CUSTOMS
    return render(request, "biomed/application.html", {
        "application": application, "approval": m.Approval.objects.filter(application=application).first(),
        "checks": [{"ok": c["ok"], "text": services.explain(c)} for c in application.checks],
        "attachments": application.attachments.all(),
        "can_assess": open_for_customs and can(actor, "biomed.assess")
        and application.status == m.ApplicationStatus.ASSESSING,
        "can_decide": open_for_customs and can(actor, "biomed.decide")
        and application.status == m.ApplicationStatus.AWAITING_DECISION,
        "can_return": open_for_customs and can(actor, "biomed.assess") and application.status in (
            m.ApplicationStatus.ASSESSING, m.ApplicationStatus.AWAITING_DECISION),
        "assessment_form": forms.AssessmentForm(), "note_form": forms.NoteForm(),
    })


@portal_view
@require_POST
def application_act(request, pk: int):
    actor = request.actor
    selectors.application_get(actor=actor, application_id=pk)
    action = request.POST.get("action")
    if action == "assess":
        form = forms.AssessmentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            run_action(request, lambda: services.application_assess(actor=actor, application_id=pk, **data),
                       _("The assessment was recorded; another person decides."))
        else:
            messages.error(request, _("Write the assessment's findings."))
    elif action in ("approve", "refuse", "return"):
        form = forms.NoteForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        if action == "return":
            run_action(request, lambda: services.application_return(actor=actor, application_id=pk, note=note),
                       _("The application was returned to the enterprise."))
        else:
            run_action(request, lambda: services.application_decide(actor=actor, application_id=pk,
                                                                    approve=action == "approve", note=note),
                       _("The application was approved.") if action == "approve" else _("The application was refused."))
    return redirect("biomed:application", pk)


# --- approvals and the write-off ledger --------------------------------------------------------------------

BATCH_COLUMNS = [
    Column(gettext_lazy("Declaration number"), lambda b: b.declaration_no),
    Column(gettext_lazy("Approval number"), lambda b: b.approval.number),
    Column(gettext_lazy("Enterprise"), lambda b: b.approval.enterprise.name),
    Column(pgettext_lazy("special goods", "Item"), lambda b: b.approval.item.name),
    Column(gettext_lazy("Quantity"), lambda b: b.quantity),
    Column(gettext_lazy("Unit"), lambda b: b.get_unit_display()),
    Column(gettext_lazy("Port"), lambda b: b.get_port_display()),
    Column(gettext_lazy("Balance after"), lambda b: b.balance_after),
    Column(gettext_lazy("Declared at"), lambda b: b.declared_at.strftime("%Y-%m-%d %H:%M")),
    Column(gettext_lazy("Declared by"), lambda b: b.declared_by_label),
]


@portal_view
def approval_detail(request, pk: int):
    actor = request.actor
    approval = selectors.approval_get(actor=actor, approval_id=pk)
    batches = selectors.batch_list(actor=actor, approval_id=approval.pk)
    fmt = request.GET.get("format", "")
    if fmt in EXPORT_FORMATS:
        return export_response(filename=f"write-off-{approval.number}", columns=BATCH_COLUMNS, rows=batches, fmt=fmt)
    active = approval.status == m.ApprovalStatus.ACTIVE
    return render(request, "biomed/approval.html", {
        "approval": approval, "batches": batches, "follow_ups": approval.follow_ups.all(),
        "ports": [m.Port(p).label for p in approval.ports],
        "percent": approval.written_off * 100 // approval.quantity,
        "can_declare": active and can(actor, "biomed.declare") and actor.kind in (OrgKind.ENTERPRISE, OrgKind.CUSTOMS),
        "can_revoke": approval.status != m.ApprovalStatus.REVOKED and can(actor, "biomed.revoke"),
        "batch_form": forms.BatchForm(initial={"unit": approval.unit, "port": approval.ports[0]}),
        "reason_form": forms.ReasonForm(),
    })


@portal_view
@require_POST
def batch_declare(request, pk: int):
    selectors.approval_get(actor=request.actor, approval_id=pk)
    form = forms.BatchForm(request.POST)
    if form.is_valid():
        run_action(request, lambda: services.batch_declare(actor=request.actor, approval_id=pk, **form.cleaned_data),
                   _("The batch was written off."))
    else:
        messages.error(request, _("Check the batch's fields."))
    return redirect("biomed:approval", pk)


@portal_view
@require_POST
def approval_revoke(request, pk: int):
    selectors.approval_get(actor=request.actor, approval_id=pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        run_action(request, lambda: services.approval_revoke(actor=request.actor, approval_id=pk,
                                                             reason=form.cleaned_data["reason"]),
                   _("The approval was revoked."))
    else:
        messages.error(request, _("Give the reason."))
    return redirect("biomed:approval", pk)


# --- list pages: one spec each, one template, CSV and Excel export -------------------------------------------


@dataclass(frozen=True)
class Listing:
    title: Any
    form_class: type[django_forms.Form]
    rows: Any  # (actor, **filters) -> queryset
    columns: list[Column]
    filename: str
    link: Any = None  # row -> url name and pk, or None


def _show(listing: Listing, request, **context):
    return list_page(request, form_class=listing.form_class,
                     rows=lambda filters: listing.rows(actor=request.actor, **filters), columns=listing.columns,
                     template="biomed/list.html", filename=listing.filename,
                     context={"title": listing.title, "link": listing.link, **context})


APPLICATIONS = Listing(gettext_lazy("Special-goods applications"), forms.ApplicationFilter,
                       selectors.application_list, [
    Column(gettext_lazy("Number"), lambda a: a.pk),
    Column(gettext_lazy("Enterprise"), lambda a: a.enterprise.name),
    Column(pgettext_lazy("special goods", "Item"), lambda a: a.item.name),
    Column(gettext_lazy("Risk level"), lambda a: a.level),
    Column(gettext_lazy("Quantity"), lambda a: a.quantity),
    Column(gettext_lazy("Unit"), lambda a: a.get_unit_display()),
    Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
    Column(gettext_lazy("Policy version"), lambda a: a.policy_version),
    Column(gettext_lazy("Submitted at"), lambda a: a.submitted_at.strftime("%Y-%m-%d %H:%M")),
], "special-goods-applications", "biomed:application")

APPROVALS = Listing(gettext_lazy("Special-goods approvals"), forms.ApprovalFilter, selectors.approval_list, [
    Column(gettext_lazy("Approval number"), lambda a: a.number),
    Column(gettext_lazy("Enterprise"), lambda a: a.enterprise.name),
    Column(pgettext_lazy("special goods", "Item"), lambda a: a.item.name),
    Column(gettext_lazy("Risk level"), lambda a: a.level),
    Column(gettext_lazy("Approved quantity"), lambda a: a.quantity),
    Column(gettext_lazy("Written off"), lambda a: a.written_off),
    Column(pgettext_lazy("special goods", "Balance"), lambda a: a.balance),
    Column(gettext_lazy("Unit"), lambda a: a.get_unit_display()),
    Column(gettext_lazy("Use"), lambda a: _("single") if a.single_use else _("multiple")),
    Column(gettext_lazy("Valid until"), lambda a: a.valid_until.isoformat()),
    Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
], "special-goods-approvals", "biomed:approval")

LEDGER = Listing(gettext_lazy("Special-goods write-off ledger"), forms.BatchFilter, selectors.batch_list, BATCH_COLUMNS,
                 "special-goods-write-off-ledger", "biomed:approval")

ITEMS = Listing(gettext_lazy("Special-goods items"), forms.ItemFilter, selectors.item_list, [
    Column(gettext_lazy("Name"), lambda i: i.name),
    Column(gettext_lazy("Enterprise"), lambda i: i.enterprise.name),
    Column(gettext_lazy("Category"), lambda i: i.get_category_display()),
    Column(gettext_lazy("HS code"), lambda i: i.hs_code),
    Column(gettext_lazy("CIQ code"), lambda i: i.ciq_code),
    Column(gettext_lazy("Pathogen class"), lambda i: i.get_pathogen_class_display()),
    Column(gettext_lazy("Specification"), lambda i: i.specification),
    Column(gettext_lazy("Storage conditions"), lambda i: i.storage),
    Column(gettext_lazy("Biosafety level"), lambda i: i.biosafety_level),
    Column(gettext_lazy("Other approvals held"), lambda i: i.other_approvals),
], "special-goods-items")

FOLLOW_UPS = Listing(gettext_lazy("Special-goods follow-ups"), forms.FollowUpFilter, selectors.follow_up_list, [
    Column(gettext_lazy("Kind"), lambda f: f.get_kind_display()),
    Column(gettext_lazy("Approval number"), lambda f: f.approval.number),
    Column(gettext_lazy("Enterprise"), lambda f: f.approval.enterprise.name),
    Column(pgettext_lazy("special goods", "Item"), lambda f: f.approval.item.name),
    Column(gettext_lazy("Due on"), lambda f: f.due_on.isoformat()),
    Column(gettext_lazy("Status"), lambda f: f.get_status_display()),
], "special-goods-follow-ups", "biomed:follow_up")

WHITELIST_COLUMNS = [
    Column(gettext_lazy("Enterprise"), lambda e: e.enterprise.name),
    Column(gettext_lazy("Product"), lambda e: e.item.name if e.item else _("All items")),
    Column(gettext_lazy("Reason for listing"), lambda e: e.reason),
    Column(gettext_lazy("Listed at"), lambda e: e.added_at.strftime("%Y-%m-%d")),
    Column(gettext_lazy("Removed at"), lambda e: e.removed_at.strftime("%Y-%m-%d") if e.removed_at else ""),
    Column(gettext_lazy("Reason for removal"), lambda e: e.removal_reason),
]


@portal_view
def application_list(request):
    return _show(APPLICATIONS, request)


@portal_view
def approval_list(request):
    return _show(APPROVALS, request)


@portal_view
def ledger(request):
    return _show(LEDGER, request, lead=_("Every import batch written off against an approval, with its declaration "
                                         "number and the balance it left."))


@portal_view
def item_list(request):
    return _show(ITEMS, request)


@portal_view
def follow_up_list(request):
    return _show(FOLLOW_UPS, request)


# --- follow-ups ---------------------------------------------------------------------------------------


@portal_view
def follow_up_detail(request, pk: int):
    actor = request.actor
    follow_up = selectors.follow_up_get(actor=actor, follow_up_id=pk)
    can_report = can(actor, "biomed.followup_report") and follow_up.status in (
        m.FollowUpStatus.OPEN, m.FollowUpStatus.ESCALATED)
    can_close = can(actor, "biomed.followup_close") and follow_up.status != m.FollowUpStatus.CLOSED
    if request.method == "POST":
        if request.POST.get("action") == "report" and can_report:
            form = forms.ReportForm(request.POST)
            if form.is_valid():
                run_action(request, lambda: services.followup_report(actor=actor, follow_up_id=pk, **form.cleaned_data),
                           _("Your report was sent to customs."))
        elif request.POST.get("action") == "close" and can_close:
            form = forms.ResultForm(request.POST)
            if form.is_valid():
                run_action(request, lambda: services.followup_close(actor=actor, follow_up_id=pk, **form.cleaned_data),
                           _("The follow-up was closed."))
        return redirect("biomed:follow_up", pk)
    return render(request, "biomed/follow_up.html", {"follow_up": follow_up, "can_report": can_report,
                                                     "can_close": can_close, "report_form": forms.ReportForm(),
                                                     "result_form": forms.ResultForm()})


# --- white list ------------------------------------------------------------------------------------------


@portal_view
def whitelist(request):
    actor = request.actor
    entries = selectors.whitelist(actor=actor)
    fmt = request.GET.get("format", "")
    if fmt in EXPORT_FORMATS:
        return export_response(filename="special-goods-white-list", columns=WHITELIST_COLUMNS, rows=entries, fmt=fmt)
    may_edit = can(actor, "biomed.whitelist")
    form = forms.WhitelistForm(request.POST or None,
                               enterprises=Organisation.objects.filter(kind=OrgKind.ENTERPRISE, is_active=True)
                               .order_by("name") if may_edit else None,
                               items=selectors.item_list(actor=actor) if may_edit else None)
    if request.method == "POST":
        require(actor, "biomed.whitelist", hide=True)
        if form.is_valid():
            d = form.cleaned_data
            run_action(request, lambda: services.whitelist_add(actor=actor, enterprise_id=d["enterprise"].pk,
                                                               item_id=d["item"].pk if d["item"] else None,
                                                               reason=d["reason"]),
                       _("The white list was updated."))
            return redirect("biomed:whitelist")
    return render(request, "biomed/whitelist.html", {"entries": entries[:200], "form": form, "may_edit": may_edit,
                                                     "reason_form": forms.ReasonForm(),
                                                     "export_formats": EXPORT_FORMATS})


@portal_view
@require_POST
def whitelist_remove(request, pk: int):
    require(request.actor, "biomed.whitelist", hide=True)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        run_action(request, lambda: services.whitelist_remove(actor=request.actor, entry_id=pk,
                                                              reason=form.cleaned_data["reason"]),
                   _("The entry was removed from the white list; the reason is kept."))
    else:
        messages.error(request, _("Give the reason."))
    return redirect("biomed:whitelist")


# --- statistics ---------------------------------------------------------------------------------------

STAT_COLUMNS = [
    Column(gettext_lazy("Dimension"), lambda r: r["dimension"]),
    Column(gettext_lazy("Name"), lambda r: r["label"]),
    Column(gettext_lazy("Unit"), lambda r: r.get("unit_label", "")),
    Column(gettext_lazy("Batches"), lambda r: r.get("batches", "")),
    Column(gettext_lazy("Volume"), lambda r: r.get("volume", "")),
    Column(gettext_lazy("Approved"), lambda r: r.get("approved", "")),
    Column(gettext_lazy("Decided automatically"), lambda r: r.get("automatic", "")),
    Column(gettext_lazy("Hours to approval (mean)"), lambda r: r.get("hours", "")),
]


def _by(rows: list[dict], key: str) -> dict[str, int]:
    """Batches per label, summed over units (a batch is a batch whatever it counts in)."""
    out: dict[str, int] = {}
    for r in rows:
        out[str(r["label"])] = out.get(str(r["label"]), 0) + r[key]
    return out


@portal_view
def statistics(request):
    actor = request.actor
    require(actor, "biomed.statistics", hide=True)
    form = forms.StatisticsForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    stats = selectors.statistics(actor=actor, year=year)
    fmt = request.GET.get("format", "")
    if fmt in EXPORT_FORMATS:
        rows = ([{**r, "dimension": _("Risk level")} for r in stats["by_level"]]
                + [{**r, "dimension": _("Category")} for r in stats["by_category"]]
                + [{**r, "dimension": _("Port")} for r in stats["by_port"]])
        return export_response(filename="special-goods-statistics", columns=STAT_COLUMNS, rows=rows, fmt=fmt)
    categories, ports = _by(stats["by_category"], "batches"), _by(stats["by_port"], "batches")
    chart = {
        "levels": [r["level"] for r in stats["by_level"]],
        "hours": [r["hours"] or 0 for r in stats["by_level"]],
        "approved": [r["approved"] for r in stats["by_level"]],
        "categories": list(categories), "category_batches": list(categories.values()),
        "ports": list(ports), "port_batches": list(ports.values()),
        "names": {"hours": _("Hours to approval (mean)"), "approved": _("Approved"), "batches": _("Batches"),
                  "by_level": _("Time to approval by risk level"), "by_category": _("Batches by category"),
                  "by_port": _("Batches by port")},
    }
    return render(request, "biomed/statistics.html", {"form": form, "stats": stats, "chart": chart, "filtered": year})
