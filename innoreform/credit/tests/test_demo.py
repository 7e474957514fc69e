"""The credit demo on top of the registry demo: a synthetic-data scorecard approved as champion by a
second person, a score for every registry enterprise, financing's fact lookup reads it, and loading
again changes nothing."""

import pytest
from django.test import Client

from innoreform.core import demo as core_demo
from innoreform.core.models import Job, Organisation, User
from innoreform.credit import demo, integration, selectors
from innoreform.credit import models as m
from innoreform.registry import demo as registry_demo

pytestmark = pytest.mark.django_db


def test_synthetic_data_is_seeded():
    a, b = demo.synthetic_frame(rows=200), demo.synthetic_frame(rows=200)
    assert a.names == b.names
    assert set(integration.registry_feature_names()) <= set(a.names)
    assert (a["bad"] == b["bad"]).all() and 0 < a["bad"].sum() < 200


def test_demo_gives_an_approved_champion_and_scores_every_enterprise():
    core_demo.load()
    operator = core_demo.operator_actor()
    registry_demo.load(operator=operator)
    demo.load(operator=operator)
    demo.finish(operator=operator)

    champion = selectors.champion_version()
    assert champion is not None and champion.name == demo.MODEL_NAME and champion.name.endswith("（演示）")
    assert champion.status == m.VersionStatus.APPROVED and champion.role == m.ModelRole.CHAMPION
    assert champion.submitted_by.username == demo.MAKER and champion.decided_by.username == demo.CHECKER
    assert "synthetic" in champion.decision_note.lower()
    assert "region" not in champion.spec["meta"]["features"]

    codes = integration.registry_snapshot().credit_codes
    assert len(codes) >= 5
    assert sorted(champion.scores.values_list("credit_code", flat=True)) == sorted(codes)
    assert all(r.reasons for r in champion.scores.all())
    dongguan = Organisation.objects.get(name="东莞精测光电有限公司（演示）")
    assert 300 < selectors.latest_score_value(credit_code=dongguan.credit_code) < 900

    client = Client()
    client.force_login(User.objects.get(username=demo.MAKER))
    page = client.get(f"/credit/models/{champion.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "SYNTHETIC" in page and demo.MODEL_NAME in page  # the demo label is on the report

    records, jobs = m.ScoreRecord.objects.count(), Job.objects.filter(kind="credit.score_registry").count()
    demo.load(operator=operator)
    demo.finish(operator=operator)
    assert m.ModelVersion.objects.count() == 1
    assert m.ScoreRecord.objects.count() == records
    assert Job.objects.filter(kind="credit.score_registry").count() == jobs == 1
