"""`innoreform audit <subcommand>`: verify the audit hash chain; link events left unlinked."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Audit trail: verify the hash chain (names the first broken position); link pending events."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        v = sub.add_parser("verify", help="check every link and that every event is linked")
        v.add_argument("--grace-seconds", type=int, default=60,
                       help="events younger than this may still be waiting for their chainer (default 60)")
        c = sub.add_parser("chain", help="link events that are not linked (after checking them)")
        c.add_argument("--pending", action="store_true", required=True,
                       help="link every unlinked event: after a crash interrupted chaining, once checked")
        c.add_argument("--older-than-seconds", type=int, default=60)

    def handle(self, *args, **opts):
        from innoreform.core import audit_chain

        if opts["sub"] == "chain":
            n = audit_chain.chain_pending(older_than=timedelta(seconds=opts["older_than_seconds"]))
            self.stdout.write(f"linked {n} event(s)")
            return
        report = audit_chain.verify(grace=timedelta(seconds=opts["grace_seconds"]))
        self.stdout.write(f"links checked: {report.links}; events: {report.events}; "
                          f"recent events not yet linked: {report.recent_unlinked}")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("OK: the audit trail is intact"))
            return
        for what, position, message in report.problems:
            self.stdout.write(self.style.ERROR(f"BAD at {what} {position}: {message}"))
        what, position, _message = report.first
        raise CommandError(f"the audit trail does not verify; first broken position: {what} {position}")
