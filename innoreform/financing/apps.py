from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancingConfig(AppConfig):
    name = "innoreform.financing"
    label = "financing"
    verbose_name = _("Financing platform")

    def ready(self) -> None:
        from . import navigation, policies

        policies.register_policies()
        navigation.register()

        from . import todos  # the home page's to-dos

        todos.register()
