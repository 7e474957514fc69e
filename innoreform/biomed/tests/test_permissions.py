"""The role × operation table, as a table."""

import pytest

from innoreform.biomed.permissions import TABLE, allowed
from innoreform.core.models import OrgKind, Role

E, C, D, P, B = (OrgKind.ENTERPRISE, OrgKind.CUSTOMS, OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR, OrgKind.BANK)
MEM, REV, APP, ADM = Role.MEMBER, Role.REVIEWER, Role.APPROVER, Role.ADMINISTRATOR

CASES = [
    ("biomed.item_register", E, MEM, True), ("biomed.item_register", C, ADM, False),
    ("biomed.apply", E, MEM, True), ("biomed.apply", D, ADM, False), ("biomed.apply", B, ADM, False),
    ("biomed.declare", E, MEM, True), ("biomed.declare", C, MEM, True), ("biomed.declare", D, ADM, False),
    ("biomed.followup_report", E, MEM, True), ("biomed.followup_report", C, ADM, False),
    ("biomed.view_all", C, MEM, True), ("biomed.view_all", D, MEM, True), ("biomed.view_all", P, MEM, True),
    ("biomed.view_all", E, ADM, False), ("biomed.view_all", B, ADM, False),
    ("biomed.statistics", D, MEM, True), ("biomed.statistics", E, ADM, False),
    ("biomed.assess", C, REV, True), ("biomed.assess", C, MEM, False), ("biomed.assess", D, ADM, False),
    ("biomed.followup_close", C, REV, True), ("biomed.followup_close", E, ADM, False),
    ("biomed.decide", C, APP, True), ("biomed.decide", C, REV, False), ("biomed.decide", D, ADM, False),
    ("biomed.revoke", C, APP, True), ("biomed.revoke", C, REV, False),
    ("biomed.whitelist", C, APP, True), ("biomed.whitelist", C, REV, False), ("biomed.whitelist", E, ADM, False),
    ("biomed.unknown", C, ADM, False),
]


@pytest.mark.parametrize(("operation", "kind", "role", "expected"), CASES)
def test_table(operation, kind, role, expected):
    assert allowed(kind, role, operation) is expected


def test_every_operation_is_covered():
    assert set(TABLE) <= {op for op, *_ in CASES}
    assert not allowed(None, ADM, "biomed.apply") and not allowed(E, None, "biomed.apply")
