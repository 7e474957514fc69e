"""T05: a settlement batch killed at each step and rerun pays each claim exactly once, and the
reconciliation (claims × payments × budgets × books) is clean. T07: seeded breaks are reported."""

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from innoreform.books import services as books
from innoreform.books.models import Transaction
from innoreform.core.errors import Conflict
from innoreform.vouchers import models as m
from innoreform.vouchers import money, reconcile, settlement
from innoreform.vouchers.settlement import CRASH_CHANCE_ENV, CRASH_ENV, CRASH_MODE_ENV, SimulatedCrash

from .conftest import approve_claim, issue_voucher, listed_institution, use_and_claim

ROOT = Path(__file__).resolve().parents[3]


def approved_claims(n, enterprise, reviewer, approver, institution, voucher):
    inst_actor, service = institution
    return [approve_claim(use_and_claim(enterprise, inst_actor, service, voucher), reviewer, approver)
            for _ in range(n)]


def assert_paid_once(claims, voucher):
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status == m.ClaimStatus.PAID
        assert Transaction.objects.filter(kind=money.KIND_PAY, subject_id=str(claim.pk)).count() == 1
        assert claim.batch_items.filter(paid=True).count() == 1
    voucher.refresh_from_db()
    assert voucher.paid_fen == sum(c.amount_fen for c in claims)
    report = reconcile.reconcile()
    assert report.clean, report.as_dict()


@pytest.mark.parametrize("point", ["pay_before_posting", "pay_after_posting", "pay_after_commit", "finish_before"])
def test_crash_at_each_point_then_rerun_pays_once(point, monkeypatch, voucher, institution, enterprise, reviewer,
                                                  approver):
    claims = approved_claims(3, enterprise, reviewer, approver, institution, voucher)
    batch = settlement.batch_build(actor=reviewer)
    settlement.batch_approve(actor=approver, batch_id=batch.pk)
    monkeypatch.setenv(CRASH_ENV, point)
    with pytest.raises(SimulatedCrash):
        settlement.batch_run(actor=reviewer, batch_id=batch.pk)
    paid_before = m.BatchItem.objects.filter(paid=True).count()
    assert paid_before == {"pay_before_posting": 0, "pay_after_posting": 0, "pay_after_commit": 1,
                           "finish_before": 3}[point]
    monkeypatch.delenv(CRASH_ENV)
    settlement.batch_run(actor=reviewer, batch_id=batch.pk)
    settlement.batch_run(actor=reviewer, batch_id=batch.pk)  # a second rerun changes nothing
    batch.refresh_from_db()
    assert batch.status == m.BatchStatus.PAID
    assert_paid_once(claims, voucher)


def test_twenty_random_crashes_then_reruns(monkeypatch, voucher, institution, enterprise, reviewer, approver):
    """Twenty batches, each run with a 30% chance of crashing at every step until one run finishes."""
    random.seed(20)
    every_claim = []
    crashes = 0
    for _round in range(20):
        every_claim += approved_claims(2, enterprise, reviewer, approver, institution, voucher)
        batch = settlement.batch_build(actor=reviewer)
        settlement.batch_approve(actor=approver, batch_id=batch.pk)
        monkeypatch.setenv(CRASH_CHANCE_ENV, "0.3")
        for _attempt in range(100):
            try:
                settlement.batch_run(actor=reviewer, batch_id=batch.pk)
                break
            except SimulatedCrash:
                crashes += 1
        monkeypatch.delenv(CRASH_CHANCE_ENV)
        batch.refresh_from_db()
        assert batch.status == m.BatchStatus.PAID
    assert crashes >= 10
    assert_paid_once(every_claim, voucher)


def test_crash_while_building_leaves_no_batch(monkeypatch, voucher, institution, enterprise, reviewer, approver):
    claims = approved_claims(2, enterprise, reviewer, approver, institution, voucher)
    monkeypatch.setenv(CRASH_ENV, "build_after_items")
    with pytest.raises(SimulatedCrash):
        settlement.batch_build(actor=reviewer)
    assert not m.SettlementBatch.objects.exists()
    monkeypatch.delenv(CRASH_ENV)
    batch = settlement.batch_build(actor=reviewer)
    assert batch.items.count() == 2
    with pytest.raises(Conflict) as exc:
        settlement.batch_build(actor=reviewer)  # a claim goes into one batch only
    assert exc.value.code == "nothing_to_settle"
    settlement.batch_approve(actor=approver, batch_id=batch.pk)
    settlement.batch_run(actor=reviewer, batch_id=batch.pk)
    assert_paid_once(claims, voucher)


