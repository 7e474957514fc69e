"""IP case pages for parties, courts, mediation bodies and notary offices. Thin: parse the form,
call a service, show the result; refusals appear as messages with their reason; an object the actor
may not see is a 404."""

from datetime import date, datetime
from functools import wraps

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innoreform.core.errors import DomainError
from innoreform.core.exports import Column
from innoreform.core.listing import list_page
from innoreform.core.models import Organisation, OrgKind
from innoreform.core.views import portal_view

from . import models as m
from . import selectors, services, verification
from .permissions import can

PARTIES = {OrgKind.ENTERPRISE, OrgKind.SERVICE_INSTITUTION, OrgKind.COLLEGE}


def _post_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        return view(request, *args, **kwargs)

    return wrapper


def _run(request, action, success) -> bool:
    try:
        action()
    except DomainError as exc:
        details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.details.items() if isinstance(v, list))
        messages.error(request, f"{exc.message} {details}".strip())
        return False
    messages.success(request, success)
    return True


def _upload(request, name: str) -> tuple[str, bytes] | None:
    f = request.FILES.get(name)
    if not f:
        return None
    if f.size > services.MAX_UPLOAD_BYTES:
        return f.name, b"x" * (services.MAX_UPLOAD_BYTES + 1)  # let the service refuse it with its message
    return f.name, b"".join(f.chunks())


def _identity(request) -> dict:
    return {"legal_name": request.POST.get("legal_name", "")[:100], "id_number": request.POST.get("id_number", "")[:40]}


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- home -------------------------------------------------------------------------------------------


@portal_view
def home(request):
    actor = request.actor
    ctx = {"kind": actor.kind, "deadlines": selectors.deadlines_due(actor=actor)[:20]}
    if actor.kind == OrgKind.COURT:
        ctx.update(queue=selectors.filing_queue(actor=actor)[:50], cases=selectors.case_list(actor=actor)[:20],
                   mediations=selectors.mediation_list(actor=actor)[:20], figures=selectors.dashboard(actor=actor))
        return render(request, "ipcases/home_court.html", ctx)
    if actor.kind == OrgKind.MEDIATION_BODY:
        ctx.update(to_accept=selectors.mediations_to_accept(actor=actor),
                   mediations=selectors.mediation_list(actor=actor)[:50],
                   roster=selectors.roster(organisation_id=actor.organisation_id))
        return render(request, "ipcases/home_mediation.html", ctx)
    if actor.kind == OrgKind.NOTARY_OFFICE:
        return redirect("ipcases:notarial_list")
    if actor.kind in PARTIES:
        ctx.update(disputes=selectors.dispute_list(actor=actor)[:50],
                   mediations=selectors.mediation_list(actor=actor)[:20],
                   evidence=selectors.notarial_list(actor=actor)[:20], can_file=can(actor, "ipcases.file"))
        return render(request, "ipcases/home_party.html", ctx)
    raise Http404


# --- filing -----------------------------------------------------------------------------------------


@portal_view
def file_new(request):
    actor = request.actor
    if not can(actor, "ipcases.file"):
        raise Http404
    if request.method == "POST":
        complaint = _upload(request, "complaint") or ("", b"")
        ev = _upload(request, "evidence")
        yuan = request.POST.get("claim_yuan", "0").strip() or "0"
        holder = {}

        def act():
            holder["f"] = services.filing_submit(
                actor=actor, site_id=_int(request.POST.get("site_id")) or 0,
                subject=request.POST.get("subject", "")[:200], claims=request.POST.get("claims", "")[:20000],
                respondent_name=request.POST.get("respondent_name", "")[:200],
                respondent_has_domicile=request.POST.get("respondent_abroad") != "on",
                claim_fen=int(yuan) * 100 if yuan.isdigit() and len(yuan) < 12 else -1,
                complaint_name=complaint[0], complaint=complaint[1],
                evidence=[(request.POST.get("evidence_title", ""), ev[0], ev[1])] if ev else [],
                consent=request.POST.get("consent") == "on", **_identity(request))

        if _run(request, act, _("Filed. The court decides within 7 days; your dispute id is shown below.")):
            return redirect("ipcases:dispute", holder["f"].dispute_id)
    return render(request, "ipcases/file.html", {"sites": selectors.sites(), "post": request.POST})


