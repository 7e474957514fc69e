"""Notification texts by message id, rendered in the reader's language."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "policy.proposed": _("Policy %(key)s version %(version)s awaits your approval."),
    "policy.approved": _("Policy %(key)s version %(version)s was approved."),
    "policy.rejected": _("Policy %(key)s version %(version)s was rejected."),
    "job.finished": _("Background job %(kind)s finished."),
    "job.failed": _("Background job %(kind)s failed: %(message)s"),
    "apikey.created": _("API key %(prefix)s was created for your organisation."),
    "demo.evidence": _("Demo: preserve a document as evidence, then check its receipt on the public verify page."),
}


def register(message_id: str, text) -> None:
    MESSAGES[message_id] = text


def render(message_id: str, params: dict) -> str:
    template = MESSAGES.get(message_id)
    if template is None:
        return message_id
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)
