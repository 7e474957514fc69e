import os

import pytest

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
