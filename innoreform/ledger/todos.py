"""Evidence receipts still waiting for a published checkpoint, for the home page (registered from
LedgerConfig.ready): until then a receipt verifies against the log but not yet against a cosigned
checkpoint."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innoreform.core import todo
from innoreform.core.todo import Item, TodoSource, Tone

from . import selectors


def evidence_pending(actor):
    qs = selectors.evidence_list(actor).filter(checkpoint__isnull=True)
    return todo.from_queryset(qs, item=lambda e: Item(e.title, reverse("ledger:evidence_detail", args=[e.uid]),
                                                      e.filename, e.created_at.date()))


def register() -> None:
    todo.register(TodoSource("ledger.evidence_pending", _("Evidence awaiting a published checkpoint"),
                             evidence_pending, group="trust", url_name="ledger:evidence_list", tone=Tone.WAITING,
                             order=60))
