"""`innoreform db roles [--apply]`: the owner and application roles and their GRANTs
(core.db_roles). Connect as a superuser (DATABASE_URL) to apply them."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction


class Command(BaseCommand):
    help = "Database roles: print (or apply) the owner/app roles and the app role's GRANTs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        r = sub.add_parser("roles", help="print the SQL; --apply runs it (as a superuser)")
        r.add_argument("--apply", action="store_true")
        r.add_argument("--owner", default="innoreform_owner")
        r.add_argument("--app", default="innoreform_app")
        r.add_argument("--owner-password", default=None)
        r.add_argument("--app-password", default=None)

    def handle(self, *args, **opts):
        from innoreform.core import db_roles

        if not (db_roles.valid_role(opts["owner"]) and db_roles.valid_role(opts["app"])):
            raise CommandError("role names are lower-case letters, digits and underscores")
        if connection.vendor != "postgresql":
            raise CommandError("database roles are a PostgreSQL matter (SQLite has none)")
        stmts = db_roles.statements(owner=opts["owner"], app=opts["app"], owner_password=opts["owner_password"],
                                    app_password=opts["app_password"])
        if not opts["apply"]:
            for statement in stmts:
                self.stdout.write(statement + ";")
            return
        with transaction.atomic():
            db_roles.apply(stmts)
        self.stdout.write(self.style.SUCCESS(f"applied {len(stmts)} statements: {opts['owner']} owns the schema, "
                                             f"{opts['app']} owns nothing"))
