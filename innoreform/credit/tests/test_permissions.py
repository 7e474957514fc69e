"""The credit permission table, tested as a table."""

import pytest

from innoreform.credit.permissions import TABLE, allowed

CASES = [
    ("department", "member", "credit.model_view", True),
    ("bank", "administrator", "credit.model_view", False),
    ("department", "member", "credit.model_submit", False),
    ("platform_operator", "reviewer", "credit.model_submit", True),
    ("department", "reviewer", "credit.model_approve", False),
    ("department", "approver", "credit.model_approve", True),
    ("department", "reviewer", "credit.score_registry", True),
    ("bank", "member", "credit.bank_score", True),
    ("investor", "member", "credit.bank_score", True),
    ("enterprise", "administrator", "credit.bank_score", False),
    ("department", None, "credit.model_view", False),
]


@pytest.mark.parametrize(("kind", "role", "operation", "expected"), CASES)
def test_permission_table(kind, role, operation, expected):
    assert allowed(kind, role, operation) is expected


def test_every_operation_is_in_the_cases():
    assert set(TABLE) <= {c[2] for c in CASES}
