"""Training and file scoring as background runs (pages and portal API), bad input shown on the
run, the drift threshold as a versioned policy, and the latest-score selector financing uses."""

import csv
import hashlib
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone, translation

from innoreform.core.models import (
    AuditEvent,
    JobStatus,
    Jurisdiction,
    OrgKind,
    PolicyStatus,
    PolicyVersion,
    Role,
)
from innoreform.core.testing import make_actor, make_org
from innoreform.credit import models as m
from innoreform.credit import selectors, services
from innoreform.credit.engine.frame import read_table
from innoreform.credit.engine.train import score_frame, train
from innoreform.credit.policies import DRIFT_KEY

from .test_registry_flow import enterprises, registry_like_frame

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
GERMAN = DATA / "germancredit.csv"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def people():
    dept = make_org(kind=OrgKind.DEPARTMENT, jurisdiction=Jurisdiction.PROVINCE)
    return make_actor(org=dept, role=Role.REVIEWER), make_actor(org=dept, role=Role.APPROVER)


def client_for(actor) -> Client:
    """A signed-in client that reads the pages in English (the site default is zh-hans)."""
    from django.conf import settings

    c = Client(headers={"Accept-Language": "en"})
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    c.force_login(actor.user)
    return c


def german_csv(n: int | None = None, drop_target: bool = False) -> bytes:
    lines = GERMAN.read_text(encoding="utf-8").splitlines()
    rows = list(csv.reader(lines))
    if n is not None:
        rows = rows[: n + 1]
    if drop_target:
        rows = [r[:-1] for r in rows]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def post_train(client, capture, **fields):
    data = {"name": "german", "source": "upload", "target": "creditability", "bad": "bad", "id_column": "",
            "kind": "scorecard", "seed": "0", "registry_label": "dishonest_debtor", **fields}
    with capture(execute=True):
        return client.post("/credit/train/", data)


# -- training ------------------------------------------------------------------------------------------
def test_train_page_runs_job_and_registers_submitted_version(people, django_capture_on_commit_callbacks):
    maker, checker = people
    c = client_for(maker)
    assert c.get("/credit/train/").status_code == 200
    with GERMAN.open("rb") as fh:
        r = post_train(c, django_capture_on_commit_callbacks, file=fh)
    assert r.status_code == 302, r.content.decode()[:2000]
    run = m.Run.objects.get()
    assert r["Location"] == f"/credit/runs/{run.pk}/"
    run.job.refresh_from_db()
    assert (run.job.status, run.job.done, run.job.total) == (JobStatus.SUCCEEDED, 3, 3), run.job.message
    version = run.model_version
    assert (version.name, version.status, version.kind) == ("german", m.VersionStatus.SUBMITTED, "scorecard")
    assert version.submitted_by_id == maker.user.pk
    # the data fingerprint is the uploaded file's SHA-256, as `innoreform credit train` records it
    assert version.fingerprint == run.content_sha256 == hashlib.sha256(GERMAN.read_bytes()).hexdigest()
    # the same data and seed as the engine directly give the same model
    direct = train(read_table(GERMAN), target="creditability", bad="bad", seed=0)
    # no holdout was asked for: the version's headline AUC is the cross-validated one
    assert version.holdout_auc == pytest.approx(direct.report["cv"]["auc_mean"])
    assert run.job.result["model_version_id"] == version.pk
    page = c.get(f"/credit/runs/{run.pk}/").content.decode()
    assert f"/credit/models/{version.pk}/" in page and "credit-run-report" in page
    assert 'hx-get' not in c.get(f"/credit/runs/{run.pk}/status/").content.decode()  # finished: stops polling
    # maker-checker still applies to a version trained in the portal
    checker_client = client_for(checker)
    assert "credit-approve" in checker_client.get(f"/credit/models/{version.pk}/").content.decode()
    assert "credit-approve" not in c.get(f"/credit/models/{version.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="credit.training_started").count() == 1


@pytest.mark.parametrize(("name", "content", "fields", "expected"), [
    ("g.csv", german_csv(200), {"target": "no_such_column"}, "The target column is not in the data."),
    ("g.csv", german_csv(200), {"bad": "no_such_value"}, "bad"),
    ("one.csv", b"x,y\n1,0\n2,0\n3,0\n4,0\n5,0\n", {"target": "y", "bad": ""}, "only one class"),
    ("head.csv", b"x,y\n", {"target": "y", "bad": ""}, "The file has no data rows."),
    ("few.csv", b"x,y\n1,0\n2,1\n3,0\n4,1\n", {"target": "y", "bad": ""}, "Too few good or bad cases"),
    ("bad.arff", b"this is not arff", {"target": "y", "bad": ""}, "The file cannot be read."),
])
def test_bad_training_data_fails_the_run_with_a_clear_message(people, django_capture_on_commit_callbacks,
                                                              name, content, fields, expected):
    maker, _ = people
    c = client_for(maker)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = post_train(c, django_capture_on_commit_callbacks, file=SimpleUploadedFile(name, content), **fields)
    assert r.status_code == 302
    run = m.Run.objects.get()
    run.job.refresh_from_db()
    assert run.job.status == JobStatus.FAILED
    assert expected.lower() in run.error.lower()
    assert run.model_version is None and not m.ModelVersion.objects.exists()
    page = c.get(f"/credit/runs/{run.pk}/").content.decode()
    assert "credit-run-error" in page and "Traceback" not in page
    assert AuditEvent.objects.filter(action="credit.run_failed").count() == 1


@pytest.mark.parametrize(("fields", "expected"), [
    ({"target": ""}, "Name the target column"),
    ({"file": None}, "Choose a file to upload."),
    ({"name": ""}, "This field is required."),
])
def test_train_form_refuses_incomplete_requests(people, django_capture_on_commit_callbacks, fields, expected):
    maker, _ = people
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile("g.csv", german_csv(50)), **fields}
    data = {k: v for k, v in data.items() if v is not None}
    r = post_train(client_for(maker), django_capture_on_commit_callbacks, **data)
    assert r.status_code == 200 and expected in r.content.decode()
    assert not m.Run.objects.exists()


