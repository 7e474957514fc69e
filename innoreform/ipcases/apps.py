from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IpcasesConfig(AppConfig):
    name = "innoreform.ipcases"
    label = "ipcases"
    verbose_name = _("IP cases and notarial evidence")

    def ready(self) -> None:
        from . import navigation, periods, todos

        periods.register_policies()
        navigation.register()
        todos.register()
