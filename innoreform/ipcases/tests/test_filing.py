"""Filing at a service point and the court's decision (measure 2.4, item 1)."""

from datetime import date

import pytest

from innoreform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innoreform.core.models import AuditEvent, OrgKind, Role
from innoreform.core.testing import make_actor, make_org
from innoreform.ipcases import models as m
from innoreform.ipcases import selectors, services

from .conftest import ID, TODAY, file


def test_filing_records_consent_identity_documents_and_the_7_day_decision(world):
    f = file(world)
    d = f.dispute
    assert d.platform_id == f"GDIP-2026-{d.pk:06d}"
    assert f.status == m.FilingStatus.SUBMITTED and f.decision_due == date(2026, 3, 17)
    assert m.Consent.objects.filter(dispute=d, organisation=world.party.organisation, stage="filing").count() == 1
    assert m.IdentityCheck.objects.filter(dispute=d, stage="filing", passed=True).count() == 1
    assert f.documents.count() == 1 and f.complaint_sha256.startswith("sha256:")
    dl = d.deadlines.get(kind=m.DeadlineKind.FILING_DECISION)
    assert dl.owner == world.court.organisation and dl.policy_version == 1 and dl.calendar_version == 1
    assert AuditEvent.objects.filter(action="ipcases.filing_submitted").count() == 1


def test_filing_without_consent_is_refused_and_writes_nothing(world):
    with pytest.raises(ValidationFailed) as exc:
        file(world, consent=False)
    assert exc.value.code == "consent_required"
    assert not m.Dispute.objects.exists() and not m.PartyIdentity.objects.exists()


def test_identity_is_rechecked_at_each_stage(world):
    file(world)
    with pytest.raises(ValidationFailed) as exc:
        file(world, id_number="440106199001019999")
    assert exc.value.code == "identity_mismatch"
    assert m.Dispute.objects.count() == 1  # the second filing rolled back entirely


def test_only_parties_file_and_others_do_not_see_the_dispute(world):
    with pytest.raises(PermissionDenied):
        file(world, actor=world.clerk)
    f = file(world)
    with pytest.raises(NotFound):
        selectors.dispute_get(actor=world.other, dispute_id=f.dispute_id)
    assert selectors.dispute_get(actor=world.clerk, dispute_id=f.dispute_id) == f.dispute


def test_docketing_gives_the_courts_case_number_and_its_deadlines(world):
    f = file(world)
    case = services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="docket", today=TODAY)
    assert case.number == "(2026)粤73民初1号"
    assert case.dispute.platform_id == f.dispute.platform_id
    kinds = set(case.deadlines.values_list("kind", flat=True))
    assert kinds == {"trial_limit", "answer", "evidence"}
    assert case.trial_limit_due == date(2026, 9, 10)
    assert f.dispute.deadlines.get(kind="filing_decision").status == m.DeadlineStatus.MET
    f2 = file(world)
    assert services.filing_decide(actor=world.clerk, filing_id=f2.pk, decision="docket", today=TODAY).number == (
        "(2026)粤73民初2号")


def test_docketing_twice_gives_one_number(world):
    f = file(world)
    services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="docket", today=TODAY)
    with pytest.raises(Conflict) as exc:
        services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="docket", today=TODAY)
    assert exc.value.code == "already_decided"
    assert m.Case.objects.count() == 1 and m.CaseCounter.objects.get().last_serial == 1


def test_one_consolidated_correction_then_docket_or_refuse(world):
    f = file(world)
    with pytest.raises(ValidationFailed):
        services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="correct", today=TODAY)
    services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="correct",
                           items=["补充营业执照", "明确赔偿金额"], today=TODAY)
    f.refresh_from_db()
    assert f.status == m.FilingStatus.CORRECTION and len(f.correction_items) == 2
    services.filing_correct(actor=world.party, filing_id=f.pk, note="已补充", consent=True,
                            documents=[("营业执照", "licence.pdf", b"licence")], today=date(2026, 3, 12), **ID)
    f.refresh_from_db()
    assert f.status == m.FilingStatus.SUBMITTED and f.decision_due == date(2026, 3, 19)
    with pytest.raises(Conflict) as exc:
        services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="correct", items=["再补"], today=TODAY)
    assert exc.value.code == "correction_already_issued"
    with pytest.raises(ValidationFailed):
        services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="refuse", reasons=" ", today=TODAY)
    services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="refuse", reasons="不属于本院管辖", today=TODAY)
    f.refresh_from_db()
    assert f.status == m.FilingStatus.REFUSED and f.dispute.status == m.DisputeStatus.REFUSED


