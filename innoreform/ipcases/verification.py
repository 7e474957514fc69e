"""The judge's view of a piece of evidence: the file against its ledger receipt, the log's
signed checkpoint and the witnesses' cosignatures, and the notary's PDF signature, then in plain
words what that proves and what it does not."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from innoreform.ledger import keys, receipts

from . import models as m
from . import pdfsign


@dataclass
class EvidenceReport:
    steps: list = field(default_factory=list)  # (ok, title, detail)
    proven: list[str] = field(default_factory=list)
    not_proven: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(ok for ok, _t, _d in self.steps)


def verify_request(r: m.NotarialRequest, *, data: bytes | None = None) -> EvidenceReport:
    """`data` defaults to the stored file; pass other bytes to check a copy a party produced."""
    rep = EvidenceReport()
    if not r.receipt:
        rep.steps.append((False, _("Ledger receipt"), _("No receipt yet: the evidence is not certified.")))
        rep.not_proven.append(_("Nothing is proven until the notary issues the certificate and receipt."))
        return rep
    if data is None:
        with r.file.open("rb") as f:
            data = f.read()
    # The file, the entry and the log's signature are checked on their own, so that a checkpoint
    # cosigned by fewer witnesses than required still says what the file proves; the witness
    # step from the full check is then reported beside it.
    verdict = receipts.verify(data, r.receipt, log_key=keys.verifier_key(), origin=keys.origin())
    for s in verdict.steps:
        rep.steps.append((s.ok, s.title, s.detail))
    witnessed = False
    if settings.LEDGER_QUORUM > 0:
        full = receipts.verify(data, r.receipt, log_key=keys.verifier_key(), origin=keys.origin(),
                               witness_keys=[str(w.verifier) for w in keys.witnesses()],
                               quorum=settings.LEDGER_QUORUM)
        title = _("Check the witnesses' cosignatures")
        for s in full.steps:
            if s.title == title:
                rep.steps.insert(2, (s.ok, s.title, s.detail))
                witnessed = s.ok
    if verdict.ok:
        entry = verdict.entry or {}
        rep.proven.append(_("The file you are looking at is, byte for byte, the file whose SHA-256 was written to "
                            "the trust ledger at %(time)s (UTC).") % {"time": entry.get("time", "?")})
        rep.proven.append(_("That ledger entry is inside the log the platform signed; the log cannot have removed or "
                            "changed it since without the signed checkpoint showing it."))
        if witnessed:
            rep.proven.append(_("Independent witnesses cosigned the checkpoint, so the platform could not have shown "
                                "a different log to someone else."))
        else:
            rep.not_proven.append(_("Independent witnesses did not cosign this receipt's checkpoint (or no quorum is "
                                    "configured): it rests on the platform's own signature."))
    else:
        rep.not_proven.append(_("The file does NOT match its receipt, or the receipt does not verify: treat it as "
                                "unpreserved."))
    # The notary's certificate: a PAdES signature over the PDF.
    if r.certificate_pdf:
        with r.certificate_pdf.open("rb") as f:
            pdf = f.read()
        try:
            checks = pdfsign.validate(pdf)
        except ValueError as exc:
            checks = []
            rep.steps.append((False, _("Notary's signature on the certificate"), str(exc)[:200]))
        for c in checks:
            rep.steps.append((c.ok and c.covers_whole_file, _("Notary's signature on the certificate"),
                              _("%(signer)s; intact %(i)s, valid %(v)s, trusted %(t)s, covers the whole document %(w)s")
                              % {"signer": c.signer, "i": c.intact, "v": c.valid, "t": c.trusted,
                                 "w": c.covers_whole_file}))
        if not checks:
            rep.steps.append((False, _("Notary's signature on the certificate"),
                              _("The certificate carries no signature.")))
        names_hash = r.sha256.encode() in pdf
        rep.steps.append((names_hash, _("The certificate names this file's hash"), r.sha256))
        if checks and all(c.ok and c.covers_whole_file for c in checks) and names_hash:
            rep.proven.append(_("The notary office signed a certificate naming this exact file; the certificate has "
                                "not been altered since it was signed."))
        else:
            rep.not_proven.append(_("The notarial certificate does not verify: its signature or content is wrong."))
    rep.not_proven += [
        _("That what the web page showed was true, or who put it there: the capture proves what was shown, not "
          "that it is right."),
        _("What happened before the capture: the clean-environment checklist is the notary's statement, "
          "presumed correct unless rebutted."),
        _("The capture time beyond the ledger's clock and the notary's named time source (no RFC 3161 "
          "time-stamp is attached here)."),
        _("Relevance and weight: those remain for the court."),
    ]
    return rep
