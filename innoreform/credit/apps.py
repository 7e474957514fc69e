from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "innoreform.credit"
    label = "credit"
