from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "innoreform.ledger"
    label = "ledger"
    verbose_name = _("Trust ledger")

    def ready(self) -> None:
        from innoreform.core import nav

        nav.register(nav.NavItem(label=_("Ledger entries about us"), url_name="ledger:my_entries", order=80))
        nav.register(nav.NavItem(label=_("Evidence preservation"), url_name="ledger:evidence_list", order=81))

        from . import todos  # the home page's to-dos

        todos.register()
