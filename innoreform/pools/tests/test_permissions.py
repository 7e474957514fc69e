import pytest

from innoreform.pools.permissions import TABLE, allowed

CASES = [
    ("department", "member", "pools.view_all", True),
    ("platform_operator", "member", "pools.view_all", True),
    ("bank", "administrator", "pools.view_all", False),
    ("department", "member", "pools.manage", False),
    ("department", "reviewer", "pools.manage", True),
    ("department", "reviewer", "pools.contribute", True),
    ("department", "reviewer", "pools.reverse", False),
    ("department", "approver", "pools.reverse", True),
    ("bank", "member", "pools.claim_file", True),
    ("guarantor", "member", "pools.claim_file", True),
    ("investor", "member", "pools.claim_file", True),
    ("enterprise", "administrator", "pools.claim_file", False),
    ("department", "reviewer", "pools.claim_review", True),
    ("bank", "administrator", "pools.claim_review", False),
    ("department", "reviewer", "pools.claim_approve", False),
    ("department", "approver", "pools.claim_approve", True),
    ("platform_operator", "administrator", "pools.claim_approve", False),
    ("platform_operator", "reviewer", "pools.run_payouts", True),
    ("department", None, "pools.view_all", False),
    ("department", "administrator", "pools.unknown", False),
]


@pytest.mark.parametrize(("kind", "role", "operation", "expected"), CASES)
def test_permission_table(kind, role, operation, expected):
    assert allowed(kind, role, operation) is expected


def test_every_operation_is_in_the_cases():
    assert set(TABLE) <= {c[2] for c in CASES}
