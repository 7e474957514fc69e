"""The registry permission table, tested as a table."""

import pytest

from innoreform.registry.permissions import TABLE, allowed

CASES = [
    ("department", "member", "registry.view_all", True),
    ("bank", "administrator", "registry.view_all", False),
    ("platform_operator", "member", "registry.import", True),
    ("department", "member", "registry.review", False),
    ("department", "reviewer", "registry.review", True),
    ("department", "reviewer", "registry.approve", False),
    ("department", "approver", "registry.approve", True),
    ("department", "reviewer", "registry.recompute", True),
    ("enterprise", "member", "registry.declare", True),
    ("enterprise", "member", "registry.view_own", True),
    ("enterprise", "approver", "registry.grant", False),  # granting data access is for administrators
    ("enterprise", "administrator", "registry.grant", True),
    ("bank", "member", "registry.bank_read", True),
    ("enterprise", "administrator", "registry.bank_read", False),
    ("department", "administrator", "registry.declare", False),
]


@pytest.mark.parametrize(("kind", "role", "operation", "expected"), CASES)
def test_permission_table(kind, role, operation, expected):
    assert allowed(kind, role, operation) is expected


def test_every_operation_is_in_the_cases():
    assert set(TABLE) <= {c[2] for c in CASES}
