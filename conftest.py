import os

import pytest


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)
    if not os.environ.get("RUN_BROWSER_TESTS"):
        skip_browser = pytest.mark.skip(reason="browser tests run in .ci/run (RUN_BROWSER_TESTS=1)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip_browser)


_flushed = False  # set once a transactional test has ended (its teardown empties every table)


@pytest.fixture(autouse=True)
def _policy_defaults_after_flush(request):
    """The policy defaults are data-migration rows (core 0003), and a transactional test's teardown
    truncates every table. Tests after one put them back, as Django's serialized_rollback would
    (which reloads the whole database per test): a db test inside its own transaction, a
    transactional one for good. Tests before any flush read what the migration stored."""
    global _flushed
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in request.fixturenames
    uses_db = marker is not None or transactional or "db" in request.fixturenames
    if uses_db and _flushed:
        request.getfixturevalue("transactional_db" if transactional else "db")
        from innoreform.core.models import PolicyVersion
        from innoreform.core.policies_registry import seed_defaults

        seed_defaults(PolicyVersion)
    yield
    if transactional:
        _flushed = True
