from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "innoreform.registry"
    label = "registry"
