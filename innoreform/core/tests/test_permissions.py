"""The role × operation table, tested as a table."""

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from innoreform.core.errors import NotFound, PermissionDenied
from innoreform.core.models import AuditEvent, OrgKind, Outcome, Role
from innoreform.core.permissions import TABLE, allowed, is_maker_checker_violation, record_denial_of, require
from innoreform.core.testing import make_actor

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


# --- require: one audited denial on pages and APIs alike ----------------------------------------


@pytest.mark.django_db
def test_require_passes_an_allowed_actor_and_records_nothing():
    require(make_actor(kind=D, role=R), "policy.propose")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_require_audits_the_denial_and_marks_the_error():
    actor = make_actor(kind=E, role=M)
    with pytest.raises(PermissionDenied) as refused:
        require(actor, "policy.propose", target=actor.organisation)
    assert refused.value.denial.recorded
    with pytest.raises(NotFound):
        require(actor, "audit.search_all", "audit.search_own", hide=True)
    first, second = AuditEvent.objects.filter(actor=actor.user).order_by("pk")
    assert (first.action, first.outcome, first.object_type, first.object_id) == (
        "policy.propose", Outcome.DENIED, "core.organisation", str(actor.organisation.pk))
    assert (second.action, second.outcome) == ("audit.search_all|audit.search_own", Outcome.DENIED)


@pytest.mark.django_db
def test_a_denial_inside_a_transaction_is_written_by_the_edge_after_the_rollback():
    actor = make_actor(kind=E, role=M)
    with pytest.raises(PermissionDenied) as refused, transaction.atomic():
        require(actor, "policy.propose")
    assert not AuditEvent.objects.filter(actor=actor.user).exists()  # it would have rolled back
    assert record_denial_of(refused.value) and record_denial_of(refused.value)
    assert AuditEvent.objects.filter(actor=actor.user, action="policy.propose", outcome=Outcome.DENIED).count() == 1
    assert not record_denial_of(PermissionDenied())  # not from require: the edge records it its own way


@pytest.mark.django_db
def test_a_denied_page_leaves_exactly_one_audit_row():
    actor = make_actor(kind=E, role=M)
    client = Client()
    client.force_login(actor.user)
    assert client.get(reverse("core:audit")).status_code == 404  # pages one may not use do not exist
    denials = AuditEvent.objects.filter(actor=actor.user, outcome="denied")
    assert list(denials.values_list("action", flat=True)) == ["audit.search_all|audit.search_own"]


@pytest.mark.django_db
def test_a_denied_api_call_leaves_exactly_one_audit_row():
    actor = make_actor(kind=E, role=ADM)
    client = Client()
    client.force_login(actor.user)
    body = {"key": "vouchers.scheme", "parameters": {}, "effective_from": "2030-01-01"}
    response = client.post("/api/v1/core/policies", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    denials = AuditEvent.objects.filter(actor=actor.user, outcome="denied")
    assert list(denials.values_list("action", flat=True)) == ["policy.propose"]
