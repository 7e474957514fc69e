"""Entrusted mediation (measure 2.4, item 4): choice windows, acceptance, periods, signatures."""

from datetime import date

import pytest

from innoreform.core.errors import Conflict, NotFound, ValidationFailed
from innoreform.ipcases import models as m
from innoreform.ipcases import pdfsign, services

from .conftest import ID, TODAY, file


def _entrust(world, **kw):
    f = file(world, respondent_id=world.other.organisation.pk)
    med = services.mediation_entrust(actor=world.clerk, filing_id=f.pk, organisation_id=world.med_org.pk,
                                     today=TODAY, **kw)
    return f, med


def test_parties_choose_within_2_working_days_then_the_mediator_accepts_within_3(world):
    f, med = _entrust(world)
    f.refresh_from_db()
    assert f.status == m.FilingStatus.MEDIATION and f.dispute.status == "mediation"
    assert med.select_due == date(2026, 3, 12) and med.assign_due == date(2026, 3, 17)
    with pytest.raises(ValidationFailed) as exc:
        services.mediation_select(actor=world.party, mediation_id=med.pk, mediator_id=world.mediators[1].pk,
                                  consent=False, today=TODAY, **ID)
    assert exc.value.code == "consent_required"
    med = services.mediation_select(actor=world.party, mediation_id=med.pk, mediator_id=world.mediators[1].pk,
                                    consent=True, today=TODAY, **ID)
    assert med.status == m.MediationStatus.AWAITING and med.accept_due == date(2026, 3, 13)
    assert m.IdentityCheck.objects.filter(dispute=med.dispute, stage="mediation").count() == 1
    with pytest.raises(Conflict) as exc:
        services.mediation_accept(actor=world.mediator, mediation_id=med.pk, conflict_disclosure="无",
                                  today=date(2026, 3, 16))
    assert exc.value.code == "acceptance_period_passed"
    med = services.mediation_accept(actor=world.mediator, mediation_id=med.pk, conflict_disclosure="无利益冲突",
                                    today=date(2026, 3, 12))
    assert med.status == m.MediationStatus.ACTIVE and med.period_due == date(2026, 4, 13)  # 30 days, Sat -> Mon


def test_court_assigns_only_after_the_parties_window_and_never_a_mediator_who_declined(world):
    _f, med = _entrust(world)
    with pytest.raises(Conflict) as exc:
        services.mediation_assign(actor=world.clerk, mediation_id=med.pk, mediator_id=world.mediators[0].pk,
                                  today=TODAY)
    assert exc.value.code == "parties_still_choosing"
    services.mediation_assign(actor=world.clerk, mediation_id=med.pk, mediator_id=world.mediators[0].pk,
                              today=date(2026, 3, 13))
    services.mediation_decline(actor=world.mediator, mediation_id=med.pk, reason="曾代理一方", today=date(2026, 3, 13))
    with pytest.raises(Conflict) as exc:
        services.mediation_assign(actor=world.clerk, mediation_id=med.pk, mediator_id=world.mediators[0].pk,
                                  today=date(2026, 3, 13))
    assert exc.value.code == "mediator_declined"
    med = services.mediation_assign(actor=world.clerk, mediation_id=med.pk, mediator_id=world.mediators[1].pk,
                                    today=date(2026, 3, 13))
    assert med.mediator == world.mediators[1] and med.chosen_by == "court"


def test_post_filing_periods_15_ordinary_7_simplified(world):
    f = file(world)
    case = services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="docket", today=TODAY)
    med = services.mediation_entrust(actor=world.clerk, filing_id=f.pk, organisation_id=world.med_org.pk,
                                     phase="post", procedure="simplified", today=TODAY)
    services.mediation_select(actor=world.party, mediation_id=med.pk, mediator_id=world.mediators[0].pk, consent=True,
                              today=TODAY, **ID)
    med = services.mediation_accept(actor=world.mediator, mediation_id=med.pk, conflict_disclosure="无", today=TODAY)
    assert med.period_due == date(2026, 3, 17) and case.dispute.status == "first"


def test_failed_mediation_returns_the_dispute_to_the_court_with_its_record(world):
    f, med = _entrust(world)
    services.mediation_select(actor=world.party, mediation_id=med.pk, mediator_id=world.mediators[0].pk, consent=True,
                              today=TODAY, **ID)
    services.mediation_accept(actor=world.mediator, mediation_id=med.pk, conflict_disclosure="无", today=TODAY)
    services.mediation_fail(actor=world.mediator, mediation_id=med.pk, record="双方就赔偿金额分歧较大",
                            today=date(2026, 3, 20))
    f.refresh_from_db()
    assert f.status == m.FilingStatus.SUBMITTED and f.decision_due == date(2026, 3, 27)
    assert f.dispute.status == "filing"
    case = services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="docket", today=date(2026, 3, 23))
    assert case.dispute.mediations.get().record == "双方就赔偿金额分歧较大"


def test_agreement_takes_effect_when_every_party_and_the_organisation_signed(world):
    _f, med = _entrust(world)
    services.mediation_select(actor=world.party, mediation_id=med.pk, mediator_id=world.mediators[0].pk, consent=True,
                              today=TODAY, **ID)
    services.mediation_accept(actor=world.mediator, mediation_id=med.pk, conflict_disclosure="无", today=TODAY)
    services.mediation_propose_agreement(actor=world.mediator, mediation_id=med.pk, text="被申请人赔偿10万元。")
    med = services.mediation_sign(actor=world.party, mediation_id=med.pk, **ID)
    assert med.status == m.MediationStatus.SIGNING
    with pytest.raises(Conflict):
        services.mediation_sign(actor=world.party, mediation_id=med.pk, **ID)
    services.mediation_sign(actor=world.other, mediation_id=med.pk, legal_name="李四", id_number="440106198001015678")
    med = services.mediation_sign(actor=world.mediator, mediation_id=med.pk)
    assert med.status == m.MediationStatus.SETTLED and med.effective_at is not None
    assert med.dispute.filing.status == m.FilingStatus.WITHDRAWN
    with med.agreement_pdf.open("rb") as fh:
        checks = pdfsign.validate(fh.read())
    assert len(checks) == 3 and all(c.ok for c in checks)


def test_signature_over_altered_bytes_is_refused(world):
    _f, med = _entrust(world)
    services.mediation_select(actor=world.party, mediation_id=med.pk, mediator_id=world.mediators[0].pk, consent=True,
                              today=TODAY, **ID)
    services.mediation_accept(actor=world.mediator, mediation_id=med.pk, conflict_disclosure="无", today=TODAY)
    med = services.mediation_propose_agreement(actor=world.mediator, mediation_id=med.pk, text="赔偿10万元。")
    path = med.agreement_pdf.path
    data = open(path, "rb").read().replace(b"10", b"99")
    open(path, "wb").write(data)
    with pytest.raises(Conflict) as exc:
        services.mediation_sign(actor=world.party, mediation_id=med.pk, **ID)
    assert exc.value.code == "document_altered"
    assert not m.AgreementSignature.objects.exists()


def test_a_stranger_cannot_see_or_sign(world):
    from innoreform.core.models import OrgKind
    from innoreform.core.testing import make_actor

    _f, med = _entrust(world)
    with pytest.raises(NotFound):
        services.mediation_sign(actor=make_actor(kind=OrgKind.ENTERPRISE), mediation_id=med.pk, **ID)
