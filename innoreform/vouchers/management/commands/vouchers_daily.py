"""Daily upkeep: list institutions whose notice ended, expire vouchers, void unclaimed uses."""

import json

from django.core.management.base import BaseCommand

from innoreform.vouchers.tasks import daily


class Command(BaseCommand):
    help = "List institutions after their notice, expire vouchers (releasing reservations), void unclaimed uses."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(daily.call()))
