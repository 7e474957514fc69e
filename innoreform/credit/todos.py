"""Credit models awaiting the approver's decision (maker-checker), for the home page (registered
from CreditConfig.ready), through this app's selectors."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innoreform.core import todo
from innoreform.core.models import Role
from innoreform.core.todo import Item, TodoSource

from . import models as m
from . import selectors
from .permissions import OVERSIGHT


def models_to_approve(actor):
    qs = selectors.version_list(actor=actor).filter(status=m.VersionStatus.SUBMITTED).order_by("submitted_at", "id")
    return todo.from_queryset(qs, item=lambda v: Item(f"{v.name} v{v.version}",
                                                      reverse("credit:model_report", args=[v.pk]),
                                                      v.get_kind_display(), v.submitted_at.date()))


def register() -> None:
    todo.register(TodoSource("credit.models", _("Credit models to approve"), models_to_approve, group="enterprises",
                             url_name="credit:model_list", kinds=OVERSIGHT, min_role=Role.APPROVER,
                             operation="credit.model_approve", order=15))