def test_other_courts_cannot_decide(world):
    f = file(world)
    stranger = make_actor(kind=OrgKind.COURT, role=Role.APPROVER)
    with pytest.raises(NotFound):
        services.filing_decide(actor=stranger, filing_id=f.pk, decision="docket", today=TODAY)
    with pytest.raises(PermissionDenied):
        services.filing_decide(actor=make_actor(org=world.court.organisation, role=Role.MEMBER), filing_id=f.pk,
                               decision="docket", today=TODAY)


def test_appeal_links_second_instance_to_the_same_dispute_id(world):
    f = file(world)
    first = services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="docket", today=TODAY)
    high = m.CourtProfile.objects.create(organisation=make_org(kind=OrgKind.COURT), code="粤")
    second = services.case_appeal(actor=world.clerk, case_id=first.pk, appellate_court_id=high.pk,
                                  today=date(2026, 9, 1))
    assert second.number == "(2026)粤民终1号" and second.lower == first and second.dispute == first.dispute
    assert second.trial_limit_due == date(2026, 12, 1)
    with pytest.raises(Conflict):
        services.case_appeal(actor=world.clerk, case_id=first.pk, appellate_court_id=high.pk, today=date(2026, 9, 1))


def test_deadline_set_refuses_past_and_respects_no_domicile(world):
    f = file(world, respondent_has_domicile=False)
    case = services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="docket", today=TODAY)
    assert case.deadlines.get(kind="answer").due_on == date(2026, 4, 9)  # 30 days without a domicile
    with pytest.raises(ValidationFailed) as exc:
        services.deadline_set(actor=world.clerk, case_id=case.pk, kind="appeal_judgment", starts_on=date(2026, 1, 5),
                              today=TODAY)
    assert exc.value.code == "deadline_in_past"
    d = services.deadline_set(actor=world.clerk, case_id=case.pk, kind="appeal_ruling", starts_on=TODAY, today=TODAY)
    assert d.due_on == date(2026, 4, 9)


def test_excluded_period_moves_the_trial_limit(world):
    f = file(world)
    case = services.filing_decide(actor=world.clerk, filing_id=f.pk, decision="docket", today=TODAY)
    e = services.excluded_period_start(actor=world.judge, case_id=case.pk, kind="appraisal",
                                       starts_on=date(2026, 4, 1), today=date(2026, 4, 1))
    services.excluded_period_end(actor=world.judge, period_id=e.pk, ends_on=date(2026, 4, 20), today=date(2026, 4, 21))
    case.refresh_from_db()
    assert case.trial_limit_due == date(2026, 9, 30)
    assert case.deadlines.get(kind="trial_limit").due_on == date(2026, 9, 30)


def test_reminders_before_the_deadline_and_lapse_after(world):
    from innoreform.core.models import Notification

    f = file(world)  # decision due 17 March
    before = Notification.objects.filter(message_id="ipcases.deadline_due").count()
    assert services.remind_and_lapse(today=date(2026, 3, 14))["reminded"] == 1  # 3 days before
    assert services.remind_and_lapse(today=date(2026, 3, 14))["reminded"] == 0  # once a day
    assert Notification.objects.filter(message_id="ipcases.deadline_due").count() > before
    assert services.remind_and_lapse(today=date(2026, 3, 18))["lapsed"] == 1
    assert selectors.deadline_list(actor=world.clerk, overdue=True).filter(dispute=f.dispute).exists()
