"""Notarial evidence on the trust ledger and the judge's verification view (measure 2.5)."""

from datetime import date

import pytest

from innoreform.core.errors import Conflict, ValidationFailed
from innoreform.ipcases import models as m
from innoreform.ipcases import pdfsign, services, verification

from .conftest import TODAY, file

PAGE = b"<html><body>Infringing listing: sensor model ZG-200</body></html>"
CLEAN = dict.fromkeys(services.CHECKLIST, True)


@pytest.fixture
def certified(world, django_capture_on_commit_callbacks):
    f = file(world)
    r = services.notarial_request(actor=world.party, notary_id=world.notary.organisation.pk, title="网页取证",
                                  purpose="证明侵权商品在售", target_url="https://shop.example/zg-200",
                                  dispute_id=f.dispute_id, today=TODAY)
    assert r.certificate_due == date(2026, 3, 31)  # 15 working days
    with pytest.raises(ValidationFailed) as exc:
        services.notarial_capture(actor=world.notary, request_id=r.pk, filename="page.html", data=PAGE,
                                  time_source="NTSC", checklist={**CLEAN, "no_proxy": False}, metadata={})
    assert exc.value.code == "environment_not_clean"
    with django_capture_on_commit_callbacks(execute=True):
        services.notarial_capture(actor=world.notary, request_id=r.pk, filename="page.html", data=PAGE,
                                  time_source="国家授时中心 NTP", checklist=CLEAN,
                                  metadata={"url": r.target_url, "http_status": 200, "title": "ZG-200"})
    r = services.notarial_certify(actor=world.notary, request_id=r.pk)
    return world, f, r


def test_certificate_is_a_pades_pdf_a_validator_accepts(certified):
    _world, _f, r = certified
    assert r.status == m.NotarialStatus.CERTIFIED and r.receipt.startswith("c2sp.org/tlog-proof@v1")
    with r.certificate_pdf.open("rb") as fh:
        pdf = fh.read()
    checks = pdfsign.validate(pdf)
    assert len(checks) == 1 and checks[0].ok and checks[0].covers_whole_file
    assert r.deadlines.get().status == m.DeadlineStatus.MET
    tampered = pdf.replace(r.sha256.encode(), r.sha256.encode()[:-4] + b"0000")
    assert not pdfsign.validate(tampered)[0].intact


def test_judge_view_says_what_is_proven(certified):
    _world, _f, r = certified
    rep = verification.verify_request(r)
    assert rep.ok, rep.steps
    assert any("byte for byte" in str(p) for p in rep.proven)
    assert any("true" in str(n) for n in rep.not_proven)


def test_a_file_that_does_not_match_its_receipt_is_reported(certified):
    _world, _f, r = certified
    rep = verification.verify_request(r, data=PAGE.replace(b"ZG-200", b"ZG-300"))
    assert not rep.ok
    assert any("does NOT match" in str(n) for n in rep.not_proven)


def test_certify_twice_is_refused(certified):
    world, _f, r = certified
    with pytest.raises(Conflict):
        services.notarial_certify(actor=world.notary, request_id=r.pk)


def test_signing_and_validating_work_inside_a_running_event_loop():
    """A caller whose thread runs an event loop (the browser tests' Playwright, an ASGI server)
    still gets signed, valid PDFs: pyHanko's own asyncio.run would refuse there."""
    import asyncio

    async def inside_a_loop():
        pdf = pdfsign.make_pdf("Loop", ["signed while a loop runs"])
        signed = pdfsign.sign(pdf, org_id=1, org_name="Loop test notary", field="Notary", reason="test")
        return pdfsign.validate(signed)

    checks = asyncio.run(inside_a_loop())
    assert [check.ok for check in checks] == [True]