DISPUTE_COLUMNS = [
    Column(gettext_lazy("Dispute id"), lambda d: d.platform_id),
    Column(gettext_lazy("Subject"), lambda d: d.subject),
    Column(gettext_lazy("Plaintiff"), lambda d: d.claimant.name),
    Column(gettext_lazy("Respondent"), lambda d: d.respondent_name),
    Column(gettext_lazy("Service point"), lambda d: d.filing.site.name if hasattr(d, "filing") else ""),
    Column(gettext_lazy("Status"), lambda d: d.get_status_display()),
    Column(gettext_lazy("Filed"), lambda d: timezone.localtime(d.created_at).date()),
]


class DisputeFilter(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=[("", "—"), *m.DisputeStatus.choices],
                               required=False)
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=60)


@portal_view
def dispute_list(request):
    return list_page(request, form_class=DisputeFilter, columns=DISPUTE_COLUMNS, template="ipcases/disputes.html",
                     rows=lambda f: selectors.dispute_list(actor=request.actor, **f), filename="disputes")


@portal_view
def dispute_detail(request, pk: int):
    actor = request.actor
    d = selectors.dispute_get(actor=actor, dispute_id=pk)
    filing = getattr(d, "filing", None)
    cases = d.cases.select_related("court", "lower", "judge").prefetch_related("hearings__confirmations",
                                                                                "services", "excluded_periods")
    is_court = actor.kind == OrgKind.COURT and d.court.organisation_id == actor.organisation_id
    is_party = actor.organisation_id in (d.claimant_id, d.respondent_id)
    return render(request, "ipcases/dispute.html", {
        "d": d, "filing": filing, "cases": cases, "deadlines": d.deadlines.select_related("case", "owner"),
        "mediations": d.mediations.select_related("mediator", "organisation"),
        "evidence": d.evidence.all(), "consents": d.consents.all(), "checks": d.identity_checks.all(),
        "is_court": is_court, "is_party": is_party,
        "can_decide": is_court and can(actor, "ipcases.decide_filing"),
        "can_judge": is_court and can(actor, "ipcases.judge"),
        "mediation_bodies": Organisation.objects.filter(kind=OrgKind.MEDIATION_BODY, is_active=True),
        "judges": actor.organisation.memberships.select_related("user") if is_court else [],
        "sites": selectors.sites(court_id=d.court_id), "stages": m.Stage.choices,
        "my_evidence": selectors.notarial_list(actor=actor).filter(dispute__isnull=True,
                                                                    status=m.NotarialStatus.CERTIFIED)
        if is_party else [],
        "excluded_kinds": m.ExcludedPeriod.KINDS, "today": timezone.localdate(),
    })


