"""The role × operation table, tested as a table."""

import pytest

from innoreform.core.models import OrgKind, Role
from innoreform.core.permissions import TABLE, allowed, is_maker_checker_violation

E, S, B, D, P = (OrgKind.ENTERPRISE, OrgKind.SERVICE_INSTITUTION, OrgKind.BANK, OrgKind.DEPARTMENT,
                 OrgKind.PLATFORM_OPERATOR)
M, R, A, ADM = Role.MEMBER, Role.REVIEWER, Role.APPROVER, Role.ADMINISTRATOR

CASES = [
    # operation, kind, role, expected
    ("organisation.view_own", E, M, True),
    ("organisation.view_all", E, ADM, False),
    ("organisation.view_all", D, M, True),
    ("organisation.view_all", P, M, True),
    ("organisation.create", P, ADM, True),
    ("organisation.create", P, A, False),
    ("organisation.create", D, ADM, False),
    ("membership.manage", E, ADM, True),
    ("membership.manage", E, A, False),
    ("apikey.manage", B, ADM, True),
    ("apikey.manage", S, ADM, True),
    ("apikey.manage", B, A, False),
    ("apikey.manage", E, ADM, False),
    ("apikey.manage", D, ADM, False),
    ("audit.search_all", D, R, True),
    ("audit.search_all", D, M, False),
    ("audit.search_all", B, ADM, False),
    ("audit.search_own", B, ADM, True),
    ("audit.search_own", B, A, False),
    ("policy.view", E, M, True),
    ("policy.propose", D, R, True),
    ("policy.propose", D, M, False),
    ("policy.propose", B, ADM, False),
    ("policy.approve", D, A, True),
    ("policy.approve", D, R, False),
    ("policy.approve", P, ADM, True),
    ("job.view_own", E, M, True),
    ("notification.view_own", B, M, True),
    ("no.such.operation", P, ADM, False),
]


@pytest.mark.parametrize(("operation", "kind", "role", "expected"), CASES)
def test_role_operation_matrix(operation, kind, role, expected):
    assert allowed(kind, role, operation) is expected


def test_every_operation_in_the_table_is_covered():
    covered = {op for op, *_ in CASES}
    assert set(TABLE) <= covered


@pytest.mark.parametrize("operation", sorted(TABLE))
def test_nobody_without_a_role_or_kind_is_allowed(operation):
    assert not allowed(None, M, operation)
    assert not allowed(E, None, operation)


@pytest.mark.parametrize(
    ("submitted_by", "approver", "violation"),
    [(1, 1, True), (1, 2, False), (None, 2, False), (3, None, False)],
)
def test_maker_checker(submitted_by, approver, violation):
    assert is_maker_checker_violation(submitted_by_id=submitted_by, approver_id=approver) is violation
