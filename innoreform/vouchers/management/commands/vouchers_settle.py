"""Pay an approved settlement batch (safe to rerun after a crash): `innoreform vouchers_settle <batch>`."""

import json

from django.core.management.base import BaseCommand

from innoreform.core.actor import Actor
from innoreform.vouchers import settlement


class Command(BaseCommand):
    help = "Pay every unpaid item of an approved voucher settlement batch; reruns pay nothing twice."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)

    def handle(self, *args, batch_id: int, **options):
        result = settlement.batch_run(actor=Actor.system(), batch_id=batch_id)
        self.stdout.write(json.dumps(result))
