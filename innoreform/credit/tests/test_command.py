"""`innoreform credit train|score|sql` as integrators use it."""

import csv
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

DATA = Path(__file__).parent / "data"
GERMAN = DATA / "germancredit.csv"
ROOT = Path(__file__).resolve().parents[3]


def run(*args) -> str:
    out = StringIO()
    call_command("credit", *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("m") / "model"
    out = run("train", GERMAN, "--target", "creditability", "--bad", "bad", "--out", d)
    summary = json.loads(out)
    # figures from 5-fold cross-validation; the deployed model is fitted on every row
    assert summary["cv_auc"] > 0.74 and summary["cv_auc_std"] > 0
    assert summary["cv_ks"] > 0.3
    assert summary["fitted_on_rows"] == summary["cv_rows"] == 1000 and summary["holdout_auc"] is None
    assert summary["calibration"] in ("none", "platt", "isotonic") and 0 < summary["brier"] < 0.25
    return d


def test_score_writes_rows_in_input_order_without_target(tmp_path, model_dir):
    rows = list(csv.reader(GERMAN.open()))
    header, body = rows[0], rows[1:21]
    t = header.index("creditability")
    nt = tmp_path / "no_target.csv"
    with nt.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([h for i, h in enumerate(header) if i != t])
        for r in body:
            w.writerow([v for i, v in enumerate(r) if i != t])
    out = tmp_path / "scores.csv"
    summary = json.loads(run("score", model_dir, nt, "--out", out, "--lang", "zh"))
    assert summary["rows"] == 20
    got = list(csv.DictReader(out.open()))
    assert [r["id"] for r in got] == [str(i) for i in range(1, 21)]
    assert all(300 < int(r["score"]) < 900 for r in got)
    assert all(0 < float(r["pd"]) < 1 for r in got)
    assert any(r["reason_1"] and "分" in r["reason_1_text"] for r in got)


def test_sql_prints_select(model_dir):
    sql = run("sql", model_dir, "--dialect", "duckdb")
    assert "SELECT" in sql
    assert "CASE WHEN" in sql


def test_gbm_has_no_sql(tmp_path):
    d = tmp_path / "gbm"
    run("train", GERMAN, "--target", "creditability", "--bad", "bad", "--model", "gbm", "--out", d)
    with pytest.raises(CommandError, match="only scorecards"):
        run("sql", d, "--dialect", "sqlite")


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("a,b,t\n", ["--target", "t"], "no data rows"),
        ("", ["--target", "t"], "empty"),
        ("a,b\n1,2\n3,4\n", ["--target", "t"], "target column 't' not found"),
        ("a,t\n" + "".join(f"{i},1\n" for i in range(50)), ["--target", "t"], "single class"),
        ("a,b,t\n" + "".join(f"5,x,{i % 2}\n" for i in range(60)), ["--target", "t"], "no usable feature"),
    ],
)
def test_bad_training_input_is_a_clear_error(tmp_path, content, args, message):
    p = tmp_path / "d.csv"
    p.write_text(content)
    with pytest.raises(CommandError, match=message):
        run("train", p, *args, "--out", tmp_path / "m")


def test_unseen_categories_and_text_in_numeric_columns_at_scoring(tmp_path, model_dir):
    rows = list(csv.reader(GERMAN.open()))
    header = rows[0]
    r = list(rows[1])
    r[header.index("purpose")] = "a purpose never seen"
    r[header.index("status_of_existing_checking_account")] = "brand new status"
    r[header.index("duration_in_month")] = "twelve"
    p = tmp_path / "odd.csv"
    with p.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerow(r)
        w.writerows(rows[2:60])
    summary = json.loads(run("score", model_dir, p, "--out", tmp_path / "s.csv"))
    assert summary["unseen_categories"].get("status_of_existing_checking_account") == 1
    assert any("duration_in_month" in w for w in summary["warnings"])


def test_missing_model_columns_is_a_clear_error(tmp_path, model_dir):
    p = tmp_path / "x.csv"
    p.write_text("foo,bar\n1,2\n")
    with pytest.raises(CommandError, match="lacks the model's column"):
        run("score", model_dir, p, "--out", tmp_path / "s.csv")
    with pytest.raises(CommandError, match="not a model directory"):
        run("sql", tmp_path, "--dialect", "sqlite")


def test_real_process_exits_1_without_traceback(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "credit", "train", str(p), "--target", "t", "--out",
         str(tmp_path / "m")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "empty" in proc.stderr
