from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "innoreform.credit"
    label = "credit"

    def ready(self) -> None:
        from . import navigation, policies

        policies.register_policies()
        navigation.register()

        from . import todos  # the home page's to-dos

        todos.register()