def _aware(value: str) -> datetime | None:
    try:
        return timezone.make_aware(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return None


@portal_view
@_post_only
def dispute_act(request, pk: int):
    actor = request.actor
    d = selectors.dispute_get(actor=actor, dispute_id=pk)
    p = request.POST
    action = p.get("action", "")
    filing_id = getattr(getattr(d, "filing", None), "pk", 0)
    case_id = _int(p.get("case_id")) or 0
    if action in ("docket", "correct", "refuse"):
        _run(request, lambda: services.filing_decide(
            actor=actor, filing_id=filing_id, decision=action, items=p.get("items", "").splitlines(),
            reasons=p.get("reasons", ""), procedure=p.get("procedure", "ordinary"), judge_id=_int(p.get("judge_id"))),
            {"docket": _("Docketed."), "correct": _("The correction notice was sent."),
             "refuse": _("The filing was refused.")}[action])
    elif action == "entrust":
        _run(request, lambda: services.mediation_entrust(
            actor=actor, filing_id=filing_id, organisation_id=_int(p.get("organisation_id")) or 0,
            phase=p.get("phase", "pre")), _("Entrusted to mediation."))
    elif action == "correct_filing":
        doc = _upload(request, "document")
        _run(request, lambda: services.filing_correct(
            actor=actor, filing_id=filing_id, note=p.get("note", "")[:500],
            documents=[(p.get("title", ""), doc[0], doc[1])] if doc else [], consent=p.get("consent") == "on",
            **_identity(request)), _("Corrections submitted; the court decides within 7 days."))
    elif action == "consent":
        _run(request, lambda: services.consent_give(actor=actor, dispute_id=d.pk, stage=p.get("stage", ""),
                                                   **_identity(request)), _("Consent recorded."))
    elif action == "hearing":
        _run(request, lambda: services.hearing_schedule(
            actor=actor, case_id=case_id, mode=p.get("mode", ""),
            starts_at=_aware(p.get("starts_at")) or timezone.now(),
            ends_at=_aware(p.get("ends_at")) or timezone.now(), judge_id=_int(p.get("judge_id")) or 0,
            site_id=_int(p.get("site_id")), room=p.get("room", "")[:50], video_url=p.get("video_url", "")[:200]),
            _("Hearing scheduled."))
    elif action == "transcript":
        up = _upload(request, "transcript") or ("", b"")
        _run(request, lambda: services.transcript_upload(actor=actor, hearing_id=_int(p.get("hearing_id")) or 0,
                                                        data=up[1]), _("Transcript uploaded."))
    elif action == "confirm":
        _run(request, lambda: services.transcript_confirm(actor=actor, hearing_id=_int(p.get("hearing_id")) or 0,
                                                         sha256=p.get("sha256", "")), _("Transcript confirmed."))
    elif action == "serve":
        up = _upload(request, "document") or ("", b"")
        _run(request, lambda: services.service_send(actor=actor, case_id=case_id,
                                                   recipient_id=_int(p.get("recipient_id")) or 0,
                                                   title=p.get("title", "")[:200], data=up[1]), _("Served."))
    elif action == "opened":
        _run(request, lambda: services.service_opened(actor=actor, service_id=_int(p.get("service_id")) or 0),
             _("Marked as read."))
    elif action == "exclude_start":
        _run(request, lambda: services.excluded_period_start(
            actor=actor, case_id=case_id, kind=p.get("kind", ""), starts_on=_date(p.get("starts_on")) or date.min),
            _("The trial limit is suspended."))
    elif action == "exclude_end":
        _run(request, lambda: services.excluded_period_end(
            actor=actor, period_id=_int(p.get("period_id")) or 0, ends_on=_date(p.get("ends_on")) or date.min),
            _("The trial limit runs again."))
    elif action == "deadline":
        _run(request, lambda: services.deadline_set(actor=actor, case_id=case_id, kind=p.get("kind", ""),
                                                   starts_on=_date(p.get("starts_on")) or date.min),
             _("Deadline set."))
    elif action == "attach":
        _run(request, lambda: services.evidence_attach(actor=actor, request_id=_int(p.get("request_id")) or 0,
                                                      dispute_id=d.pk), _("Evidence attached."))
    else:
        messages.error(request, _("Unknown action."))
    return redirect("ipcases:dispute", d.pk)


CASE_COLUMNS = [
    Column(gettext_lazy("Case number"), lambda c: c.number),
    Column(gettext_lazy("Dispute id"), lambda c: c.dispute.platform_id),
    Column(gettext_lazy("Instance"), lambda c: c.instance),
    Column(gettext_lazy("Plaintiff"), lambda c: c.dispute.claimant.name),
    Column(gettext_lazy("Docketed"), lambda c: c.docketed_on),
    Column(gettext_lazy("Trial limit"), lambda c: c.trial_limit_due),
    Column(gettext_lazy("Status"), lambda c: c.get_status_display()),
]


class CaseFilter(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=[("", "—"), *m.CaseStatus.choices],
                               required=False)
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=60)


@portal_view
def case_list(request):
    return list_page(request, form_class=CaseFilter, columns=CASE_COLUMNS, template="ipcases/cases.html",
                     rows=lambda f: selectors.case_list(actor=request.actor, **f), filename="cases")


DEADLINE_COLUMNS = [
    Column(gettext_lazy("Deadline"), lambda d: d.get_kind_display()),
    Column(gettext_lazy("Case or dispute"), lambda d: d.case.number if d.case_id else (
        d.dispute.platform_id if d.dispute_id else d.notarial.title if d.notarial_id else "")),
    Column(gettext_lazy("Counted from"), lambda d: d.starts_on),
    Column(gettext_lazy("Due"), lambda d: d.due_on),
    Column(gettext_lazy("Who must act"), lambda d: d.owner.name),
    Column(gettext_lazy("Rule"), lambda d: d.rule_text),
    Column(gettext_lazy("Status"), lambda d: d.get_status_display()),
    Column(gettext_lazy("Policy version"), lambda d: f"{d.policy_version}/{d.calendar_version}"),
]


class DeadlineFilter(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=[("", "—"), *m.DeadlineStatus.choices],
                               required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Deadline"), choices=[("", "—"), *m.DeadlineKind.choices],
                             required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)


@portal_view
def deadline_list(request):
    return list_page(request, form_class=DeadlineFilter, columns=DEADLINE_COLUMNS, template="ipcases/deadlines.html",
                     rows=lambda f: selectors.deadline_list(actor=request.actor, **f), filename="deadlines",
                     context={"today": timezone.localdate()})


# --- mediation --------------------------------------------------------------------------------------


