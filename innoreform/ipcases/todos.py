"""The home page's to-dos for courts, mediation bodies, notaries and parties (registered from
IpcasesConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from innoreform.core import notifications, todo
from innoreform.core.models import OrgKind
from innoreform.core.todo import Item, TodoSource, Tone

from . import models as m
from . import selectors

PARTIES = frozenset({OrgKind.ENTERPRISE, OrgKind.SERVICE_INSTITUTION, OrgKind.COLLEGE})


def _dispute_url(d):
    return f"/ipcases/disputes/{d.pk}/"


def filings_awaiting(actor):
    return todo.from_queryset(selectors.filing_queue(actor=actor), item=lambda f: Item(
        f"{f.dispute.platform_id} {f.dispute.subject}", _dispute_url(f.dispute), f.site.name, f.decision_due))


def deadlines_due(actor):
    return todo.from_queryset(selectors.deadlines_due(actor=actor), item=lambda d: Item(
        d.get_kind_display(), _dispute_url(d.dispute) if d.dispute_id else f"/ipcases/notarial/{d.notarial_id}/",
        d.case.number if d.case_id else (d.dispute.platform_id if d.dispute_id else ""), d.due_on))


def mediations_to_accept(actor):
    return todo.from_queryset(selectors.mediations_to_accept(actor=actor), item=lambda med: Item(
        med.dispute.platform_id, f"/ipcases/mediations/{med.pk}/", str(med.mediator or ""), med.accept_due))


def notarial_requests(actor):
    qs = selectors.notarial_list(actor=actor).exclude(status=m.NotarialStatus.CERTIFIED)
    return todo.from_queryset(qs, item=lambda r: Item(r.title, f"/ipcases/notarial/{r.pk}/",
                                                      r.get_status_display(), r.certificate_due))


def party_actions(actor):
    qs = selectors.mediation_list(actor=actor).filter(status__in=[m.MediationStatus.SELECTING,
                                                                  m.MediationStatus.SIGNING])
    return todo.from_queryset(qs, item=lambda med: Item(med.dispute.platform_id, f"/ipcases/mediations/{med.pk}/",
                                                        med.get_status_display(), med.select_due))


MESSAGES = {
    "ipcases.deadline_due": _("%(kind)s for %(ref)s is due on %(due)s."),
    "ipcases.filing_submitted": _("New filing %(ref)s at %(site)s awaits the court's decision."),
    "ipcases.filing_docket": _("Filing %(ref)s was docketed as %(number)s."),
    "ipcases.filing_correct": _("The court asks for corrections to filing %(ref)s (one consolidated notice)."),
    "ipcases.filing_refuse": _("The court refused filing %(ref)s; see the reasons."),
    "ipcases.mediation_entrusted": _("Dispute %(ref)s was entrusted to you for mediation."),
    "ipcases.mediation_to_accept": _("A mediator was chosen for %(ref)s: accept or decline within the time limit."),
    "ipcases.mediation_failed": _("Mediation of %(ref)s failed; the dispute returns to the court with its record."),
    "ipcases.hearing_scheduled": _("A hearing in %(number)s is scheduled for %(at)s."),
    "ipcases.served": _("A document was served on you in %(number)s: %(title)s."),
    "ipcases.notarial_requested": _("New notarial evidence request: %(title)s."),
    "ipcases.notarial_certified": _("The notarial certificate for %(title)s is issued."),
}


def register() -> None:
    for key, text in MESSAGES.items():
        notifications.register(key, text)
    todo.register(TodoSource("ipcases.filings", _("Filings awaiting the court's decision"), filings_awaiting,
                             group="patents", url_name="ipcases:home", kinds=frozenset({OrgKind.COURT}), order=40))
    todo.register(TodoSource("ipcases.deadlines", _("Case deadlines due within 7 days"), deadlines_due,
                             group="patents", url_name="ipcases:deadlines", tone=Tone.DEADLINE, order=41))
    todo.register(TodoSource("ipcases.mediations", _("Mediations to accept"), mediations_to_accept, group="patents",
                             url_name="ipcases:home", kinds=frozenset({OrgKind.MEDIATION_BODY}), order=40))
    todo.register(TodoSource("ipcases.notarial", _("Notarial evidence requests"), notarial_requests, group="trust",
                             url_name="ipcases:notarial_list", kinds=frozenset({OrgKind.NOTARY_OFFICE}), order=40))
    todo.register(TodoSource("ipcases.party", _("Mediations waiting for you (choose a mediator, sign)"), party_actions,
                             group="patents", url_name="ipcases:home", kinds=PARTIES, tone=Tone.WAITING, order=42))