def test_unsupported_upload_and_permissions(people):
    maker, _ = people
    with pytest.raises(services.BadRequest):
        services.training_start(actor=maker, name="x", target="y", filename="data.pdf", content=b"%PDF")
    with pytest.raises(services.BadRequest):
        services.training_start(actor=maker, name="x", target="y", filename="data.csv", content=b"")
    member = make_actor(org=maker.organisation, role=Role.MEMBER)
    with pytest.raises(services.PermissionDenied):
        services.training_start(actor=member, name="x", target="y", filename="d.csv", content=b"a,y\n1,0\n")
    bank = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    with pytest.raises(services.NotFound):
        services.training_start(actor=bank, name="x", target="y", filename="d.csv", content=b"a,y\n1,0\n")
    assert client_for(member).get("/credit/train/").status_code == 404
    assert client_for(bank).get("/credit/runs/").status_code == 404


def test_train_on_registry_snapshot(people, django_capture_on_commit_callbacks):
    from innoreform.registry import models as rm

    maker, _ = people
    ents = enterprises(40)
    for i, e in enumerate(ents):
        if i % 18 >= 12:  # the 12 youngest are bad
            rm.DishonestDebtorEntry.objects.create(enterprise=e, case_number=f"C{i}", court="Court",
                                                   listed_on=date(2024, 1, 1))
    rm.DishonestDebtorEntry.objects.create(enterprise=ents[1], case_number="old", court="Court",
                                           listed_on=date(2020, 1, 1), removed_on=date(2021, 1, 1))
    # the gradient-boosting kind: on 40 rows the scorecard's binning rightly finds too little to bin
    with django_capture_on_commit_callbacks(execute=True):
        run = services.training_start(actor=maker, name="registry", source="registry", target="dishonest_debtor",
                                      kind="gbm")
    run.refresh_from_db()
    run.job.refresh_from_db()
    assert run.job.status == JobStatus.SUCCEEDED, run.error
    assert run.rows == 40 and run.model_version.kind == "gbm"
    assert run.model_version.holdout_auc > 0.8  # age separates them
    spec_features = run.model_version.spec["meta"]["features"]
    assert "dishonest_debtor" not in spec_features and "abnormal_operation" not in spec_features
    assert "credit_code" not in spec_features
    # too few cases of one class: a clear error on the run
    with django_capture_on_commit_callbacks(execute=True):
        run2 = services.training_start(actor=maker, name="registry", source="registry", target="abnormal_operation")
    run2.refresh_from_db()
    assert "one class" in run2.error
    with pytest.raises(services.BadRequest):
        services.training_start(actor=maker, name="registry", source="registry", target="creditability")


