"""The model registry end to end: submit, maker-checker approval, the report page, scoring the
registry as a job with drift monitoring, and a bank reading a consented enterprise's score."""

from datetime import date, timedelta

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone, translation

from innoreform.core.errors import Conflict, NotFound, PermissionDenied
from innoreform.core.models import AuditEvent, Job, JobStatus, Jurisdiction, OrgKind, Role
from innoreform.core.services import api_key_create
from innoreform.core.testing import make_actor, make_org
from innoreform.credit import integration, services
from innoreform.credit import models as m
from innoreform.credit.engine.frame import Frame
from innoreform.credit.engine.train import train

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def registry_like_frame(n=600, seed=0) -> Frame:
    """Synthetic training rows with the registry snapshot's columns and a known risk pattern."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(0, 20, n)
    capital = rng.lognormal(14, 1.2, n)
    innovation = rng.uniform(20, 90, n)
    incident = (rng.random(n) < 0.1).astype(float)
    logit = -0.5 - 0.12 * age - 0.03 * (innovation - 50) + 1.5 * incident
    bad = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return Frame({
        "registered_capital_yuan": capital, "age_years": age, "innovation_index": innovation,
        "major_incident": incident, "industry_code": np.array(rng.choice(["C3", "I6", "M7"], n), dtype=object),
        "region": np.array(rng.choice(["440100", "440300"], n), dtype=object), "industry_restricted": np.zeros(n),
        "customs_credit_rating": np.array([None] * n, dtype=object), "bad": bad.astype(float),
    })


@pytest.fixture(scope="module")
def trained():
    return train(registry_like_frame(), target="bad", seed=0, cv_folds=0, holdout=0.3)


@pytest.fixture
def people():
    dept = make_org(kind=OrgKind.DEPARTMENT, jurisdiction=Jurisdiction.PROVINCE)
    maker = make_actor(org=dept, role=Role.REVIEWER)
    checker = make_actor(org=dept, role=Role.APPROVER)
    return maker, checker


def enterprises(k=30):
    from innoreform.registry import models as rm

    rng = np.random.default_rng(1)
    out = []
    for i in range(k):
        org = make_org(kind=OrgKind.ENTERPRISE)
        out.append(rm.Enterprise.objects.create(
            credit_code=org.credit_code, name=f"Enterprise {i}", organisation=org, region="440100",
            industry_code="C39", registered_on=date(2005 + i % 18, 1, 1),
            registered_capital_fen=int(rng.integers(10**8, 10**10)), major_incident=(i % 7 == 0)))
    return out


def test_maker_checker_and_states(people, trained):
    maker, checker = people
    v = services.version_register_result(actor=maker, name="sme", result=trained)
    assert (v.version, v.status, v.kind) == (1, m.VersionStatus.SUBMITTED, "scorecard")
    assert v.fingerprint == trained.meta["fingerprint"]
    with pytest.raises(PermissionDenied):  # a reviewer cannot approve
        services.version_approve(actor=maker, version_id=v.pk)
    v = services.version_approve(actor=checker, version_id=v.pk)
    assert (v.status, v.role, v.decided_by_id) == (m.VersionStatus.APPROVED, m.ModelRole.CHAMPION, checker.user.pk)
    with pytest.raises(Conflict):
        services.version_approve(actor=checker, version_id=v.pk)
    v2 = services.version_register_result(actor=maker, name="sme", result=trained)
    assert v2.version == 2
    services.version_approve(actor=checker, version_id=v2.pk)
    v.refresh_from_db()
    assert (v.status, v.role) == (m.VersionStatus.RETIRED, "")
    assert AuditEvent.objects.filter(action="credit.model_approved").count() == 2


def test_approver_cannot_approve_own_submission(people, trained):
    _maker, checker = people
    v = services.version_register_result(actor=checker, name="own", result=trained)
    with pytest.raises(PermissionDenied) as exc:
        services.version_approve(actor=checker, version_id=v.pk)
    assert exc.value.code == "maker_checker"
    v.refresh_from_db()
    assert v.status == m.VersionStatus.SUBMITTED


def test_other_kinds_do_not_see_models(people, trained):
    maker, _ = people
    v = services.version_register_result(actor=maker, name="sme", result=trained)
    bank = make_actor(kind=OrgKind.BANK, role=Role.APPROVER)
    with pytest.raises(NotFound):
        services.version_approve(actor=bank, version_id=v.pk)


def test_report_page_and_approval_form(people, trained):
    maker, checker = people
    v = services.version_register_result(actor=maker, name="sme", result=trained)
    client = Client()
    client.force_login(checker.user)
    page = client.get(f"/credit/models/{v.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "credit-approve" in body and "credit-chart-data" in body
    assert trained.model.names[0] in body
    r = client.post(f"/credit/models/{v.pk}/approve/", {"role": "champion"})
    assert r.status_code == 302
    v.refresh_from_db()
    assert v.status == m.VersionStatus.APPROVED
    assert client.get("/credit/").status_code == 200
    maker_client = Client()
    maker_client.force_login(maker.user)
    assert "credit-approve" not in maker_client.get(f"/credit/models/{v.pk}/").content.decode()


def test_score_registry_job_with_progress_and_drift(people, trained, django_capture_on_commit_callbacks):
    maker, checker = people
    v = services.version_register_result(actor=maker, name="sme", result=trained)
    with pytest.raises(Conflict):  # not approved yet
        services.scoring_job_start(actor=maker, version_id=v.pk)
    services.version_approve(actor=checker, version_id=v.pk)
    ents = enterprises(30)
    with pytest.raises(PermissionDenied):
        services.scoring_job_start(actor=make_actor(org=maker.organisation, role=Role.MEMBER), version_id=v.pk)
    with django_capture_on_commit_callbacks(execute=True):  # the immediate task backend runs it here
        job = services.scoring_job_start(actor=maker, version_id=v.pk)
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.total, job.done) == (JobStatus.SUCCEEDED, 30, 30)
    assert job.result["scored"] == 30
    records = m.ScoreRecord.objects.filter(job_id=job.pk)
    assert records.count() == 30
    assert {r.model_version_id for r in records} == {v.pk}
    snap = integration.registry_snapshot()
    from innoreform.credit.engine.train import score_frame

    expected = score_frame(trained.model, snap.frame)["score"]
    got = {r.credit_code: r.score for r in records}
    assert [got[c] for c in snap.credit_codes] == [int(s) for s in expected]
    drift = m.DriftCheck.objects.get(job_id=job.pk)
    assert drift.population == len(ents)
    # the registry population is unlike the training one, so PSI flags it
    assert drift.alert == (drift.score_psi > drift.threshold
                           or any(p > drift.threshold for p in drift.feature_psi.values()))
    assert AuditEvent.objects.filter(action__in=["credit.drift_alert", "credit.drift_checked"]).count() == 1


def test_bank_reads_consented_score_with_reasons(people, trained):
    from innoreform.registry import models as rm

    maker, checker = people
    v = services.version_register_result(actor=maker, name="sme", result=trained)
    services.version_approve(actor=checker, version_id=v.pk)
    ent = enterprises(3)[0]
    bank_admin = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    _key, secret = api_key_create(actor=bank_admin, name="loans")
    client = Client(headers={"X-API-Key": secret})
    url = f"/api/bank/v1/credit/enterprises/{ent.credit_code}/score"
    assert client.get(url, {"purpose": "loan_application"}).status_code == 404  # no consent yet
    rm.ConsentGrant.objects.create(enterprise=ent, institution=bank_admin.organisation, categories=["basic"],
                                   purpose="loan_application", valid_until=timezone.localdate() + timedelta(days=30),
                                   notice_version=1, granted_by=bank_admin.user)
    r = client.get(url, {"purpose": "loan_application"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["model_version_id"] == v.pk
    assert 0 < body["pd"] < 1
    for reason in body["reasons"]:
        assert reason["points_lost"] > 0
        # the registry column is named in words, in the caller's language
        with translation.override("zh-hans"):
            label = integration.feature_label(reason["variable"])
        assert label != reason["variable"] and label in reason["text"]
        assert str(reason["points_lost"]) in reason["text"]
    rec = m.ScoreRecord.objects.get(credit_code=ent.credit_code)
    assert rec.score == body["score"] and rec.requested_by.startswith("apikey:")
    assert client.get(url, {"purpose": "investment"}).status_code == 404  # wrong purpose
    other_bank = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    _k2, s2 = api_key_create(actor=other_bank, name="x")
    assert Client(headers={"X-API-Key": s2}).get(url, {"purpose": "loan_application"}).status_code == 404
    rm.ConsentGrant.objects.filter(enterprise=ent).update(revoked_at=timezone.now())
    assert client.get(url, {"purpose": "loan_application"}).status_code == 404  # revoked: denied at once


def test_portal_api_lists_and_approves(people, trained):
    maker, checker = people
    v = services.version_register_result(actor=maker, name="sme", result=trained)
    c = Client()
    c.force_login(checker.user)
    listed = c.get("/api/v1/credit/models")
    assert listed.status_code == 200 and listed.json()[0]["id"] == v.pk
    assert c.get(f"/api/v1/credit/models/{v.pk}").json()["report"]["holdout"]["auc"] > 0.6
    r = c.post(f"/api/v1/credit/models/{v.pk}/approve", {"role": "challenger"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["role"] == "challenger"
    mc = Client()
    mc.force_login(maker.user)
    v3 = services.version_register_result(actor=checker, name="sme", result=trained)
    denied = c.post(f"/api/v1/credit/models/{v3.pk}/approve", {}, content_type="application/json")
    assert denied.status_code == 403 and denied.json()["code"] == "maker_checker"


def test_register_command(people, tmp_path, trained):
    from io import StringIO

    from django.core.management import call_command

    from innoreform.credit.engine import model_io

    maker, _ = people
    model_io.save(tmp_path / "m", trained.model, trained.meta, trained.report)
    out = StringIO()
    call_command("credit", "register", str(tmp_path / "m"), "--name", "cli", "--user", maker.user.username, stdout=out)
    v = m.ModelVersion.objects.get(name="cli")
    assert v.submitted_by_id == maker.user.pk and v.status == m.VersionStatus.SUBMITTED


def test_report_page_says_where_each_figure_comes_from(people):
    maker, checker = people
    result = train(registry_like_frame(), target="bad", seed=0, cv_folds=3, candidates=2)
    v = services.version_register_result(actor=maker, name="sme-cv", result=result)
    assert v.holdout_auc == pytest.approx(result.report["cv"]["auc_mean"])  # no holdout: the CV figure
    client = Client()
    client.force_login(checker.user)
    body = client.get(f"/credit/models/{v.pk}/").content.decode()
    for testid in ("credit-metrics-cv", "credit-sources", "credit-search", "credit-calibration"):
        assert f'data-testid="{testid}"' in body
    assert 'data-testid="credit-metrics-holdout"' not in body
    sources = body[body.index('data-testid="credit-sources"'):]
    sources = sources[:sources.index("</ul>")]
    assert sources.count("600") == 2  # every row deployed; every row scored out of fold
    assert ("样本外" in body) or ("out-of-fold" in body)


def test_report_page_reads_a_stored_report_of_the_former_format(people, trained):
    """Reports stored before cross-validated figures (holdout only, model fitted on 70%) still show."""
    maker, checker = people
    v = services.version_register_result(actor=maker, name="old", result=trained)
    old = {k: v.report[k] for k in ("holdout", "train", "calibration", "lift", "score_distribution", "variables",
                                    "psi_train_test", "score_edges", "train_score_counts", "warnings")}
    old["score_distribution"] = {k: old["score_distribution"][k] for k in ("edges", "train", "test")}
    old["cv"] = {"folds": 5, "auc_mean": 0.8, "auc_std": 0.01, "auc": [0.8] * 5}
    m.ModelVersion.objects.filter(pk=v.pk).update(report=old)
    client = Client()
    client.force_login(checker.user)
    page = client.get(f"/credit/models/{v.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="credit-metrics"' in body and 'data-testid="credit-sources"' not in body
    assert f"{old['holdout']['auc']:.4f}" in body
