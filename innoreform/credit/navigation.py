"""Navigation entries for the credit pages (registered from CreditConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from innoreform.core import nav

from .permissions import OVERSIGHT


def register() -> None:
    nav.register(nav.NavItem(label=_("Credit models"), url_name="credit:model_list", kinds=OVERSIGHT, order=40))
    nav.register(nav.NavItem(label=_("Credit runs"), url_name="credit:run_list", kinds=OVERSIGHT, order=41))