# -- file scoring ----------------------------------------------------------------------------------------
@pytest.fixture
def approved_german(people):
    maker, checker = people
    result = train(read_table(GERMAN), target="creditability", bad="bad", seed=0, cv_folds=0)
    v = services.version_register_result(actor=maker, name="german", result=result)
    services.version_approve(actor=checker, version_id=v.pk)
    return v, result


def test_score_file_page_job_and_csv(people, approved_german, django_capture_on_commit_callbacks, tmp_path):
    maker, _ = people
    version, result = approved_german
    c = client_for(maker)
    assert "credit-score-file-form" in c.get(f"/credit/models/{version.pk}/").content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = german_csv(300, drop_target=True)  # the target column is absent at scoring time
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/credit/models/{version.pk}/score-file/", {"file": SimpleUploadedFile("apps.csv", content)})
    run = m.Run.objects.get()
    assert r["Location"] == f"/credit/runs/{run.pk}/"
    run.job.refresh_from_db()
    assert (run.job.status, run.job.done, run.job.total) == (JobStatus.SUCCEEDED, 300, 300), run.error
    assert "credit-run-download" in c.get(f"/credit/runs/{run.pk}/").content.decode()
    download = c.get(f"/credit/runs/{run.pk}/scores.csv")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 300 and [r["id"] for r in rows[:3]] == ["1", "2", "3"]
    path = tmp_path / "apps.csv"
    path.write_bytes(content)
    expected = score_frame(result.model, read_table(path))
    assert [int(r["score"]) for r in rows] == [int(s) for s in expected["score"]]
    assert float(rows[0]["pd"]) == pytest.approx(expected["pd"][0], abs=1e-6)
    first = expected["reasons"][0]
    assert [rows[0][f"reason_{i + 1}"] for i in range(len(first))] == [x["variable"] for x in first]
    assert rows[0]["reason_1_text"] == services.reason_text(first[0])


def test_score_file_bad_input(people, approved_german, django_capture_on_commit_callbacks):
    maker, _ = people
    version, _ = approved_german
    with django_capture_on_commit_callbacks(execute=True):
        run = services.scoring_file_start(actor=maker, version_id=version.pk, filename="x.csv",
                                          content=b"unrelated,columns\n1,2\n")
    run.refresh_from_db()
    assert run.job.status == JobStatus.FAILED and "lacks columns the model needs" in run.error
    assert not run.result
    assert client_for(maker).get(f"/credit/runs/{run.pk}/scores.csv").status_code == 404
    submitted = services.version_register_result(
        actor=maker, name="pending", result=train(registry_like_frame(), target="bad", cv_folds=0))
    with pytest.raises(services.Conflict):
        services.scoring_file_start(actor=maker, version_id=submitted.pk, filename="x.csv", content=b"a\n1\n")


def test_portal_api_train_and_score_file(people, approved_german, django_capture_on_commit_callbacks):
    maker, _ = people
    version, _ = approved_german
    c = client_for(maker)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/api/v1/credit/runs/train", {"name": "api", "target": "creditability", "bad": "bad",
                                                 "file": SimpleUploadedFile("g.csv", german_csv(400))})
    assert r.status_code == 202, r.content
    got = c.get(f"/api/v1/credit/runs/{r.json()['id']}").json()
    assert got["status"] == "succeeded" and got["model_version_id"]
    r = c.post("/api/v1/credit/runs/train", {"name": "api", "target": ""})
    assert r.status_code == 400 and r.json()["code"] == "no_target"
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/api/v1/credit/models/{version.pk}/score-file",
                   {"file": SimpleUploadedFile("g.csv", german_csv(50, drop_target=True))})
    assert r.status_code == 202, r.content
    got = c.get(f"/api/v1/credit/runs/{r.json()['id']}").json()
    assert got["status"] == "succeeded" and got["rows"] == 50
    assert c.get(got["result_url"]).status_code == 200
    assert len(c.get("/api/v1/credit/runs").json()) == 2
    bank = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    assert client_for(bank).get(f"/api/v1/credit/runs/{got['id']}").status_code == 404


