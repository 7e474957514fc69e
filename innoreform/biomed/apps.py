from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiomedConfig(AppConfig):
    name = "innoreform.biomed"
    label = "biomed"
    verbose_name = _("Biomedical special goods")

    def ready(self) -> None:
        from . import navigation, rules, todos

        rules.register_policy()
        navigation.register()
        todos.register()
