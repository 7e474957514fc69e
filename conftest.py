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