# -- drift policy ------------------------------------------------------------------------------------------
def test_drift_threshold_is_the_policy_in_force(people, django_capture_on_commit_callbacks):
    maker, checker = people
    result = train(registry_like_frame(), target="bad", seed=0, cv_folds=0)
    v = services.version_register_result(actor=maker, name="sme", result=result)
    services.version_approve(actor=checker, version_id=v.pk)
    enterprises(20)
    with django_capture_on_commit_callbacks(execute=True):
        job1 = services.scoring_job_start(actor=maker, version_id=v.pk)
    first = m.DriftCheck.objects.get(job_id=job1.pk)
    assert (first.threshold, first.policy_version) == (0.25, 1)
    PolicyVersion.objects.create(key=DRIFT_KEY, version=2, parameters={"psi_alert": 1e-9},
                                 effective_from=timezone.localdate() - timedelta(days=1),
                                 status=PolicyStatus.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        job2 = services.scoring_job_start(actor=maker, version_id=v.pk)
    second = m.DriftCheck.objects.get(job_id=job2.pk)
    assert (second.threshold, second.policy_version, second.alert) == (1e-9, 2, True)
    page = client_for(maker).get(f"/credit/models/{v.pk}/").content.decode()
    assert "(v2)" in page and DRIFT_KEY in page


# -- latest score for financing ----------------------------------------------------------------------------
def test_latest_score_value_reads_the_champions_latest_score(people, django_capture_on_commit_callbacks):
    from innoreform.financing import facts

    maker, checker = people
    result = train(registry_like_frame(), target="bad", seed=0, cv_folds=0)
    ent = enterprises(3)[0]
    assert selectors.latest_score_value(credit_code=ent.credit_code) is None  # no champion yet
    champion = services.version_register_result(actor=maker, name="sme", result=result)
    challenger = services.version_register_result(actor=maker, name="sme-gbm", result=result)
    services.version_approve(actor=checker, version_id=champion.pk)
    services.version_approve(actor=checker, version_id=challenger.pk, role=m.ModelRole.CHALLENGER)
    assert selectors.latest_score_value(credit_code=ent.credit_code) is None  # champion has not scored it
    m.ScoreRecord.objects.create(model_version=champion, credit_code=ent.credit_code, score=610, pd=0.1)
    m.ScoreRecord.objects.create(model_version=champion, credit_code=ent.credit_code, score=640, pd=0.08)
    m.ScoreRecord.objects.create(model_version=challenger, credit_code=ent.credit_code, score=700, pd=0.02)
    m.ScoreRecord.objects.create(model_version=champion, credit_code="91440000OTHER0000X", score=500, pd=0.3)
    assert selectors.latest_score_value(credit_code=ent.credit_code) == 640.0
    assert selectors.latest_score_value(credit_code=ent.credit_code.lower()) == 640.0
    assert facts.credit_score(ent.credit_code) == 640.0  # financing's eligibility facts see it
    # a newer champion replaces the old one; its scores count from then on
    newer = services.version_register_result(actor=maker, name="sme", result=result)
    services.version_approve(actor=checker, version_id=newer.pk)
    assert selectors.latest_score_value(credit_code=ent.credit_code) is None
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_job_start(actor=maker, version_id=newer.pk)
    latest = m.ScoreRecord.objects.filter(model_version=newer, credit_code=ent.credit_code).get()
    assert selectors.latest_score_value(credit_code=ent.credit_code) == float(latest.score)


def test_a_model_without_registry_columns_cannot_score_the_registry(people, approved_german):
    """A loan-level model (German credit's columns) would give every enterprise the same score,
    which financing's matching rules would then read: refused, and the report page says why."""
    maker, _ = people
    version, _ = approved_german
    enterprises(3)
    with pytest.raises(services.Conflict) as exc:
        services.scoring_job_start(actor=maker, version_id=version.pk)
    assert exc.value.code == "no_registry_columns"
    page = client_for(maker).get(f"/credit/models/{version.pk}/").content.decode()
    assert "credit-no-registry-columns" in page and "credit-score-registry" not in page
    assert not m.ScoreRecord.objects.exists()


def test_a_loan_level_champion_does_not_score_enterprises(people, approved_german):
    """German credit's model is a champion too, approved last, but reads no registry column: the
    enterprise champion stays the registry-column model."""
    maker, checker = people
    german, _ = approved_german
    registry_model = services.version_register_result(
        actor=maker, name="sme", result=train(registry_like_frame(), target="bad", cv_folds=0))
    services.version_approve(actor=checker, version_id=registry_model.pk)
    assert selectors.champion_version() == registry_model
    again = services.version_register_result(actor=maker, name="german", result=train(
        read_table(GERMAN), target="creditability", bad="bad", cv_folds=0))
    services.version_approve(actor=checker, version_id=again.pk)
    german.refresh_from_db()
    assert german.status == m.VersionStatus.RETIRED
    assert selectors.champion_version() == registry_model
