"""`manage.py books reconcile [--json]`: report breaks in the books; exit status 1 when any."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from innoreform.books.reconciliation import reconcile


class Command(BaseCommand):
    help = "Double-entry books: `reconcile` reports missing, duplicated and mismatched postings."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("reconcile", help="Report every break; exit 1 when there is one.")
        rec.add_argument("--json", action="store_true", help="Print the full report as one JSON object.")
        rec.add_argument("--books-only", action="store_true",
                         help="Skip the domain expectation sources; check the books alone.")

    def handle(self, *args, **options):
        if options["action"] != "reconcile":
            raise CommandError(f"unknown action {options['action']}")
        report = reconcile(include_sources=not options["books_only"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, sort_keys=True))
        else:
            self.stdout.write(
                f"checked {report.transactions} transactions, {report.postings} postings, "
                f"{report.accounts} accounts, {report.expectations} expectations: {len(report.breaks)} breaks"
            )
            for kind, n in report.counts().items():
                if n:
                    self.stdout.write(f"  {kind}: {n}")
            for b in report.breaks[:200]:
                self.stdout.write("  " + json.dumps(b.as_dict(), ensure_ascii=False, sort_keys=True))
        if not report.clean:
            sys.exit(1)
