"""`innoreform credit train|score|sql`: the stable command line for integrators and benchmarks.

  innoreform credit train DATA --target COL [--bad VALUE] [--id COL] [--model scorecard|gbm] --out MODEL_DIR
                         [--holdout 0.3] [--budget-seconds S] [--folds 5]
  innoreform credit score MODEL_DIR DATA --out SCORES.csv [--lang en|zh]
  innoreform credit sql MODEL_DIR --dialect sqlite|postgres|duckdb [--table NAME]

Bad input ends with a one-line error and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from innoreform.credit.engine import model_io
from innoreform.credit.engine.errors import CreditDataError
from innoreform.credit.engine.frame import fingerprint, read_table
from innoreform.credit.engine.reasons import reason_text
from innoreform.credit.engine.scorecard import Scorecard, ScorecardParams
from innoreform.credit.engine.sql import DIALECTS, scorecard_sql
from innoreform.credit.engine.train import MODEL_KINDS, score_frame, train


class Command(BaseCommand):
    help = "Train credit models, score files with reason codes, export a scorecard as SQL."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        t = sub.add_parser("train", help="fit a model on a CSV, Excel, Parquet or ARFF file")
        t.add_argument("data")
        t.add_argument("--target", required=True, help="the column holding good/bad")
        t.add_argument("--bad", default=None, help="the value of the target that means bad (default: 1/bad/yes)")
        t.add_argument("--id", dest="id_column", default=None, help="an identifier column, never a feature")
        t.add_argument("--model", choices=MODEL_KINDS, default="scorecard")
        t.add_argument("--out", required=True, help="model directory to write")
        t.add_argument("--exclude", action="append", default=[], help="a column not to use (repeatable)")
        t.add_argument("--seed", type=int, default=0)
        t.add_argument("--folds", type=int, default=5,
                       help="cross-validation folds that choose the settings and give the report's figures")
        t.add_argument("--holdout", type=float, default=0.0,
                       help="also keep this share of rows (0.05-0.5) out of the search for a holdout figure; "
                            "the deployed model is still fitted on every row")
        t.add_argument("--test-size", dest="holdout", type=float, help=argparse.SUPPRESS)  # the former name
        t.add_argument("--budget-seconds", type=float, default=120.0,
                       help="time limit of the settings search (default 120; the defaults are always tried)")
        t.add_argument("--candidates", type=int, default=None,
                       help="how many settings of the fixed search space to try (default 4 for a scorecard, "
                            "3 for the challenger)")
        t.add_argument("--no-tune", dest="tune", action="store_false", help="keep the engine's default settings")
        t.add_argument("--tune", dest="tune", action="store_true", help=argparse.SUPPRESS)  # now the default
        t.add_argument("--no-calibrate", dest="calibrate", action="store_false",
                       help="keep the model's own score-to-PD map")
        t.add_argument("--base-score", type=float, default=600.0)
        t.add_argument("--base-odds", type=float, default=50.0, help="good:bad odds at the base score")
        t.add_argument("--pdo", type=float, default=20.0, help="points to double the odds")
        s = sub.add_parser("score", help="score a file with a trained model")
        s.add_argument("model_dir")
        s.add_argument("data")
        s.add_argument("--out", required=True, help="CSV file to write")
        s.add_argument("--lang", choices=("en", "zh"), default=None, help="add reason texts in this language")
        r = sub.add_parser("register", help="submit a model directory to the model registry for approval")
        r.add_argument("model_dir")
        r.add_argument("--name", required=True, help="model name; the version number is assigned")
        r.add_argument("--user", required=True, help="the submitting user's username")
        r.add_argument("--org", type=int, default=None, help="organisation id the user acts in")
        q = sub.add_parser("sql", help="print a scorecard as one SQL SELECT")
        q.add_argument("model_dir")
        q.add_argument("--dialect", choices=DIALECTS, required=True)
        q.add_argument("--table", default="applicants")
        q.add_argument("--points", action="store_true", help="also return each variable's points")
        q.add_argument("--id", dest="id_column", default=None, help="id column (default: the training --id)")

    def handle(self, *args, **opts):
        try:
            getattr(self, f"_{opts['action']}")(opts)
        except CreditDataError as exc:
            raise CommandError(str(exc)) from None
        except (OSError, UnicodeError) as exc:
            raise CommandError(f"{type(exc).__name__}: {exc}") from None

    def _train(self, o):
        if o["holdout"] and not 0.05 <= o["holdout"] <= 0.5:
            raise CommandError("--holdout must be 0 or between 0.05 and 0.5")
        if not 2 <= o["folds"] <= 20:
            raise CommandError("--folds must be between 2 and 20")
        if o["pdo"] <= 0 or o["base_odds"] <= 0:
            raise CommandError("--pdo and --base-odds must be positive")
        frame = read_table(o["data"])
        params = ScorecardParams(base_score=o["base_score"], base_odds=o["base_odds"], pdo=o["pdo"])
        result = train(frame, target=o["target"], bad=o["bad"], id_column=o["id_column"], kind=o["model"],
                       seed=o["seed"], holdout=o["holdout"] or 0.0, cv_folds=o["folds"], params=params,
                       tune=o["tune"], budget_seconds=o["budget_seconds"], candidates=o["candidates"],
                       calibrate=o["calibrate"],
                       exclude=tuple(o["exclude"]), fingerprint=fingerprint(o["data"]), source=str(o["data"]))
        model_io.save(o["out"], result.model, result.meta, result.report)
        self.stdout.write(json.dumps({**result.summary(), "out": str(o["out"])}, ensure_ascii=False))

    def _score(self, o):
        model, meta = model_io.load(o["model_dir"])
        frame = read_table(o["data"])
        out = score_frame(model, frame)
        id_col = meta.get("id_column")
        ids = frame[id_col] if id_col and id_col in frame else None
        with open(o["out"], "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            header = ["id", "score", "pd", "reason_1", "reason_2", "reason_3"]
            if o["lang"]:
                header += ["reason_1_text", "reason_2_text", "reason_3_text"]
            w.writerow(header)
            for i in range(len(frame)):
                rid = ids[i] if ids is not None else i + 1
                if isinstance(rid, float) and rid.is_integer():
                    rid = int(rid)
                reasons = out["reasons"][i] + [None] * (3 - len(out["reasons"][i]))
                row = [rid, int(out["score"][i]), f"{out['pd'][i]:.6f}"]
                row += [r["variable"] if r else "" for r in reasons[:3]]
                if o["lang"]:
                    row += [reason_text(r, o["lang"]) if r else "" for r in reasons[:3]]
                w.writerow(row)
        summary = {"rows": len(frame), "out": str(o["out"]), "unseen_categories": out["unseen"],
                   "warnings": frame.warnings}
        self.stdout.write(json.dumps(summary, ensure_ascii=False))

    def _register(self, o):
        from innoreform.core.actor import Actor
        from innoreform.core.errors import DomainError
        from innoreform.core.models import User
        from innoreform.credit import services

        user = User.objects.filter(username=o["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {o['user']!r}")
        actor = Actor.for_user(user, o["org"])
        if actor.organisation is None:
            raise CommandError(f"user {o['user']!r} has no active membership" + (" there" if o["org"] else ""))
        try:
            version = services.version_register_dir(actor=actor, name=o["name"], directory=o["model_dir"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(json.dumps({"id": version.pk, "name": version.name, "version": version.version,
                                      "status": version.status, "fingerprint": version.fingerprint}))

    def _sql(self, o):
        model, _meta = model_io.load(o["model_dir"])
        if not isinstance(model, Scorecard):
            raise CommandError("only scorecards compile to SQL; this model directory holds a gbm challenger")
        sys.stdout.flush()
        self.stdout.write(scorecard_sql(model, dialect=o["dialect"], table=o["table"],
                                        id_column=o["id_column"] or _meta.get("id_column"), with_points=o["points"]))
