from django.apps import AppConfig


class PatentsConfig(AppConfig):
    name = "innoreform.patents"
    label = "patents"
