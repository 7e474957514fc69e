from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BooksConfig(AppConfig):
    name = "innoreform.books"
    label = "books"
    verbose_name = _("Books (double-entry fund accounting)")

    def ready(self) -> None:
        from innoreform.core import nav
        from innoreform.core.nav import NavItem

        nav.register(NavItem(label=_("Fund accounts"), url_name="books:accounts", order=70))
        nav.register(NavItem(label=_("Trial balance"), url_name="books:trial_balance", order=71,
                             kinds=frozenset({"department", "platform_operator"})))
