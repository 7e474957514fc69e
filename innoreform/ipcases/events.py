"""Names people read for this app's audit actions (core.events shows them instead of the codes)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "ipcases.agreement_proposed": _("Mediation agreement proposed"),
    "ipcases.agreement_signed": _("Mediation agreement signed"),
    "ipcases.case_appealed": _("Case appealed"),
    "ipcases.consent_given": _("Consent to online litigation given"),
    "ipcases.deadline_set": _("Deadline set"),
    "ipcases.evidence_attached": _("Evidence attached to the case"),
    "ipcases.excluded_period_ended": _("Excluded period ended"),
    "ipcases.excluded_period_started": _("Excluded period started"),
    "ipcases.filing_corrected": _("Filing corrected"),
    "ipcases.filing_submitted": _("Filing submitted"),
    "ipcases.filing_docket": _("Filing docketed"),
    "ipcases.filing_refuse": _("Filing refused"),
    "ipcases.filing_correct": _("Correction requested"),
    "ipcases.hearing_scheduled": _("Hearing scheduled"),
    "ipcases.mediation_accepted": _("Mediation accepted"),
    "ipcases.mediation_declined": _("Mediation declined"),
    "ipcases.mediation_entrusted": _("Mediation entrusted"),
    "ipcases.mediation_failed": _("Mediation failed"),
    "ipcases.mediator_assigned": _("Mediator assigned"),
    "ipcases.mediator_selected": _("Mediator chosen"),
    "ipcases.notarial_captured": _("Evidence captured by the notary"),
    "ipcases.notarial_certified": _("Notarial certificate issued"),
    "ipcases.notarial_requested": _("Notarisation requested"),
    "ipcases.served": _("Document served"),
    "ipcases.service_opened": _("Document opened by the recipient"),
    "ipcases.transcript_confirmed": _("Transcript confirmed"),
    "ipcases.transcript_uploaded": _("Transcript uploaded"),
}
