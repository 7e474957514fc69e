from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IpcasesConfig(AppConfig):
    name = "innoreform.ipcases"
    label = "ipcases"
    verbose_name = _("IP cases and notarial evidence")

    def ready(self) -> None:
        from innoreform.core import events as core_events

        from . import navigation, periods, todos
        from .events import LABELS

        periods.register_policies()
        navigation.register()
        todos.register()
        core_events.register(LABELS)
