"""Names people read for this app's audit actions (core.events shows them instead of the codes)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "biomed.application_approved": _("Special-goods application approved"),
    "biomed.application_assessed": _("Special-goods risk assessed"),
    "biomed.application_refused": _("Special-goods application refused"),
    "biomed.application_returned": _("Special-goods application returned"),
    "biomed.application_submitted": _("Special-goods application submitted"),
    "biomed.approval_revoked": _("Special-goods approval revoked"),
    "biomed.batch_written_off": _("Import batch written off"),
    "biomed.followup_closed": _("Follow-up closed"),
    "biomed.followup_escalated": _("Follow-up escalated"),
    "biomed.followup_reported": _("Follow-up reported"),
    "biomed.item_registered": _("Special-goods item registered"),
    "biomed.whitelist_added": _("Added to the white list"),
    "biomed.whitelist_removed": _("Removed from the white list"),
}
