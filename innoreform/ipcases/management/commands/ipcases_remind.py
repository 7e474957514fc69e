"""Daily: remind whoever must act before each open case deadline, and mark passed ones lapsed.

    .venv/bin/python manage.py ipcases_remind [--date 2026-03-14]
"""

import json
from datetime import date

from django.core.management.base import BaseCommand

from innoreform.ipcases import services


class Command(BaseCommand):
    help = "Send deadline reminders and mark lapsed deadlines (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, default=None)

    def handle(self, *args, date=None, **options):
        self.stdout.write(json.dumps(services.remind_and_lapse(today=date)))