def test_reconciliation_reports_seeded_breaks(voucher, institution, enterprise, reviewer, approver):
    from innoreform.core.actor import Actor

    claims = approved_claims(3, enterprise, reviewer, approver, institution, voucher)
    batch = settlement.batch_build(actor=reviewer)
    settlement.batch_approve(actor=approver, batch_id=batch.pk)
    settlement.batch_run(actor=reviewer, batch_id=batch.pk)
    assert reconcile.reconcile().clean
    first = claims[0]
    # A duplicate payable and payment of the same claim under new references: the books still
    # balance and no guarded account goes negative, but the reconciliation sees the twin.
    for kind, reference in ((money.KIND_PAYABLE, f"vouchers:payable:{first.pk}"),
                            (money.KIND_PAY, f"vouchers:pay:{first.pk}")):
        original = Transaction.objects.get(reference=reference)
        books.post_transaction(actor=Actor.system(), kind=kind, reference=reference + ":dup",
                               lines=[(p.account_id, p.amount_fen) for p in original.postings.all()],
                               subject_type=money.SUBJECT_CLAIM, subject_id=first.pk)
    # A claim marked paid without a payment, and a voucher whose paid amount was altered.
    m.Claim.objects.filter(pk=claims[1].pk).update(status=m.ClaimStatus.PAID)
    m.BatchItem.objects.filter(claim=claims[1]).update(paid=False)
    m.Voucher.objects.filter(pk=voucher.pk).update(paid_fen=voucher.face_fen)
    report = reconcile.reconcile().as_dict()
    kinds = report["counts"]
    assert kinds.get("duplicate_transaction") == 2
    assert kinds.get("claim_payment_mismatch") == 1
    assert kinds.get("voucher_overpaid") == 1
    assert kinds.get("reservation_mismatch", 0) >= 1  # the duplicate took money out of the reservations


def test_payment_file_is_stable(voucher, institution, enterprise, reviewer, approver):
    approved_claims(2, enterprise, reviewer, approver, institution, voucher)
    batch = settlement.batch_build(actor=reviewer)
    before = settlement.payment_file_rows(batch)
    settlement.batch_approve(actor=approver, batch_id=batch.pk)
    settlement.batch_run(actor=reviewer, batch_id=batch.pk)
    after = settlement.payment_file_rows(batch)
    assert [dict(r, paid=None) for r in before] == [dict(r, paid=None) for r in after]
    assert sum(r["province_fen"] + r["city_fen"] for r in after) == batch.total_fen


def _settle_subprocess(batch_id: int, env: dict) -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return subprocess.Popen([sys.executable, "manage.py", "vouchers_settle", str(batch_id)], cwd=ROOT,
                            env={**os.environ, "DATABASE_URL": url, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_kill9_at_points_and_random_times(registry, reviewer, approver, budgets, enterprise):
    """The batch job really dies (SIGKILL) at each named point, then at random points (VOUCHERS_KILL_ROUNDS,
    default 2: each process start costs seconds here); the rerun finishes and pays each claim once."""
    institution = listed_institution(reviewer)
    voucher = issue_voucher(enterprise, reviewer)
    every_claim = []
    random_rounds = int(os.environ.get("VOUCHERS_KILL_ROUNDS", "2"))
    for round_no, point in enumerate([*settlement.CRASH_POINTS[1:], *[None] * random_rounds]):
        every_claim += approved_claims(4, enterprise, reviewer, approver, institution, voucher)
        batch = settlement.batch_build(actor=reviewer)
        settlement.batch_approve(actor=approver, batch_id=batch.pk)
        crash = {CRASH_ENV: point} if point else {CRASH_CHANCE_ENV: "0.25"}
        proc = _settle_subprocess(batch.pk, {**crash, CRASH_MODE_ENV: "kill"})
        proc.wait(timeout=180)
        if point:
            assert proc.returncode == -9, proc.stderr.read()[-2000:]
        rerun = _settle_subprocess(batch.pk, {})
        _out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err[-2000:]
        batch.refresh_from_db()
        assert batch.status == m.BatchStatus.PAID, (round_no, point)
        assert_paid_once(every_claim, voucher)
