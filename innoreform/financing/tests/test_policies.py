"""The permission table as a table, and the policy records' validation."""

import pytest
from pydantic import ValidationError

from innoreform.core.models import OrgKind, Role
from innoreform.financing.policies import ClassificationRules, LossSharing, allowed


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


def test_policy_records_validate():
    with pytest.raises(ValidationError):
        LossSharing(bank=20, guarantor=50, insurer=10, public=10)  # sums to 90
    with pytest.raises(ValidationError):
        ClassificationRules(special_mention_after_days=0, substandard_after_days=270, doubtful_after_days=90,
                            loss_after_days=360, default_after_days=90)
