from django.core.management.base import BaseCommand

from innoreform.core.actor import Actor


class Command(BaseCommand):
    help = "Escalate special-goods follow-ups past their due date (run daily, like the tasks worker's upkeep)."

    def handle(self, *args, **options):
        from innoreform.biomed import services

        self.stdout.write(f"escalated: {services.followups_escalate_due(actor=Actor.system())}")
