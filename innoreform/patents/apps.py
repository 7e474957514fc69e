from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatentsConfig(AppConfig):
    name = "innoreform.patents"
    label = "patents"
    verbose_name = _("Patent navigation")

    def ready(self) -> None:
        from innoreform.core import nav
        from innoreform.core.nav import NavItem

        from .permissions import ANALYST_KINDS

        nav.register(NavItem(label=_("Patent navigation"), url_name="patents:index", kinds=ANALYST_KINDS, order=60))

        from . import todos  # the home page's to-dos

        todos.register()
