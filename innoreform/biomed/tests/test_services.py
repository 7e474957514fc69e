"""Items 1–5 of issue #25 through the services: levelling, automatic decisions, risk assessment
with maker-checker, write-off with every refusal writing nothing, follow-ups and the white list."""

from datetime import timedelta

import pytest

from innoreform.biomed import models as m
from innoreform.biomed import rules, selectors, services
from innoreform.core import services as core_services
from innoreform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innoreform.core.models import AuditEvent, OrgKind, Role
from innoreform.core.testing import make_actor

from .conftest import CELL_LINE, TODAY, TOXIN, apply, attachments_for, declare


def test_item_registration_checks_codes_and_duplicates(enterprise):
    with pytest.raises(ValidationFailed) as exc:
        services.item_register(actor=enterprise, **{**CELL_LINE, "hs_code": "30029"})
    assert "hs_code" in exc.value.details
    with pytest.raises(ValidationFailed):
        services.item_register(actor=enterprise, **{**CELL_LINE, "pathogen_class": "5"})
    services.item_register(actor=enterprise, **CELL_LINE)
    with pytest.raises(Conflict):
        services.item_register(actor=enterprise, **CELL_LINE)
    customs = make_actor(kind=OrgKind.CUSTOMS, role=Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        services.item_register(actor=customs, **CELL_LINE)


def test_levelling_follows_the_brief():
    params = rules.LevelParams(**rules.DEFAULTS)
    cases = [
        (m.Category.MICROORGANISM, "2", m.Material.CULTURE, "A"),
        (m.Category.HUMAN_TISSUE, "none", m.Material.TISSUE, "A"),
        (m.Category.BLOOD, "none", m.Material.BLOOD, "A"),
        (m.Category.BIOLOGICAL_PRODUCT, "none", m.Material.GENETIC_RESOURCE, "A"),
        (m.Category.MICROORGANISM, "3", m.Material.CULTURE, "B"),
        (m.Category.MICROORGANISM, "unknown", m.Material.CULTURE, "B"),
        (m.Category.BIOLOGICAL_PRODUCT, "none", m.Material.TOXIN, "B"),
        (m.Category.BIOLOGICAL_PRODUCT, "none", m.Material.CRUDE_PROTEIN, "B"),
        (m.Category.MICROORGANISM, "4", m.Material.CULTURE, "C"),
        (m.Category.BIOLOGICAL_PRODUCT, "none", m.Material.CELL_LINE, "C"),
        (m.Category.BIOLOGICAL_PRODUCT, "none", m.Material.PURIFIED_PROTEIN, "C"),
        (m.Category.BIOLOGICAL_PRODUCT, "none", m.Material.APPROVED_DRUG, "D"),
        (m.Category.BIOLOGICAL_PRODUCT, "none", m.Material.OTHER, "B"),  # no rule: the default, assessed
    ]
    for category, pathogen, material, level in cases:
        assert rules.level_of(params, category=category, pathogen_class=pathogen, material=material).level == level


def test_c_level_is_approved_automatically_with_the_rule_shown(enterprise, cell_line):
    application = apply(enterprise, cell_line)
    assert application.status == m.ApplicationStatus.APPROVED and application.automatic
    assert (application.level, application.level_rule, application.policy_version) == ("C", "c_cell_protein", 1)
    texts = [services.explain(c) for c in application.checks]
    assert any("c_cell_protein" not in t and "商品化细胞系" in t for t in texts)
    assert any("自动批准" in t for t in texts)  # zh-hans, the default language
    approval = application.approval
    assert approval.quantity == 30 and approval.unit == m.Unit.VIAL and not approval.single_use
    assert (approval.valid_from, approval.valid_until) == (TODAY, TODAY.replace(year=2027) - timedelta(days=1))
    assert approval.ports == [m.Port.BAIYUN] and approval.policy_version == 1
    assert AuditEvent.objects.filter(action="biomed.application_submitted", object_id=str(application.pk)).exists()


def test_missing_attachments_are_named_and_nothing_is_written(enterprise, cell_line):
    with pytest.raises(ValidationFailed) as exc:
        services.application_submit(actor=enterprise, item_id=cell_line.pk, quantity=1, unit=m.Unit.VIAL,
                                    ports=[m.Port.BAIYUN], origin="美国", purpose="x",
                                    attachments=attachments_for("C")[:1], on=TODAY)
    assert exc.value.code == "attachments_missing" and exc.value.details == {"attachments": ["use_statement"]}
    assert not m.Application.objects.exists()


def test_three_batches_then_the_fourth_over_quantity_is_refused(enterprise, c_approval):
    for i, quantity in enumerate((10, 10, 8), start=1):
        batch = declare(enterprise, c_approval, f"51412026000000{i}", quantity)
    assert batch.balance_after == 2
    with pytest.raises(Conflict) as exc:
        declare(enterprise, c_approval, "514120260000004", 5)
    assert exc.value.code == "over_quantity" and exc.value.details == {"balance": 2, "requested": 5}
    assert "2" in str(exc.value.message) and c_approval.number in str(exc.value.message)
    ledger = list(selectors.batch_list(actor=enterprise, approval_id=c_approval.pk))
    assert [(b.declaration_no, b.quantity, b.balance_after) for b in ledger] == [
        ("514120260000001", 10, 20), ("514120260000002", 10, 10), ("514120260000003", 8, 2)]
    c_approval.refresh_from_db()
    assert c_approval.written_off == 28 and c_approval.status == m.ApprovalStatus.ACTIVE
    declare(enterprise, c_approval, "514120260000005", 2)
    c_approval.refresh_from_db()
    assert c_approval.status == m.ApprovalStatus.CLOSED and c_approval.balance == 0


@pytest.mark.parametrize(("change", "code"), [
    ({"on": TODAY.replace(year=2027)}, "approval_expired"),
    ({"port": m.Port.NANSHA}, "port_not_approved"),
    ({"port": "nowhere"}, "port_not_approved"),
    ({"unit": m.Unit.ML}, "unit_mismatch"),
    ({"quantity": 31}, "over_quantity"),
])
def test_bad_batches_are_refused_and_write_nothing(enterprise, c_approval, change, code):
    declare(enterprise, c_approval, "514120260000001", 1)
    before = list(AuditEvent.objects.values_list("id", flat=True))
    args = {"quantity": 1, **change}
    quantity = args.pop("quantity")
    with pytest.raises((Conflict, ValidationFailed)) as exc:
        declare(enterprise, c_approval, "514120260000009", quantity, **args)
    assert exc.value.code == code
    c_approval.refresh_from_db()
    assert c_approval.written_off == 1 and m.Batch.objects.count() == 1
    assert list(AuditEvent.objects.values_list("id", flat=True)) == before


def test_revoked_approval_and_duplicate_declarations_are_refused(enterprise, approver, c_approval):
    declare(enterprise, c_approval, "514120260000001", 1)
    with pytest.raises(Conflict) as exc:
        declare(enterprise, c_approval, "514120260000001", 1)
    assert exc.value.code == "declaration_duplicate"
    with pytest.raises(PermissionDenied):
        services.approval_revoke(actor=enterprise, approval_id=c_approval.pk, reason="x")
    services.approval_revoke(actor=approver, approval_id=c_approval.pk, reason="储存条件不符")
    with pytest.raises(Conflict) as exc:
        declare(enterprise, c_approval, "514120260000002", 1)
    assert exc.value.code == "approval_revoked" and "储存条件不符" in str(exc.value.message)
    assert m.Batch.objects.count() == 1


def test_another_enterprise_cannot_see_or_write_off(enterprise, c_approval):
    stranger = make_actor(kind=OrgKind.ENTERPRISE)
    with pytest.raises(NotFound):
        selectors.approval_get(actor=stranger, approval_id=c_approval.pk)
    with pytest.raises(NotFound):
        declare(stranger, c_approval, "514120260000001", 1)
    with pytest.raises(NotFound):
        apply(stranger, c_approval.item)
    bank = make_actor(kind=OrgKind.BANK)
    assert not selectors.approval_list(actor=bank).exists()


def test_b_level_goes_through_assessment_by_one_and_decision_by_another(enterprise, reviewer, approver):
    item = services.item_register(actor=enterprise, **TOXIN)
    application = apply(enterprise, item, quantity=50, unit=m.Unit.MG, level="B")
    assert (application.level, application.status) == ("B", m.ApplicationStatus.ASSESSING)
    assert not hasattr(application, "approval") or not m.Approval.objects.exists()
    with pytest.raises(Conflict):  # not assessed yet
        services.application_decide(actor=approver, application_id=application.pk, approve=True)
    with pytest.raises(PermissionDenied):
        services.application_assess(actor=enterprise, application_id=application.pk, findings="x")
    services.application_assess(actor=approver, application_id=application.pk, findings="实验室 BSL-2 合格",
                                conditions="仅限本单位实验室使用")
    with pytest.raises(PermissionDenied) as exc:  # the assessor does not decide
        services.application_decide(actor=approver, application_id=application.pk, approve=True)
    assert exc.value.code == "maker_checker"
    with pytest.raises(PermissionDenied):  # a reviewer cannot decide
        services.application_decide(actor=reviewer, application_id=application.pk, approve=True)
    other = make_actor(org=approver.organisation, role=Role.APPROVER)
    decided = services.application_decide(actor=other, application_id=application.pk, approve=True, on=TODAY)
    approval = decided.approval
    assert (approval.level, approval.single_use, approval.conditions) == ("B", False, "仅限本单位实验室使用")
    assert approval.valid_until == TODAY.replace(month=9) - timedelta(days=1)
    # Entry opens the follow-ups; a second batch does not add more.
    declare(enterprise, approval, "514120260000001", 20, unit=m.Unit.MG)
    declare(enterprise, approval, "514120260000002", 20, unit=m.Unit.MG)
    follow_ups = list(m.FollowUp.objects.filter(approval=approval).order_by("kind"))
    assert sorted(f.kind for f in follow_ups) == ["disposal", "storage", "use"]
    storage = next(f for f in follow_ups if f.kind == m.FollowUpKind.STORAGE)
    assert storage.due_on == TODAY + timedelta(days=30)
    # Overdue ones escalate; the enterprise reports, customs closes.
    assert services.followups_escalate_due(actor=reviewer, on=TODAY + timedelta(days=31)) == 1
    storage.refresh_from_db()
    assert storage.status == m.FollowUpStatus.ESCALATED
    assert list(selectors.follow_ups_overdue(actor=reviewer, on=TODAY + timedelta(days=31))) == [storage]
    services.followup_report(actor=enterprise, follow_up_id=storage.pk, report="液氮罐 2 号，台账齐全")
    with pytest.raises(NotFound):
        services.followup_report(actor=make_actor(kind=OrgKind.ENTERPRISE), follow_up_id=storage.pk, report="x")
    services.followup_close(actor=reviewer, follow_up_id=storage.pk, result="现场核查符合")
    storage.refresh_from_db()
    assert storage.status == m.FollowUpStatus.CLOSED


def test_a_level_is_single_use_and_closed_by_its_first_batch(enterprise, reviewer, approver):
    item = services.item_register(actor=enterprise, **{**CELL_LINE, "name": "人血清样本", "category": m.Category.BLOOD,
                                                       "material": m.Material.BLOOD})
    application = apply(enterprise, item, quantity=10, unit=m.Unit.TUBE, level="A")
    assert application.level == "A"
    services.application_assess(actor=reviewer, application_id=application.pk, findings="ok")
    approval = services.application_decide(actor=approver, application_id=application.pk, approve=True,
                                           on=TODAY).approval
    assert approval.single_use and approval.valid_until == TODAY.replace(month=6) - timedelta(days=1)
    declare(enterprise, approval, "514120260000001", 4, unit=m.Unit.TUBE)
    approval.refresh_from_db()
    assert approval.status == m.ApprovalStatus.CLOSED and approval.balance == 6
    with pytest.raises(Conflict) as exc:
        declare(enterprise, approval, "514120260000002", 1, unit=m.Unit.TUBE)
    assert exc.value.code == "approval_closed"


def test_d_level_checks_the_approval_held(enterprise):
    drug = {**CELL_LINE, "name": "人用狂犬病疫苗", "material": m.Material.APPROVED_DRUG}
    without = services.item_register(actor=enterprise, **drug)
    returned = apply(enterprise, without, level="D")
    assert (returned.level, returned.status) == ("D", m.ApplicationStatus.RETURNED)
    held = services.item_register(actor=enterprise, **{**drug, "specification": "1 剂/支",
                                                         "other_approvals": "国药准字S20260001"})
    approved = apply(enterprise, held, level="D")
    assert approved.status == m.ApplicationStatus.APPROVED and approved.automatic
    assert "国药准字S20260001" in services.explain(approved.checks[-1])


def test_white_list_waives_the_assessment_step_and_removal_keeps_reasons(enterprise, approver):
    item = services.item_register(actor=enterprise, **TOXIN)
    with pytest.raises(PermissionDenied):
        services.whitelist_add(actor=enterprise, enterprise_id=enterprise.organisation_id, reason="x")
    entry = services.whitelist_add(actor=approver, enterprise_id=enterprise.organisation_id, item_id=item.pk,
                                   reason="三年无违规，信用 A 类")
    fast = apply(enterprise, item, quantity=5, unit=m.Unit.MG, level="B")
    assert fast.whitelisted and fast.status == m.ApplicationStatus.AWAITING_DECISION
    services.whitelist_remove(actor=approver, entry_id=entry.pk, reason="储存记录缺失")
    entry.refresh_from_db()
    assert entry.removal_reason == "储存记录缺失" and entry.removed_by == approver.user
    with pytest.raises(Conflict):
        services.whitelist_remove(actor=approver, entry_id=entry.pk, reason="again")
    slow = apply(enterprise, item, quantity=5, unit=m.Unit.MG, level="B")
    assert not slow.whitelisted and slow.status == m.ApplicationStatus.ASSESSING
    assert list(selectors.whitelist(actor=enterprise)) == [entry]


def test_relevelling_is_a_new_version_with_maker_checker_and_decisions_keep_theirs(enterprise, cell_line):
    first = apply(enterprise, cell_line)
    maker = make_actor(kind=OrgKind.DEPARTMENT, role=Role.APPROVER)
    checker = make_actor(org=maker.organisation, role=Role.APPROVER)
    params = rules.LevelParams(**rules.DEFAULTS).model_dump(mode="json")
    for rule in params["classification"]:
        if rule["key"] == "c_cell_protein":
            rule["level"] = "B"
    version = core_services.policy_propose(actor=maker, key=rules.POLICY_KEY, parameters=params,
                                           effective_from=TODAY - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        core_services.policy_decide(actor=maker, policy=version, approve=True)
    core_services.policy_decide(actor=checker, policy=version, approve=True)
    again = services.item_register(actor=enterprise, **{**CELL_LINE, "specification": "2 ml/支"})
    second = apply(enterprise, again, level="B")
    assert (second.level, second.policy_version, second.status) == ("B", 2, m.ApplicationStatus.ASSESSING)
    first.refresh_from_db()
    assert (first.level, first.policy_version) == ("C", 1) and first.approval.policy_version == 1


def test_statistics_for_customs_and_department_only(enterprise, c_approval, reviewer):
    declare(enterprise, c_approval, "514120260000001", 10)
    stats = selectors.statistics(actor=reviewer)
    assert stats["batches"] == 1
    assert next(r for r in stats["by_level"] if r["level"] == "C")["approved"] == 1
    assert stats["by_port"][0]["volume"] == 10 and stats["by_category"][0]["key"] == "biological_product"
    department = make_actor(kind=OrgKind.DEPARTMENT)
    assert selectors.statistics(actor=department)["batches"] == 1
    with pytest.raises(NotFound):
        selectors.statistics(actor=enterprise)


def test_daily_task_escalates_as_the_system(enterprise, c_approval):
    from innoreform.biomed import tasks

    assert tasks.daily.call() == {"escalated": 0}
