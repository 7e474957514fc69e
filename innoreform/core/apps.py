from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "innoreform.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        from . import nav, todos
        from .nav import NavItem

        todos.register()

        # extra={"menu": "platform"}: shown under the header's "Platform" menu instead of the main bar
        # (and still as cards on the home page). Other apps may use the same key for their own tools.
        platform = {"menu": "platform"}
        nav.register(NavItem(label=_("Home"), url_name="core:home", order=0))
        nav.register(NavItem(label=_("Organisations"), url_name="core:organisations", order=80, extra=platform))
        nav.register(NavItem(label=_("Policy parameters"), url_name="core:policies", order=85,
                             operation="policy.view", extra=platform))
        nav.register(NavItem(label=_("Audit log"), url_name="core:audit", order=90,
                             operation=("audit.search_all", "audit.search_own"), extra=platform))
        nav.register(NavItem(label=_("API keys"), url_name="core:api_keys", order=92, operation="apikey.manage",
                             extra=platform))
        nav.register(NavItem(label=_("Background jobs"), url_name="core:jobs", order=95, extra=platform))
        nav.register(NavItem(label=_("Notifications"), url_name="core:notifications", order=96, extra=platform))