@portal_view
def mediation_detail(request, pk: int):
    actor = request.actor
    med = selectors.mediation_get(actor=actor, mediation_id=pk)
    return render(request, "ipcases/mediation.html", {
        "med": med, "roster": selectors.roster(organisation_id=med.organisation_id),
        "declined": set(med.declines.values_list("mediator_id", flat=True)), "declines": med.declines.all(),
        "signatures": med.signatures.select_related("organisation"),
        "is_party": actor.organisation_id in (med.dispute.claimant_id, med.dispute.respondent_id),
        "is_body": actor.organisation_id == med.organisation_id,
        "is_court": actor.organisation_id == med.dispute.court.organisation_id,
        "signed": med.signatures.filter(organisation=actor.organisation).exists(), "today": timezone.localdate()})


@portal_view
@_post_only
def mediation_act(request, pk: int):
    actor = request.actor
    med = selectors.mediation_get(actor=actor, mediation_id=pk)
    p, action = request.POST, request.POST.get("action", "")
    mediator_id = _int(p.get("mediator_id")) or 0
    actions = {
        "select": (lambda: services.mediation_select(actor=actor, mediation_id=med.pk, mediator_id=mediator_id,
                                                     consent=p.get("consent") == "on", **_identity(request)),
                   _("Mediator chosen; they have 3 working days to accept.")),
        "assign": (lambda: services.mediation_assign(actor=actor, mediation_id=med.pk, mediator_id=mediator_id),
                   _("Mediator assigned.")),
        "accept": (lambda: services.mediation_accept(actor=actor, mediation_id=med.pk,
                                                     conflict_disclosure=p.get("disclosure", "")[:2000]),
                   _("Accepted; the mediation period has started.")),
        "decline": (lambda: services.mediation_decline(actor=actor, mediation_id=med.pk,
                                                       reason=p.get("reason", "")[:300]), _("Declined.")),
        "fail": (lambda: services.mediation_fail(actor=actor, mediation_id=med.pk, record=p.get("record", "")[:20000]),
                 _("Mediation closed as failed; the dispute is back with the court.")),
        "propose": (lambda: services.mediation_propose_agreement(actor=actor, mediation_id=med.pk,
                                                                 text=p.get("text", "")[:20000]),
                    _("The agreement awaits signatures.")),
        "sign": (lambda: services.mediation_sign(actor=actor, mediation_id=med.pk, **_identity(request)),
                 _("Signed.")),
    }
    if action not in actions:
        messages.error(request, _("Unknown action."))
    else:
        _run(request, *actions[action])
    return redirect("ipcases:mediation", med.pk)


@portal_view
def agreement_pdf(request, pk: int):
    med = selectors.mediation_get(actor=request.actor, mediation_id=pk)
    if not med.agreement_pdf:
        raise Http404
    return FileResponse(med.agreement_pdf.open("rb"), content_type="application/pdf",
                        filename=f"agreement-{med.pk}.pdf")


