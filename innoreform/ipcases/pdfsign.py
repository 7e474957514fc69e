"""PDF documents (mediation agreements, notarial certificates, rulings) with PAdES signatures
(pyHanko), and their validation as a standard validator does it.

Keys: a demo certificate authority and one signing certificate per organisation, generated on
first use under VAR_DIR/ipcases-pki (mode 0600, never committed). A deployment replaces them with
certificates from a licensed CA (电子认证服务机构) by putting its files at the same paths.
"""

import asyncio
import datetime as dt
import hashlib
import io
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

_lock = threading.Lock()


def pki_dir() -> Path:
    path = Path(settings.VAR_DIR) / "ipcases-pki"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "InnoReform demo PKI"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _issue(subject: str, key, issuer_name: x509.Name, issuer_key, *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650 if ca else 1825))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                        critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                                        critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def ca_paths() -> tuple[Path, Path]:
    d = pki_dir()
    key_path, cert_path = d / "ca.key", d / "ca.pem"
    with _lock:
        if not cert_path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            cert = _issue("InnoReform demo signing CA", key, _name("InnoReform demo signing CA"), key, ca=True)
            _write_private(key_path, _pem_key(key))
            cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def signer_paths(org_id: int, common_name: str) -> tuple[Path, Path]:
    ca_key_path, ca_cert_path = ca_paths()
    d = pki_dir()
    key_path, cert_path = d / f"org-{org_id}.key", d / f"org-{org_id}.pem"
    with _lock:
        if not cert_path.exists():
            ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), None)
            ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
            key = ec.generate_private_key(ec.SECP256R1())
            cert = _issue(common_name[:64], key, ca_cert.subject, ca_key, ca=False)
            _write_private(key_path, _pem_key(key))
            cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def _pdf_string(text: str) -> str:
    # The base-14 fonts carry Latin-1 only: other characters are written as \uXXXX so the text
    # stays readable and exact (the Chinese original is in the record the PDF's hash covers).
    out = []
    for ch in text:
        if ch in "()\\":
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append(f"\\\\u{ord(ch):04x}")
    return "".join(out)


def make_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF with a title and lines of text (PDF 1.7, classic xref)."""
    rows = [f"BT /F1 16 Tf 56 780 Td ({_pdf_string(title)}) Tj ET"]
    y = 750
    for line in lines:
        for start in range(0, max(len(line), 1), 95):
            rows.append(f"BT /F1 10 Tf 56 {y} Td ({_pdf_string(line[start:start + 95])}) Tj ET")
            y -= 14
            if y < 60:
                break
    stream = "\n".join(rows).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _off_the_event_loop(fn, *args):
    """pyHanko's synchronous calls run asyncio.run, which refuses to start inside a running event
    loop (a thread driving Playwright, an ASGI server): there, run them on a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def sign(pdf: bytes, *, org_id: int, org_name: str, field: str, reason: str) -> bytes:
    """Add a PAdES baseline signature (ETSI.CAdES.detached) in a new incremental revision, so
    earlier signatures stay valid and each signer's revision is provable."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key_path, cert_path = signer_paths(org_id, org_name)
    _ca_key, ca_cert = ca_paths()
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path), ca_chain_files=(str(ca_cert),))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name=field, reason=reason[:100],
                                        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
    out = _off_the_event_loop(signers.PdfSigner(meta, signer=signer).sign_pdf, writer)
    return out.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    field: str
    signer: str
    intact: bool  # the signed bytes hash to what the signature covers
    valid: bool  # the cryptographic signature checks
    trusted: bool  # the certificate chains to a trusted root
    covers_whole_file: bool  # no bytes were added after this signature (other than later signatures)
    modification: str
    signed_at: str

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


def validate(pdf: bytes) -> list[SignatureCheck]:
    """Every signature in the PDF, validated against the trusted CA (pyHanko's validator, as
    `pyhanko sign validate --trust ca.pem` runs it). A PDF that cannot be parsed raises ValueError."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleTrustManager

    _ca_key, ca_cert_path = ca_paths()
    ca = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
    from asn1crypto import x509 as asn1_x509

    root = asn1_x509.Certificate.load(ca.public_bytes(serialization.Encoding.DER))
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = list(reader.embedded_signatures)
    except Exception as exc:  # pyHanko raises several parse errors; all mean "not a readable PDF"
        raise ValueError(str(exc)) from exc
    checks = []
    for sig in sigs:
        vc = ValidationContext(trust_manager=SimpleTrustManager.build(trust_roots=[root]), allow_fetching=False)
        try:
            status = _off_the_event_loop(validate_pdf_signature, sig, vc)
        except Exception as exc:  # a mangled signature is reported, not raised
            checks.append(SignatureCheck(sig.field_name, "", False, False, False, False, str(exc)[:200], ""))
            continue
        level = status.modification_level.name if status.modification_level is not None else ""
        checks.append(SignatureCheck(
            field=sig.field_name, signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
            intact=bool(status.intact), valid=bool(status.valid), trusted=bool(status.trusted),
            covers_whole_file=status.coverage.name in ("ENTIRE_FILE", "ENTIRE_REVISION")
            and level in ("NONE", "LTA_UPDATES", "FORM_FILLING"),
            modification=level, signed_at=status.signer_reported_dt.isoformat() if status.signer_reported_dt else ""))
    return checks


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()
