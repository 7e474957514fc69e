"""The demo tells issue #25's story, idempotently, and each role's home shows what awaits it."""

import pytest
from django.test import Client

from innoreform.biomed import demo, services
from innoreform.biomed import models as m
from innoreform.core import demo as core_demo
from innoreform.core import todo
from innoreform.core.demo import demo_actor
from innoreform.core.errors import Conflict


@pytest.fixture
def loaded(db):
    core_demo.load()
    operator = core_demo.operator_actor()
    demo.load(operator=operator)
    demo.load(operator=operator)  # idempotent
    return operator


def test_the_story_is_seeded_once(loaded):
    enterprise = demo_actor("ent-biotech")
    assert enterprise.organisation.name.endswith("（演示）")
    cell = m.Approval.objects.get(item__name=demo.CELL_LINE["name"])
    assert (cell.level, cell.application.automatic, cell.written_off, cell.balance) == ("C", True, 28, 2)
    assert list(cell.batches.values_list("quantity", flat=True)) == [10, 10, 8]
    with pytest.raises(Conflict) as exc:
        services.batch_declare(actor=enterprise, approval_id=cell.pk, declaration_no="514199990000000004",
                               quantity=5, unit=m.Unit.VIAL, port=m.Port.BAIYUN)
    assert exc.value.code == "over_quantity"
    protein = m.Approval.objects.get(item__name=demo.CRUDE_PROTEIN["name"])
    assert protein.level == "B" and protein.application.assessor.username == "customs-gz"
    assert protein.application.decided_by.username == "customs-gz-approver"
    assert protein.follow_ups.filter(status=m.FollowUpStatus.ESCALATED).count() == 1
    assert m.Application.objects.filter(status=m.ApplicationStatus.ASSESSING).count() == 1
    assert m.Application.objects.count() == 3 and m.WhitelistEntry.objects.count() == 1


def test_homes_show_what_awaits_each_role(loaded):
    keys = {u: {t["key"] for t in todo.todos_for(demo_actor(u))}
            for u in ("customs-gz", "customs-gz-approver", "ent-biotech")}
    assert {"biomed.to_assess", "biomed.overdue"} <= keys["customs-gz"]
    assert "biomed.to_decide" not in keys["customs-gz"]
    assert "biomed.follow_ups_due" in keys["ent-biotech"]
    for username in ("customs-gz", "ent-biotech", "dept-science"):
        client = Client()
        client.force_login(demo_actor(username).user)
        home = client.get("/")
        assert home.status_code == 200
        if username != "dept-science":
            assert "/biomed/" in home.content.decode()
        assert client.get("/biomed/").status_code == 200
