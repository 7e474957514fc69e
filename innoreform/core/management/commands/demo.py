import importlib

from django.apps import apps
from django.core.management.base import BaseCommand

from innoreform.core import demo


class Command(BaseCommand):
    help = "Create the labelled demo organisations and accounts (idempotent), then each app's demo data."

    def handle(self, *args, **options):
        demo.load()
        operator = demo.operator_actor()
        modules = []
        for config in apps.get_app_configs():
            if not config.name.startswith("innoreform.") or config.label == "core":
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            modules.append(module)
            if hasattr(module, "load"):
                module.load(operator=operator)
                self.stdout.write(f"demo data: {config.label}")
        # An optional second pass for demo data that reads what every app loaded (credit scores
        # every enterprise the other apps put into the registry).
        for module in modules:
            if hasattr(module, "finish"):
                module.finish(operator=operator)
        self.stdout.write(self.style.SUCCESS("Demo data ready (all names end with （演示） / (demo))."))
        for line in demo.accounts_table():
            self.stdout.write(line)
