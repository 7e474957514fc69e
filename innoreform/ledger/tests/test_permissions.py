"""The ledger permission table, tested as a table."""

import pytest

from innoreform.ledger.permissions import TABLE, allowed

CASES = [
    ("enterprise", "member", "evidence.deposit", True),
    ("court", "member", "evidence.view_own", True),
    ("bank", "member", "ledger.view_own_entries", True),
    ("platform_operator", "administrator", "ledger.publish", True),
    ("platform_operator", "approver", "ledger.publish", False),
    ("department", "administrator", "ledger.publish", False),
    (None, "administrator", "evidence.deposit", False),  # no organisation
    ("enterprise", "administrator", "ledger.unknown", False),
]


@pytest.mark.parametrize(("kind", "role", "operation", "expected"), CASES)
def test_permission_table(kind, role, operation, expected):
    assert allowed(kind, role, operation) is expected


def test_every_operation_is_in_the_cases():
    assert set(TABLE) <= {c[2] for c in CASES}
