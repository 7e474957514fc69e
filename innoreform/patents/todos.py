"""Patent imports that are running or failed, for the home page (registered from
PatentsConfig.ready), through this app's selectors."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innoreform.core import todo
from innoreform.core.todo import Item, TodoSource, Tone

from . import selectors
from .models import DatasetStatus
from .permissions import ANALYST_KINDS


def imports(actor, status):
    qs = selectors.dataset_list(actor=actor).filter(status=status)
    return todo.from_queryset(qs, item=lambda d: Item(d.name, reverse("patents:dataset", args=[d.pk]),
                                                      d.get_status_display()))


def register() -> None:
    todo.register(TodoSource("patents.failed", _("Patent imports that failed"),
                             lambda actor: imports(actor, DatasetStatus.FAILED), group="patents",
                             url_name="patents:index", kinds=ANALYST_KINDS, tone=Tone.OVERDUE, order=50))
    todo.register(TodoSource("patents.importing", _("Patent imports running"),
                             lambda actor: imports(actor, DatasetStatus.IMPORTING), group="patents",
                             url_name="patents:index", kinds=ANALYST_KINDS, tone=Tone.WAITING, order=51))
