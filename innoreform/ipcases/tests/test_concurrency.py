"""Two clerks docketing the same filing at once, and many filings docketed at once, on
PostgreSQL: one case number per filing, and serials 1..n with no repeat and no gap."""

import threading

import pytest
from django.db import connection

from innoreform.core.errors import Conflict
from innoreform.ipcases import models as m
from innoreform.ipcases import services

from .conftest import TODAY, file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_threads(n, work):
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def target(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # asserted on below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_two_clerks_docketing_the_same_filing_get_one_case_number(world):
    f = file(world)
    results = _run_threads(2, lambda i: services.filing_decide(actor=world.clerk, filing_id=f.pk,
                                                                decision="docket", today=TODAY))
    cases = [r for r in results if isinstance(r, m.Case)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(cases) == 1 and len(conflicts) == 1, results
    assert m.Case.objects.count() == 1 and m.CaseCounter.objects.get().last_serial == 1


def test_concurrent_dockets_never_repeat_or_skip(world):
    filings = [file(world) for _ in range(8)]
    results = _run_threads(8, lambda i: services.filing_decide(actor=world.clerk, filing_id=filings[i].pk,
                                                                decision="docket", today=TODAY))
    assert all(isinstance(r, m.Case) for r in results), results
    assert sorted(m.Case.objects.values_list("serial", flat=True)) == list(range(1, 9))
    assert m.CaseCounter.objects.get().last_serial == 8