ROSTER_COLUMNS = [
    Column(gettext_lazy("Mediator"), lambda x: x.name),
    Column(gettext_lazy("Organisation"), lambda x: x.organisation.name),
    Column(gettext_lazy("Region"), lambda x: x.region),
    Column(gettext_lazy("Scope"), lambda x: x.scope),
    Column(gettext_lazy("Specialty"), lambda x: x.specialty),
    Column(gettext_lazy("Fee (yuan)"), lambda x: x.fee_fen // 100),
]


class EmptyFilter(forms.Form):
    pass


@portal_view
def roster(request):
    return list_page(request, form_class=EmptyFilter, columns=ROSTER_COLUMNS, template="ipcases/roster.html",
                     rows=lambda f: selectors.roster(), filename="mediators")


# --- notarial evidence ------------------------------------------------------------------------------

NOTARIAL_COLUMNS = [
    Column(gettext_lazy("Title"), lambda r: r.title),
    Column(gettext_lazy("Requested by"), lambda r: r.requester.name),
    Column(gettext_lazy("Notary office"), lambda r: r.notary.name),
    Column(gettext_lazy("Status"), lambda r: r.get_status_display()),
    Column(gettext_lazy("Certificate due"), lambda r: r.certificate_due),
    Column(gettext_lazy("SHA-256"), lambda r: r.sha256),
    Column(gettext_lazy("Certificate number"), lambda r: r.certificate_number),
    Column(gettext_lazy("Dispute id"), lambda r: r.dispute.platform_id if r.dispute_id else ""),
]


class NotarialFilter(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=[("", "—"), *m.NotarialStatus.choices],
                               required=False)


@portal_view
def notarial_list(request):
    return list_page(request, form_class=NotarialFilter, columns=NOTARIAL_COLUMNS,
                     template="ipcases/notarial_list.html",
                     rows=lambda f: selectors.notarial_list(actor=request.actor, **f), filename="notarial-evidence",
                     context={"can_request": can(request.actor, "ipcases.notary_request")})


@portal_view
def notarial_new(request):
    actor = request.actor
    if not can(actor, "ipcases.notary_request"):
        raise Http404
    if request.method == "POST":
        holder = {}

        def act():
            holder["r"] = services.notarial_request(
                actor=actor, notary_id=_int(request.POST.get("notary_id")) or 0,
                title=request.POST.get("title", "")[:200], purpose=request.POST.get("purpose", "")[:300],
                target_url=request.POST.get("target_url", "")[:200],
                dispute_id=_int(request.POST.get("dispute_id")))

        if _run(request, act, _("Requested; the certificate is due within 15 working days.")):
            return redirect("ipcases:notarial", holder["r"].pk)
    return render(request, "ipcases/notarial_new.html", {
        "notaries": Organisation.objects.filter(kind=OrgKind.NOTARY_OFFICE, is_active=True),
        "disputes": selectors.dispute_list(actor=actor).filter(claimant=actor.organisation), "post": request.POST})


@portal_view
def notarial_detail(request, pk: int):
    actor = request.actor
    r = selectors.notarial_get(actor=actor, request_id=pk)
    is_notary = r.notary_id == actor.organisation_id
    return render(request, "ipcases/notarial.html", {
        "r": r, "is_notary": is_notary, "checklist": services.CHECKLIST,
        "can_capture": is_notary and can(actor, "ipcases.notary_capture"),
        "can_certify": is_notary and can(actor, "ipcases.notary_certify")})


@portal_view
@_post_only
def notarial_act(request, pk: int):
    actor = request.actor
    r = selectors.notarial_get(actor=actor, request_id=pk)
    p, action = request.POST, request.POST.get("action", "")
    if action == "capture":
        up = _upload(request, "file") or ("", b"")
        _run(request, lambda: services.notarial_capture(
            actor=actor, request_id=r.pk, filename=up[0], data=up[1], time_source=p.get("time_source", "")[:200],
            checklist={k: p.get(k) == "on" for k in services.CHECKLIST},
            metadata={k: p.get(k, "")[:500] for k in ("url", "final_url", "http_status", "page_title", "user_agent",
                                                      "client_ip")}),
            _("Captured; the file's hash is on the trust ledger."))
    elif action == "certify":
        _run(request, lambda: services.notarial_certify(actor=actor, request_id=r.pk),
             _("The notarial certificate is issued and signed."))
    else:
        messages.error(request, _("Unknown action."))
    return redirect("ipcases:notarial", r.pk)


@portal_view
def certificate_pdf(request, pk: int):
    r = selectors.notarial_get(actor=request.actor, request_id=pk)
    if not r.certificate_pdf:
        raise Http404
    return FileResponse(r.certificate_pdf.open("rb"), content_type="application/pdf",
                        filename=f"certificate-{r.pk}.pdf")


@portal_view
def verify(request, pk: int):
    """The judge's view: the evidence against its receipt, the checkpoint, the witnesses and the
    notary's signature, in plain words. A party may upload its own copy to check it instead."""
    r = selectors.notarial_get(actor=request.actor, request_id=pk)
    data = None
    if request.method == "POST":
        up = _upload(request, "copy")
        data = up[1] if up else None
    report = verification.verify_request(r, data=data)
    return render(request, "ipcases/verify.html", {"r": r, "report": report, "copy": data is not None})


# --- dashboard --------------------------------------------------------------------------------------


@portal_view
def dashboard(request):
    actor = request.actor
    if not can(actor, "ipcases.dashboard"):
        raise Http404
    site_id = _int(request.GET.get("site"))
    figures = selectors.dashboard(actor=actor, site_id=site_id)
    chart = {"stages": [str(label) for label, _n in figures["by_stage"]],
             "counts": [n for _l, n in figures["by_stage"]],
             "sites": [s for s, _n in figures["by_site"]], "site_counts": [n for _s, n in figures["by_site"]],
             "names": {"stage": _("Disputes by stage"), "site": _("Filings by service point")}}
    courts = selectors.sites() if actor.kind != OrgKind.COURT else selectors.sites().filter(
        court__organisation=actor.organisation)
    return render(request, "ipcases/dashboard.html", {"f": figures, "chart": chart, "sites": courts,
                                                      "site_id": site_id})
