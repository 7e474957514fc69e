"""The vouchers permission table, tested as a table."""

import pytest

from innoreform.vouchers.permissions import TABLE, allowed

CASES = [
    ("enterprise", "member", "vouchers.apply", True),
    ("service_institution", "administrator", "vouchers.apply", False),
    ("enterprise", "member", "vouchers.use", True),
    ("service_institution", "member", "vouchers.institution", True),
    ("service_institution", "approver", "vouchers.institution_admin", False),
    ("service_institution", "administrator", "vouchers.institution_admin", True),
    ("court", "member", "vouchers.object", True),  # anyone signed in may object during the notice
    ("department", "member", "vouchers.view_all", True),
    ("bank", "administrator", "vouchers.view_all", False),
    ("department", "member", "vouchers.review", False),
    ("department", "reviewer", "vouchers.review", True),
    ("department", "reviewer", "vouchers.approve", False),
    ("platform_operator", "approver", "vouchers.approve", True),
    ("department", "reviewer", "vouchers.budget", False),
    ("department", "approver", "vouchers.budget", True),
    ("department", "reviewer", "vouchers.settle", True),
    ("enterprise", None, "vouchers.apply", False),
]


@pytest.mark.parametrize(("kind", "role", "operation", "expected"), CASES)
def test_permission_table(kind, role, operation, expected):
    assert allowed(kind, role, operation) is expected


def test_every_operation_is_in_the_cases():
    assert set(TABLE) <= {c[2] for c in CASES}
