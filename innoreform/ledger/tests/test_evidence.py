"""Evidence receipts: made, verified offline, failing after one byte changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from innoreform.core.actor import Actor
from innoreform.core.models import AuditEvent
from innoreform.core.testing import make_actor
from innoreform.ledger import entries, keys, note, receipts, services
from innoreform.ledger.models import Evidence

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 contract between A and B, signed 2026-11-27\n" * 50


@pytest.fixture
def deposited(django_capture_on_commit_callbacks):
    actor = make_actor()
    with django_capture_on_commit_callbacks(execute=True):
        ev = services.deposit_evidence(actor=actor, title="Contract", data=PDF, filename="contract.pdf")
    return actor, ev


def test_deposit_stores_file_entry_and_audit(deposited):
    _actor, ev = deposited
    assert ev.file.read() == PDF
    assert ev.sha256 == entries.sha256_commitment(PDF)
    assert AuditEvent.objects.filter(action="ledger.evidence_deposited", object_id=str(ev.pk)).exists()


def test_receipt_verifies_offline_and_fails_after_one_byte(deposited, tmp_path, capsys):
    actor, ev = deposited
    text = services.issue_receipt(actor=actor, evidence=ev)
    assert text.startswith("c2sp.org/tlog-proof@v1\nextra ")
    assert services.issue_receipt(actor=actor, evidence=Evidence.objects.get(pk=ev.pk)) == text  # frozen

    verdict = receipts.verify(PDF, text, log_key=keys.verifier_key(), origin=keys.origin())
    assert verdict.ok, verdict.render()
    assert len(verdict.steps) == 5

    f, r = tmp_path / "contract.pdf", tmp_path / "contract.tlog-proof"
    f.write_bytes(PDF)
    r.write_text(text)
    # offline: only the file, the receipt and the key string
    call_command("ledger", "verify-receipt", str(f), str(r), "--log-key", keys.verifier_key())
    out = capsys.readouterr().out
    assert out.count("[PASS]") == 5
    assert "[FAIL]" not in out

    changed = bytearray(PDF)
    changed[100] ^= 0x01
    f.write_bytes(bytes(changed))
    with pytest.raises(CommandError):
        call_command("ledger", "verify-receipt", str(f), str(r), "--log-key", keys.verifier_key())
    out = capsys.readouterr().out
    assert "[FAIL]" in out

    bad = receipts.verify(bytes(changed), text, log_key=keys.verifier_key())
    assert not bad.ok
    assert bad.steps[-1].ok is False


def test_receipt_fails_with_wrong_key_forged_index_or_quorum(deposited):
    actor, ev = deposited
    text = services.issue_receipt(actor=actor, evidence=ev)
    other = str(note.Signer.generate(keys.origin()).verifier)
    assert not receipts.verify(PDF, text, log_key=other).ok
    assert not receipts.verify(PDF, text.replace("index 0", "index 1"), log_key=keys.verifier_key()).ok
    w = note.Signer.generate("w.example", note.ALG_COSIGNATURE_V1)
    v = receipts.verify(PDF, text, log_key=keys.verifier_key(), witness_keys=[str(w.verifier)], quorum=1)
    assert not v.ok
    assert "0 of 1" in v.steps[-1].detail
    assert not receipts.verify(PDF, "garbage", log_key=keys.verifier_key()).ok


def test_receipt_still_verifies_after_the_log_grows(deposited):
    """The receipt is self-contained: later entries and checkpoints do not affect it."""
    actor, ev = deposited
    text = services.issue_receipt(actor=actor, evidence=ev)
    for i in range(50):
        services.append_entry(actor=Actor.system(), entry_type="test.later", object_ref=f"test.x:{i}",
                              sequence_on_commit=False)
    services.sequence_pending()
    services.publish_checkpoint(actor=Actor.system())
    assert receipts.verify(PDF, text, log_key=keys.verifier_key()).ok


def test_pages_upload_download_and_public_verify(client):
    actor = make_actor()
    client.force_login(actor.user)
    page = client.get("/ledger/evidence/")
    assert page.status_code == 200
    resp = client.post("/ledger/evidence/", {"title": "Pasted chat log", "text": "甲方同意付款 100 万元"})
    assert resp.status_code == 302, resp.content.decode()[:500]
    ev = Evidence.objects.get()
    services.sequence_pending()
    receipt = client.get(f"/ledger/evidence/{ev.uid}/receipt")
    assert receipt.status_code == 200
    assert receipt["Content-Disposition"].endswith('.tlog-proof"')
    client.logout()  # the verify page is public
    ok = client.post("/ledger/verify/", {"text": "甲方同意付款 100 万元", "receipt": SimpleUploadedFile(
        "r.tlog-proof", receipt.content)})
    assert ok.status_code == 200
    assert ok.context["verdict"].ok
    bad = client.post("/ledger/verify/", {"text": "甲方同意付款 101 万元", "receipt": SimpleUploadedFile(
        "r.tlog-proof", receipt.content)})
    assert not bad.context["verdict"].ok


def test_other_organisations_cannot_see_evidence(client, deposited):
    _actor, ev = deposited
    stranger = make_actor()
    client.force_login(stranger.user)
    assert client.get(f"/ledger/evidence/{ev.uid}/").status_code == 404
    assert client.get(f"/ledger/evidence/{ev.uid}/receipt").status_code == 404
    assert client.get(f"/ledger/evidence/{ev.uid}/file").status_code == 404


def test_attach_to_case(deposited):
    actor, ev = deposited
    services.attach_evidence_to_case(actor=actor, evidence=ev, case_ref="(2026)粤0106民初123号")
    assert Evidence.objects.get(pk=ev.pk).case_ref == "(2026)粤0106民初123号"
