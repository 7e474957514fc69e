from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "innoreform.core"
    label = "core"
