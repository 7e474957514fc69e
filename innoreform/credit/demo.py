"""Demo data for credit (called by `innoreform demo`): a registry scorecard trained on a SYNTHETIC,
seeded data set with the registry snapshot's columns, submitted by the demo science department's
reviewer, approved as champion by its approver (maker-checker), and a registry scoring run so
every demo enterprise has a score (financing's "minimum credit score" rule and the bank API read
it). The model name ends with （演示） and its decision note says the data is synthetic.

`load` trains and approves; `finish` scores, after every app has loaded its demo enterprises into
the registry (pools adds one after credit's turn). Both are idempotent: a second run finds the
demo model and the scores and changes nothing."""

from __future__ import annotations

import numpy as np
from django.db import transaction

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.demo import demo_actor
from innoreform.core.models import Job

from . import integration, services
from . import models as m
from .engine.frame import Frame
from .engine.train import train

MODEL_NAME = "科技企业信用评分卡（演示）"
SEED = 2026
ROWS = 3000
NOTE = ("演示数据：以固定随机种子生成的合成训练集（非真实企业数据），列与登记库快照一致。"
        " Demo: trained on a seeded SYNTHETIC data set, not real enterprises.")
SOURCE = "synthetic demo data (seed 2026)"
MAKER, CHECKER = "dept-reviewer", "dept-approver"

# Values as the registry snapshot offers them: two-character industry codes, city division codes
# and the customs ratings (mostly none).
INDUSTRIES = ["C2", "C3", "C4", "F5", "I6", "M7"]
REGIONS = ["440100", "440300", "440500", "440600", "441300", "441900", "442000"]
CUSTOMS = [None, "高级认证企业", "一般认证企业", "失信企业"]


def synthetic_frame(rows: int = ROWS, seed: int = SEED) -> Frame:
    """Seeded synthetic enterprises with the registry's columns and a plausible risk pattern:
    older, more innovative, better-capitalised firms default less; a major incident, a restricted
    industry or a customs 失信 rating raise the risk. `bad` is the 0/1 outcome."""
    rng = np.random.default_rng(seed)
    age = rng.gamma(2.0, 4.0, rows)  # years since registration, median about 7
    capital = rng.lognormal(np.log(5_000_000), 1.5, rows)  # yuan
    innovation = np.clip(rng.normal(30, 15, rows), 0, 100)
    incident = (rng.random(rows) < 0.04).astype(float)
    restricted = (rng.random(rows) < 0.05).astype(float)
    customs = rng.choice(len(CUSTOMS), rows, p=[0.8, 0.05, 0.12, 0.03])
    industry = rng.choice(len(INDUSTRIES), rows)
    logit = (-3.4 - 0.10 * (age - 8) - 0.04 * (innovation - 30) - 0.15 * (np.log(capital) - np.log(5_000_000))
             + 1.8 * incident + 1.0 * restricted + np.array([0, -0.8, -0.3, 1.2])[customs]
             + np.array([0, -0.1, 0, 0.3, -0.2, 0.1])[industry])
    bad = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(float)
    # Some registry facts are simply not filed: leave a few capital and index values missing.
    capital[rng.random(rows) < 0.03] = np.nan
    innovation[rng.random(rows) < 0.05] = np.nan
    return Frame({
        "registered_capital_yuan": np.round(capital, 2),
        "age_years": np.round(age, 2),
        "industry_code": np.array([INDUSTRIES[i] for i in industry], dtype=object),
        "region": np.array(rng.choice(REGIONS, rows), dtype=object),
        "industry_restricted": restricted,
        "major_incident": incident,
        "customs_credit_rating": np.array([CUSTOMS[i] for i in customs], dtype=object),
        "innovation_index": np.round(innovation, 2),
        "bad": bad,
    })


def _demo_version() -> m.ModelVersion | None:
    return m.ModelVersion.objects.filter(name=MODEL_NAME).order_by("-version").first()


def load(*, operator: Actor) -> None:
    """Train, submit and approve the demo champion (once)."""
    maker, checker = demo_actor(MAKER), demo_actor(CHECKER)
    if maker is None or checker is None:
        return
    version = _demo_version()
    if version is None:
        # The city stays in the data but not in the card: a score should not rank firms by location.
        result = train(synthetic_frame(), target="bad", seed=SEED, source=SOURCE, exclude=("region",))
        version = services.version_register_result(actor=maker, name=MODEL_NAME, result=result)
    if version.status == m.VersionStatus.SUBMITTED:
        services.version_approve(actor=checker, version_id=version.pk, role=m.ModelRole.CHAMPION, note=NOTE)


def finish(*, operator: Actor) -> None:
    """Score the registry with the demo champion if some registered enterprise has no score from it
    yet, synchronously (the demo has no task worker running while it loads)."""
    version = _demo_version()
    maker = demo_actor(MAKER)
    if version is None or maker is None or version.status != m.VersionStatus.APPROVED:
        return
    codes = set(integration.registry_snapshot().credit_codes)
    scored = set(version.scores.values_list("credit_code", flat=True))
    if not codes - scored:
        return
    with transaction.atomic():
        job = Job.objects.create(kind=services.JOB_KIND, owner=maker.user, organisation=maker.organisation,
                                 message=str(version))
        audit.record(actor=maker, action="credit.scoring_started", obj=version, changes={"job": str(job.pk)})
    services.scoring_job_run(job_id=str(job.pk), version_id=version.pk)
