from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiomedConfig(AppConfig):
    name = "innoreform.biomed"
    label = "biomed"
    verbose_name = _("Biomedical special goods")

    def ready(self) -> None:
        from innoreform.core import events as core_events

        from . import navigation, rules, todos
        from .events import LABELS

        rules.register_policy()
        navigation.register()
        todos.register()
        core_events.register(LABELS)
