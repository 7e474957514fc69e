"""`innoreform witness serve --key FILE --state FILE --port N`: an independent C2SP tlog-witness.

The witness has its own key file and state file and never opens the platform database. It trusts
the log verifier keys given with --log (default: this deployment's ledger key, for the demo).
"""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run or configure an independent transparency-log witness (C2SP tlog-witness)."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        s = sub.add_parser("serve", help="serve POST /add-checkpoint")
        s.add_argument("--key", required=True, help="witness private key file (created if missing with --name)")
        s.add_argument("--name", help="witness name for a new key, e.g. witness.bank-a.example")
        s.add_argument("--state", required=True, help="JSON state file (latest cosigned size per log)")
        s.add_argument("--port", type=int, required=True)
        s.add_argument("--host", default="127.0.0.1")
        s.add_argument("--log", action="append", default=[], help="trusted log verifier key (repeatable)")
        s.add_argument("--origin", action="append", default=[],
                       help="origin for the matching --log key (default: the key name)")
        k = sub.add_parser("key", help="create (if missing) and print a witness verifier key")
        k.add_argument("--key", required=True)
        k.add_argument("--name")

    def handle(self, *args, **opts):
        from innoreform.ledger import note, witness

        try:
            signer = witness.load_or_create_key(opts["key"], opts.get("name"), note.ALG_COSIGNATURE_V1)
        except (FileNotFoundError, note.NoteError) as exc:
            raise CommandError(str(exc)) from exc
        if opts["sub"] == "key":
            self.stdout.write(str(signer.verifier))
            return
        log_keys = opts["log"]
        if not log_keys:
            from innoreform.ledger import keys

            log_keys = [keys.verifier_key()]
        origins = opts["origin"] or []
        logs: dict[str, list[note.Verifier]] = {}
        for i, vkey in enumerate(log_keys):
            v = note.Verifier.from_string(vkey)
            logs.setdefault(origins[i] if i < len(origins) else v.name, []).append(v)
        w = witness.Witness(signer, logs, witness.StateFile(opts["state"]))
        server = witness.serve(w, opts["host"], opts["port"])
        self.stdout.write(f"witness {signer.verifier} on http://{opts['host']}:{server.server_port}/add-checkpoint "
                          f"for logs: {', '.join(logs)}")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
