"""Races on PostgreSQL: concurrent submissions of the same declaration, concurrent publishing."""

import threading
from datetime import date

import pytest
from django.db import connection

from innoreform.core.errors import Conflict
from innoreform.registry import models as m
from innoreform.registry import services
from innoreform.registry.demo_data import E1

from .conftest import enterprise_actor, import_demo

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n, fn):
    barrier = threading.Barrier(n)
    outcomes = []

    def run():
        barrier.wait()
        try:
            fn()
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # anything else is a bug
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_concurrent_declarations_one_wins(clerk):
    import_demo(clerk, ["market_regulation.enterprises"])
    actor = enterprise_actor(E1)
    outcomes = _race(8, lambda: services.declaration_submit(
        actor=actor, year=2025, on=date(2025, 3, 1), staff_total=100, tech_staff=30, sales_fen=10**9,
        total_assets_fen=10**9, rd_expense_fen=6 * 10**7, total_cost_fen=9 * 10**8))
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("already_declared") == 7, outcomes
    assert m.Declaration.objects.count() == 1
