import sys

from django.core.management.base import BaseCommand

from innoreform.core import i18n


class Command(BaseCommand):
    help = "compile: build .mo files from the .po sources (pure Python). check: fail on missing zh-hans."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["compile", "check"])

    def handle(self, *args, action, **options):
        if action == "compile":
            compiled = i18n.compile_all()
            self.stdout.write(f"compiled {len(compiled)} catalogues, {sum(compiled.values())} messages")
            return
        problems = i18n.missing_translations()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            self.stderr.write(f"{len(problems)} messages lack a zh-hans translation")
            sys.exit(1)
        self.stdout.write(f"all messages translated in {len(i18n.po_files())} catalogues")
