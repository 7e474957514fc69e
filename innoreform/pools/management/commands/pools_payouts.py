"""Run the pools' payout job: pay every pool's queue in order, then pass back recoveries.
Safe to rerun after any crash: each payout item and each recovery share is paid once."""

import json

from django.core.management.base import BaseCommand

from innoreform.core.actor import Actor
from innoreform.pools import payouts


class Command(BaseCommand):
    help = "Pay approved compensation claims from the pools (FIFO) and flow recoveries back."

    def handle(self, *args, **options):
        result = payouts.run_payouts(actor=Actor.system())
        self.stdout.write(json.dumps(result))
