"""The permission table as a table."""

import pytest

from innoreform.core.models import OrgKind, Role
from innoreform.financing.permissions import allowed


@pytest.mark.parametrize(("kind", "role", "operation", "expected"), [
    (OrgKind.ENTERPRISE, Role.MEMBER, "financing.need_publish", True),
    (OrgKind.ENTERPRISE, Role.MEMBER, "financing.apply", False),  # applying grants data access
    (OrgKind.ENTERPRISE, Role.ADMINISTRATOR, "financing.apply", True),
    (OrgKind.BANK, Role.MEMBER, "financing.product_manage", True),
    (OrgKind.BANK, Role.MEMBER, "financing.loan_manage", True),
    (OrgKind.GUARANTOR, Role.ADMINISTRATOR, "financing.loan_manage", False),
    (OrgKind.INVESTOR, Role.MEMBER, "financing.invest", True),
    (OrgKind.BANK, Role.ADMINISTRATOR, "financing.invest", False),
    (OrgKind.DEPARTMENT, Role.MEMBER, "financing.programme_manage", False),
    (OrgKind.DEPARTMENT, Role.REVIEWER, "financing.programme_manage", True),
    (OrgKind.DEPARTMENT, Role.REVIEWER, "financing.subsidy_approve", False),
    (OrgKind.DEPARTMENT, Role.APPROVER, "financing.subsidy_approve", True),
    (OrgKind.PLATFORM_OPERATOR, Role.REVIEWER, "financing.equipment_dispose", True),
    (OrgKind.BANK, Role.ADMINISTRATOR, "financing.equipment_dispose", False),
    (OrgKind.COURT, Role.ADMINISTRATOR, "financing.view_all", False),
    (OrgKind.ENTERPRISE, Role.ADMINISTRATOR, "financing.unknown", False),
])
def test_permission_table(kind, role, operation, expected):
    assert allowed(kind, role, operation) is expected
