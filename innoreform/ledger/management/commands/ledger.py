"""`innoreform ledger <subcommand>`: key, verify, verify-receipt, sequence, checkpoint."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Trust ledger: print the verifier key, verify the log, verify a receipt offline, sequence, checkpoint."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        k = sub.add_parser("key", help="print the log's origin and verifier key (creates the key file if missing)")
        k.add_argument("--vkey", action="store_true", help="print only the verifier key string")
        sub.add_parser("verify", help="recompute every hash and check every checkpoint; names the first bad index")
        r = sub.add_parser("verify-receipt", help="check a file against a tlog-proof receipt, offline")
        r.add_argument("file", help="the preserved file (use - with --sha256 to give only its hash)")
        r.add_argument("receipt", help="the .tlog-proof receipt")
        r.add_argument("--log-key", help="the log's verifier key (default: this deployment's key)")
        r.add_argument("--origin", help="the expected log origin")
        r.add_argument("--witness-key", action="append", default=[], help="a trusted witness verifier key")
        r.add_argument("--quorum", type=int, default=None, help="cosignatures required (default: settings)")
        r.add_argument("--sha256", help="the file's SHA-256 in hex, instead of reading the file")
        r.add_argument("--tsr", help="an RFC 3161 time-stamp token (.tsr) over the receipt's checkpoint")
        r.add_argument("--tsa-cert", help="the TSA's CA certificate (PEM) to check the token's signature with openssl")
        s = sub.add_parser("sequence", help="integrate queued entries now")
        s.add_argument("--batch", type=int, default=256)
        c = sub.add_parser("checkpoint", help="sign the current head and gather witness cosignatures")
        c.add_argument("--no-push", action="store_true")

    def handle(self, *args, **opts):
        return getattr(self, "_" + opts["sub"].replace("-", "_"))(opts)

    def _key(self, opts):
        from innoreform.ledger import keys

        if opts["vkey"]:
            self.stdout.write(keys.verifier_key())
            return
        self.stdout.write(f"origin: {keys.origin()}")
        for s in keys.signers():
            self.stdout.write(f"verifier key: {s.verifier}")

    def _verify(self, opts):
        from innoreform.ledger.verify import verify_log

        rep = verify_log()
        self.stdout.write(f"entries checked: {rep.checked_entries} of {rep.size}; subtree hashes: "
                          f"{rep.checked_nodes}; checkpoints: {rep.checked_checkpoints}")
        if rep.ok:
            self.stdout.write(self.style.SUCCESS("OK: the log is intact"))
            return
        for index, msg in rep.problems:
            self.stdout.write(self.style.ERROR(f"BAD{'' if index is None else f' at index {index}'}: {msg}"))
        first = rep.first_bad_index
        raise CommandError("the log does not verify" + ("" if first is None else f"; first bad index: {first}"))

    def _verify_receipt(self, opts):
        from django.conf import settings

        from innoreform.ledger import keys, receipts

        receipt_text = Path(opts["receipt"]).read_text(encoding="utf-8")
        data, content_hash = None, None
        if opts["sha256"]:
            content_hash = "sha256:" + opts["sha256"].lower()
        elif opts["file"] == "-":
            data = sys.stdin.buffer.read()
        else:
            data = Path(opts["file"]).read_bytes()
        log_key = opts["log_key"] or keys.verifier_key()
        witness_keys = opts["witness_key"] or [str(w.verifier) for w in keys.witnesses()]
        quorum = settings.LEDGER_QUORUM if opts["quorum"] is None else opts["quorum"]
        verdict = receipts.verify(data, receipt_text, log_key=log_key, witness_keys=witness_keys, quorum=quorum,
                                  content_hash=content_hash, origin=opts["origin"],
                                  tsa_token=Path(opts["tsr"]).read_bytes() if opts["tsr"] else None,
                                  tsa_ca_file=opts["tsa_cert"])
        self.stdout.write(verdict.render())
        if not verdict.ok:
            raise CommandError("receipt does not verify")

    def _sequence(self, opts):
        from innoreform.ledger import services

        n = services.sequence_pending(batch_size=opts["batch"])
        self.stdout.write(f"integrated {n} entries")

    def _checkpoint(self, opts):
        from innoreform.core.actor import Actor
        from innoreform.ledger import services

        cp = services.publish_checkpoint(actor=Actor.system(), push=not opts["no_push"])
        self.stdout.write(cp.note)
        self.stdout.write(f"size {cp.size}, cosignatures {cp.cosignatures}, quorum reached: {cp.cosigned}")
