import pytest

from innoreform.core.models import OrgKind, Role
from innoreform.patents.permissions import allowed

CASES = [
    (OrgKind.DEPARTMENT, Role.MEMBER, "patents.view", True),
    (OrgKind.DEPARTMENT, Role.MEMBER, "patents.view_all", True),
    (OrgKind.SERVICE_INSTITUTION, Role.MEMBER, "patents.view", True),
    (OrgKind.SERVICE_INSTITUTION, Role.MEMBER, "patents.view_all", False),
    (OrgKind.SERVICE_INSTITUTION, Role.MEMBER, "patents.import", True),
    (OrgKind.ENTERPRISE, Role.ADMINISTRATOR, "patents.view", False),
    (OrgKind.BANK, Role.ADMINISTRATOR, "patents.import", False),
    (OrgKind.SERVICE_INSTITUTION, Role.MEMBER, "patents.alias_edit", False),
    (OrgKind.SERVICE_INSTITUTION, Role.REVIEWER, "patents.alias_edit", True),
    (OrgKind.SERVICE_INSTITUTION, Role.ADMINISTRATOR, "patents.rules_edit", False),
    (OrgKind.DEPARTMENT, Role.MEMBER, "patents.rules_edit", False),
    (OrgKind.DEPARTMENT, Role.REVIEWER, "patents.rules_edit", True),
    (OrgKind.DEPARTMENT, Role.REVIEWER, "patents.rules_approve", False),
    (OrgKind.PLATFORM_OPERATOR, Role.APPROVER, "patents.rules_approve", True),
    (OrgKind.DEPARTMENT, Role.APPROVER, "no.such.operation", False),
    (None, Role.APPROVER, "patents.view", False),
]


@pytest.mark.parametrize(("kind", "role", "operation", "expected"), CASES)
def test_policy_table(kind, role, operation, expected):
    assert allowed(kind, role, operation) is expected
