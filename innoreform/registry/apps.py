from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "innoreform.registry"
    label = "registry"
    verbose_name = _("Tech-SME registry")

    def ready(self) -> None:
        from . import policies

        policies.register_policies()
        from . import navigation

        navigation.register()

        from . import todos  # the home page's to-dos

        todos.register()
