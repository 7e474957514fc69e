"""The role × operation table, as a table."""

import pytest

from innoreform.core.models import OrgKind, Role
from innoreform.ipcases.permissions import TABLE, allowed

CASES = [
    ("enterprise", "member", "ipcases.file", True),
    ("court", "member", "ipcases.file", False),
    ("college", "member", "ipcases.party", True),
    ("mediation_body", "administrator", "ipcases.party", False),
    ("court", "member", "ipcases.clerk", True),
    ("court", "member", "ipcases.decide_filing", False),
    ("court", "reviewer", "ipcases.decide_filing", True),
    ("court", "reviewer", "ipcases.judge", False),
    ("court", "approver", "ipcases.judge", True),
    ("enterprise", "administrator", "ipcases.decide_filing", False),
    ("mediation_body", "member", "ipcases.mediate", True),
    ("mediation_body", "member", "ipcases.roster", False),
    ("notary_office", "member", "ipcases.notary_capture", True),
    ("notary_office", "member", "ipcases.notary_certify", False),
    ("notary_office", "approver", "ipcases.notary_certify", True),
    ("enterprise", "member", "ipcases.notary_request", True),
    ("bank", "administrator", "ipcases.notary_request", False),
    ("department", "administrator", "ipcases.dashboard", False),
    ("platform_operator", "member", "ipcases.dashboard", True),
]


@pytest.mark.parametrize(("kind", "role", "operation", "expected"), CASES)
def test_table(kind, role, operation, expected):
    assert allowed(kind, role, operation) is expected


def test_every_operation_is_covered_and_kinds_and_roles_exist():
    assert {c[2] for c in CASES} == set(TABLE)
    for kinds, role in TABLE.values():
        assert kinds <= set(OrgKind.values) and role in Role.values
