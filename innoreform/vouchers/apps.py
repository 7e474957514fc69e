from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "innoreform.vouchers"
    label = "vouchers"
    verbose_name = _("Innovation vouchers")

    def ready(self) -> None:
        from innoreform.books import reconciliation

        from . import navigation, policies, todos
        from .reconcile import books_source

        policies.register_policy()
        navigation.register()
        todos.register()
        reconciliation.register_source("vouchers", books_source)
