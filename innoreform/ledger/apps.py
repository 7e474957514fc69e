from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "innoreform.ledger"
    label = "ledger"
