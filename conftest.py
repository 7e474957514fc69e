import os

import pytest
from hypothesis import settings as hypothesis_settings

# Hypothesis searches: every run draws new examples (no derandomize), and a failure it finds is
# kept in its example database and replayed first next time. The profile bounds how long a search
# takes, so tests that do not need a count of their own (the state machines) inherit it:
# "default" for a developer's run, "ci" (HYPOTHESIS_PROFILE=ci) for CI, "nightly" for a long
# search. Steps that touch the database vary with the machine's load, hence no deadline.
hypothesis_settings.register_profile("default", max_examples=10, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=12, deadline=None, print_blob=True)
hypothesis_settings.register_profile("nightly", max_examples=200, deadline=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# .ci/run's app-role step: run against DATABASE_URL as it is (migrated by the owner role) instead
# of creating a test database, which the application's role may not do (it owns nothing). Each
# test still rolls back; tests that need a committed, flushed database (TRUNCATE) are skipped.
EXISTING_DB = bool(os.environ.get("INNOREFORM_TEST_EXISTING_DB"))

if EXISTING_DB:

    @pytest.fixture(scope="session")
    def django_db_setup():
        """The configured database, no test database and no migrations."""


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)
    if EXISTING_DB:
        skip_flush = pytest.mark.skip(reason="commits and flushes; not in the existing-database run")
        for item in items:
            marker = item.get_closest_marker("django_db")
            if "transactional_db" in getattr(item, "fixturenames", ()) or (
                    marker is not None and marker.kwargs.get("transaction")):
                item.add_marker(skip_flush)
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
